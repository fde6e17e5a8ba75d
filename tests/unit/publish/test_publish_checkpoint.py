"""`harness publish --models` uploads the weights the scores belong to: for a variant whose checkpoint
selection chose ``kept/step-N``, that checkpoint's adapter (not the final one), and the model card says
which checkpoint it is. Checked against the loopback Hub with the real huggingface_hub client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelbench.core.records import EvalRows, MetricRecord, SelectRows
from babelbench.publish.hub import PublishError, publish
from babelbench.store import Store, writes
from tests.unit.publish._hub import Hub, go_online


@pytest.fixture
def hub(monkeypatch):
    go_online(monkeypatch)
    with Hub() as server:
        yield server


def _adapter(folder: Path, label: str) -> None:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "which": label}))
    (folder / "adapter_model.safetensors").write_bytes(label.encode() * 4)


def _store(tmp_path: Path, selected: int | None) -> Path:
    """A LoRA variant 'pub-a' trained into ``train/`` (final adapter + kept steps 2 and 4), evaluated,
    with (``selected``) or without a checkpoint selection."""
    train = tmp_path / "train"
    _adapter(train / "adapter", "final")
    for step in (2, 4):
        _adapter(train / "kept" / f"step-{step}", f"step-{step}")
        (train / "kept" / f"step-{step}" / ".complete").write_text("")
    store = tmp_path / "r.duckdb"
    with Store(store).write() as con:
        writes.register_recipe(con, "r", "recipe.yaml", "name: pub\n")
        writes.register_variant(con, {"variant_id": "v-a", "name": "pub-a", "recipe_hash": "r",
                                      "recipe_file": "recipe.yaml", "base_model": "builtin:tiny", "method": "lora",
                                      "pivot_mode": "none", "pivot_language": "en", "data_mix": None,
                                      "data_size": None, "config": {}, "choices": {}})
        for kind, key, output in (("train", "t-a", str(train)), ("eval", "e-a", None)):
            writes.link_stage(con, "v-a", kind, key)
            writes.start_run(con, f"run-{kind}", kind, key, "v-a", {}, None)
            writes.finish_run(con, f"run-{kind}", "done", 0.0, output=output)
        writes.write_eval(con, "e-a", EvalRows([MetricRecord("xquad_gen_en", "f1", "none", 0.5, "en", "1")], []))
        if selected is not None:
            writes.link_stage(con, "v-a", "select", "s-a")
            writes.write_selection(con, "s-a", SelectRows("f1", "mean", selected, totals={2: 0.5, 4: 0.4}))
    return store


def _published(hub: Hub) -> dict[str, bytes]:
    return hub.repos[("model", "org/res-pub-a")].files


def test_the_selected_checkpoint_is_published_and_named_in_the_card(hub, tmp_path):
    store = _store(tmp_path, selected=2)
    publish(store, "org/res", models=True, endpoint=hub.endpoint, echo=lambda *_: None)
    files = _published(hub)
    assert json.loads(files["adapter_config.json"])["which"] == "step-2"
    assert files["adapter_model.safetensors"] == b"step-2" * 4
    assert ".complete" not in files
    card = files["README.md"].decode()
    assert "the checkpoint kept at training step 2, chosen by the recipe's checkpoint selection" in card


def test_without_selection_the_final_adapter_is_published(hub, tmp_path):
    store = _store(tmp_path, selected=None)
    publish(store, "org/res", models=True, endpoint=hub.endpoint, echo=lambda *_: None)
    files = _published(hub)
    assert json.loads(files["adapter_config.json"])["which"] == "final"
    assert "These weights are the final adapter of its training" in files["README.md"].decode()


def test_a_selected_checkpoint_that_is_gone_is_refused_before_any_upload(hub, tmp_path):
    store = _store(tmp_path, selected=3)
    with pytest.raises(PublishError, match=r"pub-a: its checkpoint selection chose step 3, but that checkpoint's "
                                           r"adapter is not at .*kept/step-3; nothing was published"):
        publish(store, "org/res", models=True, endpoint=hub.endpoint, echo=lambda *_: None)
    assert hub.requests == []
