"""A results store built with the store's own writes: one LoRA variant 'pub-a' with a train folder
holding a final adapter and kept checkpoints, an evaluation, and optionally a checkpoint selection."""

from __future__ import annotations

import json
from pathlib import Path

from babelbench.core.records import EvalRows, MetricRecord, SelectRows
from babelbench.store import Store, writes


def _adapter(folder: Path, label: str) -> None:
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "which": label}))
    (folder / "adapter_model.safetensors").write_bytes(label.encode() * 4)


def lora_store(tmp_path: Path, selected: int | None) -> Path:
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


