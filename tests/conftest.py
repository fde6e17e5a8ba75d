"""Test set-up: offline, a private BABELBENCH_HOME, recipe writing helpers.

No test reaches the network: the Hub libraries are told they are offline, and every
model is built locally (``builtin:tiny``) or converted from the PyPI-shipped GGUF.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("BABELBENCH_TASKS", str(ROOT / "tasks"))
# sacrebleu reads $SACREBLEU when it is imported: point it at a folder of the test session's
# own, where the spbleu_model fixture puts a stand-in flores200 SentencePiece model.
os.environ["SACREBLEU"] = os.environ.get("BABELBENCH_TEST_SACREBLEU") or tempfile.mkdtemp(prefix="bb-sacrebleu-")
# A test session started in the background of a non-interactive shell (`make test &`, a CI step) inherits
# SIGINT ignored, and Python then never turns Ctrl-C into KeyboardInterrupt -- in this process or in the
# harness processes the tests start. The Ctrl-C tests need the signal as a terminal delivers it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# Likewise a session started under `nohup` inherits SIGHUP ignored, and the harness processes the tests hang up
# on would ignore it too: the hang-up tests need it as a closed terminal sends it.
if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


@pytest.fixture(scope="session", autouse=True)
def babelbench_home(tmp_path_factory) -> Path:
    """One cache per test session (models built once), never the user's own."""
    home = Path(os.environ.get("BABELBENCH_TEST_HOME") or tmp_path_factory.mktemp("babelbench-home"))
    os.environ["BABELBENCH_HOME"] = str(home)
    os.environ["HF_HOME"] = str(home / "hf")
    return home


@pytest.fixture(scope="session")
def tiny_model(babelbench_home) -> Path:
    from babelbench.models.tiny import ensure_tiny_checkpoint

    return ensure_tiny_checkpoint()


@pytest.fixture(scope="session")
def spbleu_model() -> Path:
    """A stand-in for sacrebleu's flores200 SentencePiece model, which only downloads with network.

    Trained here on the shipped translation sample, it makes spBLEU computable offline; the
    numbers are BLEU over *this* model's pieces, so tests compare against sacrebleu run with the
    same file, never against published spBLEU.
    """
    import sentencepiece as spm

    from babelbench.evaluate.metrics import SPM_MODEL_NAME

    target = Path(os.environ["SACREBLEU"]) / "models" / SPM_MODEL_NAME
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        corpus = target.parent / "corpus.txt"
        lines = [json.loads(line)["text"] for f in sorted((ROOT / "tasks" / "flores_gen" / "data").glob("*.jsonl"))
                 for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
        corpus.write_text("\n".join(lines), encoding="utf-8")
        prefix = target.parent / "standin"
        # every character of the sample's fourteen languages (about 600) is a piece of its own, plus merges
        spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(prefix), vocab_size=1000,
                                       character_coverage=1.0, hard_vocab_limit=False, minloglevel=2)
        (target.parent / "standin.model").rename(target)
    return target


@pytest.fixture
def write_recipe(tmp_path):
    """Write a recipe (dedented) into tmp_path; ``{samples}`` becomes the sample-data folder."""

    def write(text: str, name: str = "recipe.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip().replace("{samples}", str(SAMPLES)), encoding="utf-8")
        return path

    return write


TINY_RECIPE = """
    name: tiny
    base_model: builtin:tiny
    data:
      sources:
        - {path: {samples}/instructions.en.jsonl, language: en}
        - {path: {samples}/instructions.zh.jsonl, language: zh}
      mix: {en: 0.5, zh: 0.5}
      size: 16
      seed: 3
    train:
      method: lora
      lora: {r: 4, alpha: 8, dropout: 0.0}
      lr: 1.0e-3
      max_steps: 2
      batch_size: 4
      max_length: 128
      save_steps: 1
    eval:
      tasks: [xalpaca_zh, babel_qa_en]
      limit: 2
      gen_kwargs: {max_gen_toks: 8}
"""
