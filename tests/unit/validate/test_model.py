"""Model-dependent recipe checks read the model's config and build its module tree on the meta
device: no weights are loaded, nothing is built or converted, and each base model is looked at once
per process."""

from __future__ import annotations

import pytest

from babelbench.validate import model as model_checks

GEMMA_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty BABELBENCH_HOME and an empty facts cache; counts module-tree builds."""
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    model_checks.clear_cache()
    builds: list[str] = []
    real = model_checks._module_tree

    def counting(config):
        builds.append(type(config).__name__)
        return real(config)

    monkeypatch.setattr(model_checks, "_module_tree", counting)
    yield tmp_path, builds
    model_checks.clear_cache()


def test_gemma_is_checked_from_its_config_without_converting_the_gguf(fresh):
    tmp_path, builds = fresh
    facts = model_checks.model_facts("builtin:gemma-3-270m", str(tmp_path))
    assert facts is not None
    assert (facts.context_length, facts.context_field) == (32768, "max_position_embeddings")
    assert facts.linear_names() == GEMMA_LINEAR
    assert [name for name, cls, ok in facts.matching("self_attn")][:1] == ["model.layers.0.self_attn"]
    assert not (tmp_path / "home" / "models").exists() or not any((tmp_path / "home" / "models").iterdir())
    assert builds == ["Gemma3TextConfig"]


def test_each_base_model_is_looked_at_once_per_process(fresh):
    tmp_path, builds = fresh
    for _ in range(3):
        model_checks.model_facts("builtin:tiny", str(tmp_path))
        model_checks.model_facts("builtin:tiny", str(tmp_path / "elsewhere"))
    assert builds == ["LlamaConfig"]
    assert model_checks.model_facts("org/some-hub-model", str(tmp_path)) is None   # the Hub: not offline
    assert builds == ["LlamaConfig"]


def test_a_local_folder_without_a_config_is_a_problem_reported_each_time(fresh):
    tmp_path, builds = fresh
    (tmp_path / "model").mkdir()
    for _ in range(2):
        with pytest.raises(model_checks.ModelCheckError, match="cannot read the model's config"):
            model_checks.model_facts("model", str(tmp_path))
    assert builds == []
