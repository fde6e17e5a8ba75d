"""The `openai` eval backend sends a key only where it belongs (the rules of judge keys, core.api_keys): a
server at an arbitrary base_url gets no OPENAI_API_KEY; a key paired with it (``eval.openai.api_key_env``) is
sent; a pairing over plain http to another host is refused before any work. Checked on the wire: lm-eval's
model, built as the eval stage builds it, asks a loopback OpenAI endpoint that records the Authorization
header; lm-eval's stored model arguments name the variable, never hold the key."""

from __future__ import annotations

import json
import textwrap

import pytest
from lm_eval.api.instance import Instance
from lm_eval.api.registry import get_model
from lm_eval.models.api_models import JsonChatStr

from babelbench.evaluate.backends import get_eval_backend
from babelbench.recipe.loader import load_recipe
from tests.support.openai_loopback import HeaderRecordingJudge as HeaderServer

SECRET = "sk-test-secret-0123456789"



def _variant(tmp_path, openai: str):
    recipe = tmp_path / "served.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: served
        base_model: builtin:tiny
        train: {{method: none}}
        eval:
          tasks: [babel_qa_en]
          backend: openai
          openai: {openai}
        """), encoding="utf-8")
    [variant] = load_recipe(recipe)
    return variant


def _ask(variant) -> dict:
    """One chat completion through lm-eval's model for ``variant``, as the eval stage builds it; its args."""
    import importlib

    backend = get_eval_backend("openai")
    assert backend.lm_eval_module
    importlib.import_module(backend.lm_eval_module)
    args = backend.model_args("unused", None, variant)
    model = get_model(backend.lm_eval_model)(**{**args, "max_retries": 0})
    chat = JsonChatStr(json.dumps([{"role": "user", "content": "hi"}]))
    request = Instance("generate_until", {}, (chat, {"until": [], "max_gen_toks": 4}), 0)
    assert model.generate_until([request], disable_tqdm=True) == ["{}"]
    return args


def test_the_provider_key_does_not_go_to_an_arbitrary_server(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with HeaderServer() as server:
        args = _ask(_variant(tmp_path, f"{{base_url: {server.base_url}, model: m}}"))
    assert server.authorization == [None]
    assert SECRET not in json.dumps(args) and "api_key_env" not in args


def test_a_key_paired_with_the_server_is_sent_to_it_and_only_named_in_the_arguments(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-other")
    monkeypatch.setenv("MY_SERVER_KEY", SECRET)
    with HeaderServer() as server:
        args = _ask(_variant(tmp_path, f"{{base_url: {server.base_url}, model: m, api_key_env: MY_SERVER_KEY}}"))
    assert server.authorization == [f"Bearer {SECRET}"]
    assert args["api_key_env"] == "MY_SERVER_KEY" and SECRET not in json.dumps(args)


@pytest.mark.parametrize(("openai", "message"), [
    ("{base_url: 'http://llm.example.org/v1', model: m, api_key_env: K}",
     "would send $K over plain http to llm.example.org: use an https base_url"),
    ("{base_url: 'https://llm.example.org/v1', model: m, api_key_env: UNSET_KEY_FOR_TEST}",
     "the server at https://llm.example.org/v1 needs a key and $UNSET_KEY_FOR_TEST is not set"),
])
def test_a_key_that_cannot_be_sent_safely_is_refused_before_any_work(tmp_path, monkeypatch, openai, message):
    monkeypatch.setenv("K", SECRET)
    monkeypatch.delenv("UNSET_KEY_FOR_TEST", raising=False)
    assert get_eval_backend("openai").recipe_problem(_variant(tmp_path, openai)) == ("eval.openai.api_key_env", message)


def test_plain_lm_eval_gets_lm_evals_own_model_name(tmp_path):
    """`harness model-args` is for plain `lm_eval`, which knows no harness model: lm-eval's own chat model."""
    from babelbench.services.variant_weights import VariantModel

    variant = _variant(tmp_path, "{base_url: 'https://llm.example.org/v1', model: m, api_key_env: MY_SERVER_KEY}")
    weights = VariantModel(name="served", base_path="unused", variant=variant)
    name, args = weights.lm_eval_args("openai")
    assert (name, args["api_key_env"]) == ("babelbench-chat-completions", "MY_SERVER_KEY")
    name, args = weights.lm_eval_args("openai", plain=True)
    assert name == "local-chat-completions" and "api_key_env" not in args and args["model"] == "m"
