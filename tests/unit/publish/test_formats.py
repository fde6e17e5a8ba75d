"""Export formats are a registry: the built-ins are listed, a name cannot be taken twice, and a
format registered outside the package is what `harness export --format NAME` runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from babelbench.cli.app import app
from babelbench.publish import formats
from babelbench.store import Store


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry, so formats registered by a test do not outlive it."""
    formats.export_format_names()   # the built-ins, registered before the copy
    monkeypatch.setattr(formats, "_EXPORT_FORMATS", formats._EXPORT_FORMATS.copy())
    return formats


def test_the_built_in_formats_are_registered():
    assert {"hf-dataset", "lm-eval", "eee"} <= set(formats.export_format_names())


def test_a_name_registered_twice_is_an_error(registry):
    with pytest.raises(ValueError, match="'eee' is registered twice"):
        registry.register_export_format("eee")(lambda con, variants, with_samples, folder: [])


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown export format 'nope'; known: .*hf-dataset"):
        formats.get_export_format("nope")


def test_the_cli_runs_a_registered_format_and_rejects_unknown_ones(registry, tmp_path):
    seen = []

    @registry.register_export_format("listing")
    def listing(con, variants, with_samples, folder):
        seen.append((variants, with_samples))
        folder.mkdir(parents=True)
        (folder / "names.txt").write_text("none\n")
        return [("names.txt", 5, "")]

    store = tmp_path / "r.duckdb"
    with Store(store).write():
        pass
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["export", str(out), "--store", str(store), "--format", "listing",
                                      "--variant", "a", "--with-samples"])
    assert result.exit_code == 0, result.output
    assert seen == [(["a"], True)] and f"{out / 'names.txt'}  5 bytes" in result.output
    result = CliRunner().invoke(app, ["export", str(out), "--store", str(store), "--format", "nope"])
    assert result.exit_code == 2 and "listing" in result.output   # the message names every registered format
