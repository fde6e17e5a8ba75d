"""Under ``--executor ray`` the job's runtime_env (listable by anyone on the cluster) carries no secret;
a stage's task gets only the secrets that stage needs, in its environment for that stage only."""

from __future__ import annotations

import os

from babelbench.core.records import StageResult
from babelbench.pipeline.ray_executor import _run_stage, job_env, stage_secrets

DRIVER = {"HF_TOKEN": "hf_secret", "HUGGING_FACE_HUB_TOKEN": "hf_old", "OPENAI_API_KEY": "sk-secret",
          "OPENAI_ORG_KEY": "org", "HF_HOME": "/cache/hf", "HF_HUB_OFFLINE": "1", "OPENAI_BASE_URL": "https://x/v1",
          "BABELBENCH_HOME": "/home/bb", "TOKENIZERS_PARALLELISM": "false", "AWS_SECRET_ACCESS_KEY": "aws",
          "PATH": "/usr/bin"}


def test_the_job_environment_carries_no_secret():
    assert job_env(DRIVER) == {"HF_HOME": "/cache/hf", "HF_HUB_OFFLINE": "1", "OPENAI_BASE_URL": "https://x/v1",
                               "BABELBENCH_HOME": "/home/bb", "TOKENIZERS_PARALLELISM": "false"}


def test_each_stage_gets_only_the_secrets_it_needs():
    hub = {"HF_TOKEN": "hf_secret", "HUGGING_FACE_HUB_TOKEN": "hf_old"}
    assert stage_secrets("data", DRIVER) == hub
    assert stage_secrets("train", DRIVER) == hub
    assert stage_secrets("eval", DRIVER) == hub   # a served model's key only when its settings name it:
    assert stage_secrets("eval", DRIVER, ("OPENAI_API_KEY",)) == {**hub, "OPENAI_API_KEY": "sk-secret"}
    assert stage_secrets("eval", {**DRIVER, "MY_SERVER_KEY": "k"}, ("MY_SERVER_KEY",)) == {**hub, "MY_SERVER_KEY": "k"}
    assert stage_secrets("select", DRIVER) == {}
    assert stage_secrets("eval", {"HF_HOME": "/x"}, ("OPENAI_API_KEY",)) == {}


def test_an_evaluation_names_the_key_its_backend_sends(tmp_path):
    import textwrap

    from babelbench.evaluate.backends import get_eval_backend
    from babelbench.recipe.loader import load_recipe

    def secrets(openai: str, backend: str = "openai") -> tuple[str, ...]:
        recipe = tmp_path / "r.yaml"
        recipe.write_text(textwrap.dedent(f"""\
            name: r
            base_model: builtin:tiny
            train: {{method: none}}
            eval: {{tasks: [babel_qa_en], backend: {backend}{openai}}}
            """), encoding="utf-8")
        [variant] = load_recipe(recipe)
        return get_eval_backend(variant.eval.backend).secret_names(variant)

    assert secrets(", openai: {base_url: 'http://127.0.0.1:8000/v1', model: m}") == ()
    assert secrets(", openai: {base_url: 'https://api.openai.com/v1', model: m}") == ("OPENAI_API_KEY",)
    assert secrets(", openai: {base_url: 'https://llm.example.org/v1', model: m, api_key_env: MY_SERVER_KEY}") == (
        "MY_SERVER_KEY",)
    assert secrets("", backend="hf") == ()


def test_a_stage_sees_its_secrets_only_while_it_runs(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "driver-value")
    seen: dict[str, str | None] = {}

    def work() -> StageResult:
        seen.update(hf=os.environ.get("HF_TOKEN"), openai=os.environ.get("OPENAI_API_KEY"))
        return StageResult(info={})

    _run_stage(work, 1, {"HF_TOKEN": "hf_secret", "OPENAI_API_KEY": "task-value"})
    assert seen == {"hf": "hf_secret", "openai": "task-value"}
    assert "HF_TOKEN" not in os.environ and os.environ["OPENAI_API_KEY"] == "driver-value"
