"""lm-eval's own XNLI subtasks for three languages, run from local copies on the tiny model: every stored row
knows its language and family, and the board's Languages page shows them with their transfer gaps.

The copies are lm-eval's shipped task files (xnli_common_yaml, xnli_<lang>.yaml) with only the dataset's
location changed: ``dataset_path: json`` and ``data_files`` pointing at rows written here in XNLI's schema
(premise, hypothesis, label). Their ``dataset_name`` stays lm-eval's (``en``, ``fr``, ``zh``): the language
is read from it, as it is for the Hub dataset.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.integration._harness import board_page, harness, query

LANGUAGES = ("en", "fr", "zh")
ROWS = {
    "en": [("The cat sleeps on the sofa.", "An animal is resting.", 0), ("He bought bread.", "He sold a car.", 2),
           ("It rained all day.", "The ground is wet.", 1), ("She plays piano.", "She makes music.", 0)],
    "fr": [("Le chat dort sur le canapé.", "Un animal se repose.", 0), ("Il a acheté du pain.", "Il a vendu une voiture.", 2),
           ("Il a plu toute la journée.", "Le sol est mouillé.", 1), ("Elle joue du piano.", "Elle fait de la musique.", 0)],
    "zh": [("猫在沙发上睡觉。", "一只动物在休息。", 0), ("他买了面包。", "他卖了一辆车。", 2),
           ("下了一整天的雨。", "地面是湿的。", 1), ("她弹钢琴。", "她在演奏音乐。", 0)],
}


def _local_xnli(folder: Path) -> Path:
    """lm-eval's xnli task files for LANGUAGES, reading local JSON Lines files instead of the Hub."""
    import lm_eval.tasks

    shipped = Path(lm_eval.tasks.__file__).parent / "xnli"
    tasks = folder / "xnli-local"
    tasks.mkdir()
    common = (shipped / "xnli_common_yaml").read_text(encoding="utf-8")
    assert "dataset_path: facebook/xnli\n" in common
    (tasks / "xnli_common_yaml").write_text(common.replace("dataset_path: facebook/xnli\n", "dataset_path: json\n"),
                                            encoding="utf-8")
    for lang in LANGUAGES:
        data = folder / f"xnli.{lang}.jsonl"
        data.write_text("".join(json.dumps({"premise": p, "hypothesis": h, "label": label}, ensure_ascii=False) + "\n"
                                for p, h, label in ROWS[lang]), encoding="utf-8")
        config = yaml.safe_load((shipped / f"xnli_{lang}.yaml").read_text(encoding="utf-8"))
        assert config["dataset_name"] == lang and config["task"] == f"xnli_{lang}"
        config["dataset_kwargs"] = {"data_files": {"train": str(data), "validation": str(data)}}
        (tasks / f"xnli_{lang}.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return tasks


@pytest.fixture(scope="module")
def suite_run(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("suites")
    tasks = _local_xnli(folder)
    recipe = folder / "xnli.yaml"
    recipe.write_text(f"""
name: xnli3
base_model: builtin:tiny
train: {{method: none}}
eval:
  tasks: [xnli_en, xnli_fr, xnli_zh]
  include_path: [{tasks.name}]
  apply_chat_template: false
""", encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    return store


def test_every_stored_row_knows_its_language_and_family(suite_run):
    store = suite_run
    # every document of every task, with the language of its task (XNLI's documents carry none)
    assert query(store, "SELECT task, language, count(*) FROM samples GROUP BY ALL ORDER BY task") == [
        ("xnli_en", "en", 4), ("xnli_fr", "fr", 4), ("xnli_zh", "zh", 4)]
    rows = query(store, "SELECT task, language, family, value, n FROM metrics WHERE NOT is_group AND is_primary "
                        "ORDER BY task")
    assert [(t, lang, fam, n) for t, lang, fam, _, n in rows] == [
        ("xnli_en", "en", "xnli", 4), ("xnli_fr", "fr", "xnli", 4), ("xnli_zh", "zh", "xnli", 4)]
    # each task's accuracy is the mean of its stored per-document accuracies
    acc = {t: v for t, _, _, v, _ in rows}
    for task, value in acc.items():
        per_doc = [json.loads(m)["acc"] for (m,) in query(store, "SELECT sample_metrics FROM samples WHERE task = ?",
                                                          [task])]
        assert value == pytest.approx(sum(per_doc) / len(per_doc))
    # transfer gaps against English, and the per-language primary score
    gaps = query(store, "SELECT task, language, family, value FROM metrics WHERE metric = 'transfer_gap:acc' "
                        "ORDER BY language")
    assert [(t, lang, fam) for t, lang, fam, _ in gaps] == [("xnli_fr", "fr", "xnli"), ("xnli_zh", "zh", "xnli")]
    for task, _, _, value in gaps:
        assert value == pytest.approx(acc[task] - acc["xnli_en"])
    primary = dict(query(store, "SELECT language, value FROM metrics WHERE metric = 'primary_score'"))
    assert primary == {lang: pytest.approx(acc[f"xnli_{lang}"]) for lang in LANGUAGES}
    [(macro,)] = query(store, "SELECT value FROM metrics WHERE task = 'xnli (macro)'")
    assert macro == pytest.approx(sum(acc.values()) / 3)


def test_the_languages_page_shows_the_suite_per_language(suite_run):
    store = suite_run
    at = board_page(store, "views/languages.py")
    heat, gaps = at.dataframe[0].value, at.dataframe[1].value
    assert sorted(heat["language"]) == list(LANGUAGES)
    acc = dict(query(store, "SELECT language, value FROM metrics WHERE NOT is_group AND is_primary"))
    assert dict(zip(heat["language"], heat["xnli · acc"])) == pytest.approx(acc)
    assert dict(zip(gaps["task"], gaps["xnli3"])) == pytest.approx({"xnli_fr": acc["fr"] - acc["en"],
                                                                    "xnli_zh": acc["zh"] - acc["en"]})
    assert not [e for e in at.info if "No transfer gaps" in e.value]
