"""`harness ratings import FILE` / `harness ratings export DIR`: human ratings made elsewhere, in and out
(CSV with a header, or JSON Lines; the fields of :data:`babelbench.core.ratings.FIELDS`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import paths

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Human ratings of stored answers: import them (checked against the store) or export them.")
StoreOption = Annotated[Path, typer.Option("--store", help="Results store.")]


@app.command("import")
def import_ratings(file: Annotated[Path, typer.Argument(help="Ratings: a .csv file with a header, or .jsonl.")],
                   store: StoreOption = paths.DEFAULT_STORE) -> None:
    """Store the file's ratings. Every row is checked first -- the answer (eval_key, task, doc_id) and a
    pairwise verdict's other answer (baseline_eval) stored, the facet a stored rubric judge's, the grade
    on its scale -- and any problem (file:line: field) stores nothing (exit 2). A rater's new rating of
    the same answer and facet replaces theirs, so importing a file twice adds nothing."""
    from ..store import Store, StoreError, rating_queries, writes
    from ..validate.ratings import check_rating_rows, read_rating_rows
    from ._common import read_store

    def stored(con) -> tuple:
        judges = rating_queries.rubric_judges(con)
        facets: dict[str, set[int]] = {}
        for config in judges.values():
            for f in config["facets"]:
                facets.setdefault(f["name"], set()).add(int(f.get("max", 3)) - int(f.get("min", 1)))
        return rating_queries.answer_keys(con), facets

    rows, problems = read_rating_rows(file, str(file))
    if not problems:
        answers, facets = read_store(store, stored)
        ratings, problems = check_rating_rows(str(file), rows, answers, facets)
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        raise typer.Exit(2)
    try:
        with Store(store).write() as con:
            writes.write_ratings(con, ratings)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"stored {len(ratings)} ratings from {file} in {store}")


@app.command("export")
def export_ratings(folder: Annotated[Path, typer.Argument(help="Folder to write ratings.csv and ratings.jsonl into.")],
                   store: StoreOption = paths.DEFAULT_STORE) -> None:
    """Write every stored rating as ratings.csv and ratings.jsonl (the format `ratings import` reads)."""
    import csv
    import json

    from ..core.ratings import FIELDS
    from ..store import rating_queries
    from ._common import read_store

    ratings = read_store(store, rating_queries.ratings)
    rows = [{k: (v.isoformat() if k == "rated_at" and v is not None else v) for k, v in r.as_row().items()}
            for r in ratings]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    with (folder / "ratings.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps({k: v for k, v in r.items() if v not in (None, "")}, ensure_ascii=False) + "\n"
                       for r in rows)
    for name in ("ratings.csv", "ratings.jsonl"):
        typer.echo(f"{folder / name}  {len(rows)} ratings")
