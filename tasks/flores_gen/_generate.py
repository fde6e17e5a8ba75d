"""Writes the flores_gen task YAMLs: one task per ordered pair of the languages with a shipped sample
(data/flores_gen.<lang>.jsonl), and the `flores_gen` group listing them all.

    python tasks/flores_gen/_generate.py          # (re)write the YAMLs
    python tasks/flores_gen/_generate.py --check  # exit 1 if the committed YAMLs differ from this output

Every task includes _flores_gen_template and differs only in its direction and prompt: the first
CoIT template (babelbench.data.translation.DEFAULT_TEMPLATES[0], the one translation-task training data
cycles from) with the languages' English names (babelbench.languages.name), a blank line, the source
sentence -- so a translation example in training and a flores_gen prompt read the same. Pairs without
English declare their family as flores_gen_<src>_xx (English pairs get flores_gen_en_xx / flores_gen_xx_en
from their names). A unit test checks the committed files equal this script's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babelbench.data.translation import DEFAULT_TEMPLATES
from babelbench.evaluate.generated_tasks import write_or_check
from babelbench.languages import name

HERE = Path(__file__).resolve().parent
GROUP_FILE = "_flores_gen.yaml"
#: The template's metadata, repeated where a task declares its family (lm-eval replaces, not merges, it).
METADATA = ("metadata:\n  version: 1.0\n  primary_metric: chrf\n  scored_filter: none\n  score_scale: 100\n"
            "  family: flores_gen_{src}_xx\n  data_layout: flores\n")


def shipped_languages(folder: Path = HERE / "data") -> list[str]:
    """The languages with a shipped sample: English first, then by code."""
    codes = sorted(p.name.split(".")[1] for p in folder.glob("flores_gen.*.jsonl"))
    return sorted(codes, key=lambda code: (code != "en", code))


def pairs(languages: list[str]) -> list[tuple[str, str]]:
    """English to each language, each language to English, then the other pairs (by source, target)."""
    others = [lang for lang in languages if lang != "en"]
    return ([("en", t) for t in others] + [(s, "en") for s in others]
            + [(s, t) for s in others for t in others if s != t])


def task_yaml(src: str, tgt: str) -> str:
    prompt = DEFAULT_TEMPLATES[0].format(source_lang=name(src), target_lang=name(tgt))
    text = (f"include: _flores_gen_template\ntask: flores_gen_{src}_{tgt}\ndataset_kwargs:\n"
            f"  source_language: {src}\n  target_language: {tgt}\n"
            f"doc_to_text: \"{prompt}\\n\\n{{{{source}}}}\"\n")
    return text if "en" in (src, tgt) else text + METADATA.format(src=src)


def group_yaml(tasks: list[str]) -> str:
    listed = "".join(f"  - {task}\n" for task in tasks)
    return (f"group: flores_gen\ntask:\n{listed}aggregate_metric_list:\n"
            "  - {metric: chrf, aggregation: mean, weight_by_size: false, filter_list: [none, plug]}\n"
            "metadata:\n  version: 1.0\n")


def render() -> dict[str, str]:
    """File name -> text of every generated file."""
    directions = pairs(shipped_languages())
    files = {f"flores_gen_{s}_{t}.yaml": task_yaml(s, t) for s, t in directions}
    files[GROUP_FILE] = group_yaml([f"flores_gen_{s}_{t}" for s, t in directions])
    return files


def main(argv: list[str]) -> int:
    return write_or_check(HERE, render(), "flores_gen_*_*.yaml", argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
