"""`harness`: the entry point. Each command lives in its own module and imports lazily."""

from __future__ import annotations

import typer

from . import (
    board,
    compare,
    export,
    figures,
    fit,
    import_runs,
    init,
    ls,
    model_args,
    probe,
    publish,
    ratings,
    report,
    run,
    validate,
)

app = typer.Typer(
    name="harness", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="babelbench: fine-tune multilingual instruction-tuned variants from YAML recipes, "
         "evaluate them with lm-eval, and compare them.",
)
app.command("run")(run.run)
app.command("validate")(validate.validate)
app.command("ls")(ls.ls)
app.command("report")(report.report)
app.command("board")(board.board)
app.command("figures")(figures.figures)
app.command("export")(export.export)
app.command("publish")(publish.publish)
app.command("init")(init.init)
app.command("compare")(compare.compare)
app.command("fit")(fit.fit)
app.command("model-args")(model_args.model_args)
app.command("probe")(probe.probe)
app.add_typer(import_runs.app, name="import")
app.add_typer(ratings.app, name="ratings")


def main() -> None:
    app()
