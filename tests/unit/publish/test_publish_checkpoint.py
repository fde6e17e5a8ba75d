"""`harness publish --models` uploads the weights the scores belong to: for a variant whose checkpoint
selection chose ``kept/step-N``, that checkpoint's adapter (not the final one), and the model card says
which checkpoint it is. Checked against the loopback Hub with the real huggingface_hub client."""

from __future__ import annotations

import json

import pytest

from babelbench.publish.hub import PublishError, publish
from tests.unit.publish._hub import Hub
from tests.unit.publish._lora_store import lora_store as _store


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
