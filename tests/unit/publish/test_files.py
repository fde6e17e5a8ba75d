"""publish/files.py and publish/tables.py: the dataset card (YAML header: licence, languages, one
config per table) from hand-made tables, and the dataset files of a real (tiny) store."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
import yaml

from babelbench.publish.files import card, dataset_files
from babelbench.store import Store
from babelbench.store.queries import report_rows
from tests.unit.publish._store import build_store


def _header(text: str) -> dict:
    assert text.startswith("---\n")
    head, sep, _ = text[4:].partition("\n---\n")
    assert sep, "the YAML header is not closed"
    meta = yaml.safe_load(head)
    assert isinstance(meta, dict)
    return meta


TABLES = {
    "leaderboard": [
        {"variant": "r@b", "score": "xquad_gen · f1", "value": 0.625, "ci_low": 0.5, "ci_high": 0.75, "n": 8},
        {"variant": "r@a", "score": "xquad_gen · f1", "value": 0.3, "ci_low": None, "ci_high": None, "n": 2},
        {"variant": "r@a", "score": "babel_qa · contains", "value": None, "ci_low": None, "ci_high": None, "n": 0},
        {"variant": "r@a", "score": "xquad_gen (macro)", "value": 0.9, "ci_low": None, "ci_high": None, "n": 2},
        {"variant": "r@a", "score": "all tasks · en · primary_score", "value": 0.9, "ci_low": None, "ci_high": None,
         "n": 1},
    ],
    "metrics": [{"language": "zh"}, {"language": "en"}, {"language": None}, {"language": "zh"}, {"language": "ko"}],
    "recipes": [{"variant": "r@a", "recipe_file": "recipes/r.yaml", "choices": '{"train.lr": 0.001}',
                 "recipe": "name: r\nbase_model: builtin:tiny\n"}],
    "judgments": [],
    "samples": [],
}
MADE = {"versions": {"lm-eval": "0.4.13", "babelbench": "0.1.0"}, "tasks": {"xquad_gen_en": "1.0"},
        "judges": {"rubric-6facet": {"kind": "rubric", "backend": "openai", "model": "gemma", "identity": "abc123",
                                     "templates": {"system": "s0", "user": "u0"}}},
        "date": "2026-01-02"}


def test_card_header_lists_licence_languages_and_each_table_as_a_config():
    text = card(TABLES, MADE, title="org/x: results (babelbench)", license="cc-by-sa-4.0")
    meta = _header(text)
    assert meta["license"] == "cc-by-sa-4.0"
    assert meta["language"] == ["en", "ko", "zh"]            # distinct, sorted, None left out
    assert meta["pretty_name"] == "org/x: results (babelbench)"   # a title with ':' stays one YAML string
    assert meta["configs"] == [{"config_name": name, "data_files": f"data/{name}.parquet"} for name in
                               ("leaderboard", "metrics", "recipes", "judgments", "samples")]
    assert "babelbench" in meta["tags"]
    assert "\n# org/x: results (babelbench)\n" in text
    assert "configs: `leaderboard`, `metrics`, `recipes`, `judgments`, `samples`." in text


def test_card_leaderboard_shows_values_intervals_and_n_and_leaves_out_aggregates():
    text = card(TABLES, MADE, title="t", license="cc-by-4.0")
    lines = text.splitlines()
    head = lines.index("| variant | babel_qa · contains | xquad_gen · f1 |")
    assert lines[head + 1] == "|---|---|---|"
    assert lines[head + 2] == "| r@a | — | 0.3 (n=2) |"                  # None -> dash; no interval -> value (n)
    assert lines[head + 3] == "| r@b | — | 0.625 [0.5, 0.75] (n=8) |"     # missing score -> dash
    assert "(macro)" not in text.split("## Recipes")[0].split("## Leaderboard")[1]


def test_card_names_recipes_versions_date_and_judges():
    text = card(TABLES, MADE, title="t", license="cc-by-4.0")
    assert ("### r@a\n\nFrom `recipes/r.yaml` with {\"train.lr\": 0.001}:\n\n"
            "```yaml\nname: r\nbase_model: builtin:tiny\n```") in text
    assert "Results as of 2026-01-02. Library versions: lm-eval 0.4.13, babelbench 0.1.0." in text
    assert "Task versions: `xquad_gen_en` 1.0." in text
    assert "| rubric-6facet | rubric | openai | gemma | `abc123` | `s0` | `u0` |" in text


def test_card_without_rows_says_so():
    empty = {"leaderboard": [], "metrics": [], "recipes": [], "judgments": []}
    text = card(empty, {**MADE, "judges": {}}, title="t", license="cc-by-4.0")
    assert _header(text)["language"] == []
    assert "_No evaluated variant._" in text and "| judge |" not in text


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("pubfiles"))


def test_dataset_files_hold_one_parquet_per_config_and_a_card_that_names_them(store):
    with Store(store).read() as con:
        files = dataset_files(con, title="org/res (babelbench results)", license="mit")
        report = report_rows(con)
        with_samples = dataset_files(con, with_samples=True)
    meta = _header(files["README.md"].decode())
    assert sorted(files) == ["README.md", "data/judgments.parquet", "data/leaderboard.parquet",
                             "data/metrics.parquet", "data/recipes.parquet"]
    assert [c["data_files"] for c in meta["configs"]] == ["data/leaderboard.parquet", "data/metrics.parquet",
                                                          "data/recipes.parquet", "data/judgments.parquet"]
    assert all(c["data_files"] in files for c in meta["configs"])
    assert meta["license"] == "mit" and meta["pretty_name"] == "org/res (babelbench results)"
    assert meta["language"] == sorted({r["language"] for r in report if r["language"]}) == ["en", "zh"]
    # the metrics table is the report, row for row
    metrics = pq.read_table(io.BytesIO(files["data/metrics.parquet"])).to_pylist()
    assert len(metrics) == len(report)
    assert sorted((m["task"], m["metric"], m["value"]) for m in metrics) == sorted(
        (r["task"], r["metric"], r["value"]) for r in report)
    # --with-samples: one more config, and its table holds every stored answer (2 tasks x 2 documents)
    samples_meta = _header(with_samples["README.md"].decode())
    assert [c["config_name"] for c in samples_meta["configs"]][-1] == "samples"
    assert pq.read_table(io.BytesIO(with_samples["data/samples.parquet"])).num_rows == 4


def test_dataset_files_are_the_same_bytes_for_the_same_store(store):
    with Store(store).read() as con:
        first = dataset_files(con)
        second = dataset_files(con)
    assert first == second


def test_an_unknown_variant_is_refused_by_name(store):
    with Store(store).read() as con, pytest.raises(ValueError, match="not evaluated in this store: nope@x"):
        dataset_files(con, variants=["nope@x"])
