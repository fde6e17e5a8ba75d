"""Parallel sentences for the alignment analysis: the shipped samples, long and wide files, pairing by id,
and bad input named by file, row (or line) and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelbench.analysis.parallel_sentences import load_parallel, read_parallel
from babelbench.core.errors import ConfigError
from tests.conftest import ROOT

FLORES = ROOT / "tasks" / "flores_gen" / "data"


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _problem(excinfo) -> str:
    [problem] = excinfo.value.problems
    return str(problem)


def test_the_shipped_samples_pair_by_id_in_the_pivots_order():
    s = load_parallel("flores", "en", ["zh", "es"])
    en = [json.loads(line) for line in (FLORES / "flores_gen.en.jsonl").read_text(encoding="utf-8").splitlines()]
    zh = {json.loads(line)["id"]: json.loads(line)["text"]
          for line in (FLORES / "flores_gen.zh.jsonl").read_text(encoding="utf-8").splitlines()}
    assert s.targets == ("zh", "es")
    assert s.ids["en"] == [r["id"] for r in en] == s.ids["zh"]
    assert s.texts["en"][0] == en[0]["text"] and s.texts["zh"][3] == zh[en[3]["id"]]
    assert s.pairs("zh") == 10


def test_default_targets_are_every_other_language_and_max_sentences_takes_the_first_ids():
    s = load_parallel("flores", "en", [], max_sentences=3)
    shipped = sorted(p.name.split(".")[1] for p in FLORES.glob("flores_gen.*.jsonl"))
    assert list(s.targets) == [lang for lang in shipped if lang != "en"]
    assert s.ids["en"] == ["fl01", "fl02", "fl03"] and s.ids["ko"] == ["fl01", "fl02", "fl03"]


def test_long_rows_pair_by_id_and_keep_only_shared_ids(tmp_path):
    f = _jsonl(tmp_path / "p.jsonl", [
        {"id": "a", "language": "en", "text": "One."}, {"id": "b", "language": "en", "text": "Two."},
        {"id": "c", "language": "en", "text": "Three."},
        {"id": "c", "language": "de", "text": "Drei."}, {"id": "a", "language": "de", "text": "Eins."},
        {"id": "b", "language": "fr", "text": "Deux."}])
    s = load_parallel(str(f), "en", [])
    assert s.targets == ("de", "fr")
    assert s.ids == {"en": ["a", "b", "c"], "de": ["a", "c"], "fr": ["b"]}
    assert s.texts["de"] == ["Eins.", "Drei."]
    assert (s.pairs("de"), s.pairs("fr")) == (2, 1)


def test_a_wide_tsv_pairs_by_row_and_standardises_codes(tmp_path):
    f = tmp_path / "p.tsv"
    f.write_text("eng\tzh\nGood morning.\t早上好。\nThank you.\t谢谢。\n", encoding="utf-8")
    assert read_parallel(f) == {"en": {"1": "Good morning.", "2": "Thank you."}, "zh": {"1": "早上好。", "2": "谢谢。"}}
    s = load_parallel(f.name, "en", ["zh"], base_dir=tmp_path)
    assert s.texts == {"en": ["Good morning.", "Thank you."], "zh": ["早上好。", "谢谢。"]}


def test_the_digest_is_the_content_not_the_place(tmp_path):
    rows = [{"id": "a", "language": "en", "text": "One."}, {"id": "a", "language": "de", "text": "Eins."}]
    one = load_parallel(str(_jsonl(tmp_path / "one.jsonl", rows)), "en", [])
    two = load_parallel(str(_jsonl(tmp_path / "two.jsonl", rows)), "en", [])
    rows[1]["text"] = "Ein."
    three = load_parallel(str(_jsonl(tmp_path / "three.jsonl", rows)), "en", [])
    assert one.digest() == two.digest() != three.digest()


@pytest.mark.parametrize("rows, expected", [
    ([{"id": "a", "language": "en", "text": "x"}, {"id": "a", "language": "en", "text": "y"}],
     "p.jsonl:2: id: id 'a' appears twice for language 'en'"),
    ([{"id": "a", "language": "en", "text": "x"}, {"id": "a", "language": "xx", "text": "y"}],
     "p.jsonl:2: language: unknown language code 'xx'"),
    ([{"id": "a", "language": "en", "text": "x"}, {"language": "de", "text": "y"}],
     "p.jsonl:2: id: a {language, text} row needs an `id`"),
    ([{"id": "a", "language": "en", "text": "x"}, {"id": "a", "language": "de", "text": "  "}],
     "p.jsonl:2: text: expected a non-empty sentence"),
    ([{"en": "x", "de": "y"}, {"en": "x", "klingon": "y"}],
     "p.jsonl:2: klingon: unknown language code 'klingon'"),
])
def test_bad_rows_name_file_line_and_field(tmp_path, monkeypatch, rows, expected):
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "p.jsonl", rows)
    with pytest.raises(ConfigError) as excinfo:
        load_parallel("p.jsonl", "en", [], base_dir=tmp_path)
    assert _problem(excinfo).startswith(expected)


def test_bad_tsv_rows_name_the_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.tsv").write_text("en\tde\nHello.\tHallo.\nBye.\t\n", encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        load_parallel("p.tsv", "en", [], base_dir=tmp_path)
    assert _problem(excinfo).startswith("p.tsv: row 2: de: expected a non-empty sentence")


def test_sources_that_cannot_be_aligned_say_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _jsonl(tmp_path / "p.jsonl", [{"id": "a", "language": "en", "text": "x"}, {"id": "b", "language": "de", "text": "y"}])
    cases = [
        (dict(source="p.jsonl", pivot="fr", languages=[]), "p.jsonl: alignment.source: holds no 'fr' sentences"),
        (dict(source="p.jsonl", pivot="en", languages=["ko"]), "p.jsonl: alignment.source: holds no sentences in ko"),
        (dict(source="p.jsonl", pivot="en", languages=["de"]), "no sentence id of 'en' is also in de"),
        (dict(source="missing.jsonl", pivot="en", languages=[]), "missing.jsonl: no such file or folder"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ConfigError) as excinfo:
            load_parallel(kwargs["source"], kwargs["pivot"], kwargs["languages"], base_dir=tmp_path)
        assert expected in _problem(excinfo), _problem(excinfo)
