"""Library versions in stage keys: read from the dist-info folder names (no METADATA parsed), and exactly what
importlib.metadata reports for every package the keys and stage runs name."""

from __future__ import annotations

from importlib import metadata

import pytest

from babelbench.pipeline import env
from babelbench.pipeline.lifecycle import STAGE_LIBRARIES

NAMED = sorted({"transformers", "tokenizers", "torch", "peft", "lm-eval", "lm_eval", "duckdb", "pydantic", "typer",
                *(p for libs in STAGE_LIBRARIES.values() for p in libs)})


@pytest.mark.parametrize("package", NAMED)
def test_a_version_is_importlib_metadatas(package):
    try:
        expected = metadata.version(package)
    except metadata.PackageNotFoundError:
        expected = "absent"
    assert env.versions(package) == {package: expected}


def test_installed_packages_are_found_without_metadata(monkeypatch):
    def refuse(name):
        raise AssertionError(f"METADATA parsed for {name}")

    monkeypatch.setattr(env.metadata, "version", refuse)
    assert env.versions("duckdb", "pydantic")["duckdb"] not in ("", "absent")


def test_a_package_not_installed_is_absent():
    assert env.versions("no-such-package-babelbench-test") == {"no-such-package-babelbench-test": "absent"}
