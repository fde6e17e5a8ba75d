"""Language and family of lm-eval's own multilingual tasks, on the task files lm-eval ships."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from babelbench import languages
from babelbench.evaluate.scoring import task_scoring
from babelbench.evaluate.suites import SUITES, task_language
from babelbench.evaluate.task_index import TaskYamlLoader

#: Each recognised suite's folder in lm-eval's tasks/ (arc/hellaswag/truthfulqa: okapi's translations).
FOLDERS = {
    "belebele": "belebele", "xnli": "xnli", "xcopa": "xcopa", "xstorycloze": "xstorycloze",
    "xwinograd": "xwinograd", "paws_x": "paws-x", "mgsm": "mgsm", "global_mmlu": "global_mmlu",
    "include": "include", "m_mmlu": "okapi/mmlu_multilingual", "mmlu_prox": "mmlu_prox",
    "arc_multilingual": "okapi/arc_multilingual", "hellaswag_multilingual": "okapi/hellaswag_multilingual",
    "truthfulqa_multilingual": "okapi/truthfulqa_multilingual",
}


def _lm_eval_tasks() -> Path:
    import lm_eval.tasks

    return Path(lm_eval.tasks.__file__).parent


def _config(path: Path) -> dict[str, Any]:
    """A task YAML with its ``include`` chain merged (what lm-eval's loader does, minus ``!function``)."""
    own = yaml.load(path.read_text(encoding="utf-8"), Loader=TaskYamlLoader) or {}
    parent = own.get("include")
    base = _config(path.parent / parent) if isinstance(parent, str) else {}
    return {**base, **own}


def _tasks(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(task name, merged config) of every single task (not group) defined in ``folder``'s YAML files."""
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", "") or "__pycache__" in path.parts:
            continue
        try:
            config = _config(path)
        except (yaml.YAMLError, UnicodeDecodeError, FileNotFoundError):
            continue
        if isinstance(config, dict) and isinstance(config.get("task"), str) and "group" not in config:
            out.append((config["task"], config))
    return out


def test_every_suite_folder_is_known_and_every_suite_has_a_folder():
    assert set(FOLDERS) == set(SUITES.names())


@pytest.mark.parametrize("suite", sorted(FOLDERS))
def test_every_installed_task_of_each_suite_resolves_to_a_valid_language(suite):
    tasks = _tasks(_lm_eval_tasks() / FOLDERS[suite])
    assert len(tasks) >= 6, tasks   # the suites cover six languages or more
    resolved = {}
    for name, config in tasks:
        found = task_language(name, config)
        assert found.suite is not None and found.suite.name == suite, name
        assert found.language is not None and languages.is_known(found.language), (name, config.get("dataset_name"))
        # the task name alone (no config: e.g. a task named in a recipe) reads the same language
        assert task_language(name).language == found.language, name
        resolved[name] = found.language
    assert len(set(resolved.values())) >= 6, resolved


@pytest.mark.parametrize("task, language", [
    ("belebele_zho_Hans", "zh"), ("belebele_zho_Hant", "zh-Hant"), ("belebele_arb_Arab", "ar"),
    ("belebele_ben_Latn", "bn-Latn"), ("belebele_npi_Deva", "ne"), ("belebele_eng_Latn", "en"),
    ("xnli_zh", "zh"), ("xcopa_qu", "qu"), ("xstorycloze_eu", "eu"), ("xwinograd_jp", "ja"), ("paws_ko", "ko"),
    ("mgsm_direct_zh", "zh"), ("mgsm_native_cot_sw", "sw"), ("mgsm_en_cot_te", "te"),
    ("global_mmlu_full_zh_anatomy", "zh"), ("global_mmlu_fil_business", "fil"), ("global_mmlu_full_zh", "zh"),
    ("include_base_44_chinese_few_shot_en_stem", "zh"), ("include_base_44_north_macedonian_stem", "mk"),
    ("include_base_44_persian_arts_humanities", "fa"), ("m_mmlu_nb", "nb"), ("mmlu_prox_lite_sw_law", "sw"),
    ("arc_hy", "hy"), ("hellaswag_ta", "ta"), ("truthfulqa_vi_mc2", "vi"),
])
def test_language_by_task_name(task, language):
    assert task_language(task).language == language


def test_each_suite_s_readme_example_resolves_as_documented():
    for suite in SUITES.values():
        assert task_language(suite.example).language == suite.example_language, suite.name


@pytest.mark.parametrize("task, family", [
    ("belebele_zho_Hans", "belebele"), ("xnli_zh", "xnli"), ("xcopa_zh", "xcopa"), ("mgsm_direct_zh", "mgsm_direct"),
    ("mgsm_native_cot_zh", "mgsm_native_cot"), ("global_mmlu_full_zh_anatomy", "global_mmlu_full"),
    ("global_mmlu_zh_business", "global_mmlu"), ("include_base_44_chinese_stem", "include"),
    ("include_base_44_chinese_few_shot_og_stem", "include_few_shot_og"), ("m_mmlu_zh", "m_mmlu"),
    ("xwinograd_jp", "xwinograd"),
])
def test_family_is_the_suite_and_its_prompt_variant(task, family):
    scoring = task_scoring(task, {}, plug=False)
    assert (scoring.family, scoring.language) == (family, task_language(task).language)


def test_declared_metadata_language_wins_and_dataset_name_beats_the_task_name():
    assert task_language("my_task", {"metadata": {"language": "zho_Hans"}}).language == "zh"
    assert task_language("xnli_zh", {"metadata": {"language": "fr"}}).language == "fr"
    # a copy of xnli_zh pointed at another config of the dataset is that config's language
    assert task_language("xnli_zh", {"dataset_name": "de"}).language == "de"
    # mmlu_prox's dataset_name is not a language: its task name is read
    assert task_language("mmlu_prox_zh_law", {"dataset_name": "default"}).language == "zh"


def test_names_outside_the_suites_have_no_suite_language():
    for task in ("arc_easy", "arc_challenge", "hellaswag", "gsm8k", "xnli", "belebele", "mgsm_direct",
                 "xnli_xx", "truthfulqa_mc1"):
        assert task_language(task).language is None, task
    # and a family / language named nowhere falls back to the <family>_<lang> convention
    assert task_scoring("lambada_openai_mt_de", {}, plug=False).language == "de"
    assert task_scoring("gsm8k", {}, plug=False).language is None


def test_the_readme_table_lists_every_suite_with_its_example():
    from tests.conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### lm-eval's multilingual suites", 1)[1].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines()[2:]]
    listed = {row[0].strip("| ").split()[0].strip("`"): row[-1].strip(" |") for row in rows}
    assert set(listed) == set(SUITES.names())
    for name, example in listed.items():
        task, language = (part.strip().strip("`") for part in example.split("→"))
        suite = SUITES.get(name)
        assert (task, language) == (suite.example, suite.example_language)
        assert task_language(task).language == language
