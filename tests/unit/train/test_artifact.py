"""TrainArtifact: the one place a train folder's layout is written down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from babelbench.core.train_method import TrainMethod
from babelbench.recipe.schema import TrainConfig
from babelbench.train.artifact import TrainArtifact


def test_final_weights_are_the_adapter_or_the_model_folder(tmp_path):
    lora, full = TrainArtifact(tmp_path, TrainMethod.LORA), TrainArtifact(tmp_path, TrainMethod.FULL)
    assert lora.weights == tmp_path / "adapter" and lora.is_adapter
    assert full.weights == tmp_path / "model" and not full.is_adapter
    assert lora.adapter_and_model() == (str(tmp_path / "adapter"), None)
    assert full.adapter_and_model() == (None, str(tmp_path / "model"))


def test_a_kept_checkpoint_is_its_step_folder_in_either_method(tmp_path):
    for method in (TrainMethod.LORA, TrainMethod.FULL):
        at = TrainArtifact(tmp_path, method).at_step(40)
        assert at.step == 40 and at.weights == tmp_path / "kept" / "step-40"
        assert at.at_step(None).weights == TrainArtifact(tmp_path, method).final


def test_kept_steps_are_the_completely_saved_ones_in_order(tmp_path):
    for step, complete in ((100, True), (20, True), (60, False)):
        folder = tmp_path / "kept" / f"step-{step}"
        folder.mkdir(parents=True)
        if complete:
            (folder / ".complete").write_text("ok\n")
    assert TrainArtifact(tmp_path, TrainMethod.LORA).kept_steps() == [20, 100]
    assert TrainArtifact(tmp_path / "none-yet", TrainMethod.LORA).kept_steps() == []


def test_a_store_rows_method_string_is_read_as_the_enum_and_none_has_no_artifact(tmp_path):
    artifact = TrainArtifact(str(tmp_path), "full")  # type: ignore[arg-type]
    assert artifact.method is TrainMethod.FULL and isinstance(artifact.folder, Path)
    with pytest.raises(ValueError, match="trains nothing"):
        TrainArtifact(tmp_path, TrainMethod.NONE)


def test_train_method_keeps_the_recipe_strings():
    cfg = TrainConfig.model_validate({"method": "full"})
    assert cfg.method is TrainMethod.FULL and cfg.method == "full" and f"{cfg.method}" == "full"
    assert json.dumps(cfg.model_dump()["method"]) == '"full"' == json.dumps(cfg.model_dump(mode="json")["method"])
