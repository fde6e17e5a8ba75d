"""Which key a judge endpoint gets: a provider's key goes only to that provider, another endpoint
gets a key only when paired with it explicitly (``base_url`` + ``api_key_env`` together), never
over plain http to another host; loopback servers need none. Checked on the wire against the
loopback OpenAI endpoint (the Authorization header it receives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from babelbench.judge.backends import Request, environment_problem, make_backend
from babelbench.judge.keys import key_plan
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendConfig, BackendOverride
from tests.support.openai_loopback import HeaderRecordingJudge as HeaderJudge

ROOT = Path(__file__).resolve().parents[3]
SECRET = "sk-test-secret-0123456789"



def _ask(config: BackendConfig) -> None:
    replies: list = []
    make_backend(config).run([Request("k", [{"role": "user", "content": "hi"}], None)], replies.append)
    assert [r.text for r in replies] == ["{}"]


def test_the_provider_key_is_not_sent_to_a_base_url_it_was_not_paired_with(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with HeaderJudge() as server:
        _ask(BackendConfig(model="m", base_url=server.base_url, max_retries=0))
        # the shipped judge names OPENAI_API_KEY; --judge-base-url moves it elsewhere: the key stays home
        judge = load_judge(ROOT / "judges" / "pairwise").with_backend(BackendOverride(base_url=server.base_url))
        assert judge.config.backend.api_key_env is None
        _ask(judge.config.backend.model_copy(update={"max_retries": 0}))
    assert server.authorization == ["Bearer not-needed", "Bearer not-needed"]


def test_a_key_paired_explicitly_with_an_endpoint_is_sent_to_it(monkeypatch):
    monkeypatch.setenv("MY_JUDGE_KEY", SECRET)
    with HeaderJudge() as server:
        _ask(BackendConfig(model="m", base_url=server.base_url, api_key_env="MY_JUDGE_KEY", max_retries=0))
        judge = load_judge(ROOT / "judges" / "pairwise").with_backend(
            BackendOverride(base_url=server.base_url, api_key_env="MY_JUDGE_KEY"))
        _ask(judge.config.backend.model_copy(update={"max_retries": 0}))
    assert server.authorization == [f"Bearer {SECRET}", f"Bearer {SECRET}"]


@pytest.mark.parametrize(("base_url", "env", "expected"), [
    (None, None, ("OPENAI_API_KEY", True, None)),
    (None, "ORG_KEY", ("ORG_KEY", True, None)),
    ("https://api.openai.com/v1", None, ("OPENAI_API_KEY", True, None)),
    ("http://127.0.0.1:8080/v1", None, (None, False, None)),
    ("http://localhost:8080/v1", "K", ("K", False, None)),
    ("http://[::1]:8080/v1", "K", ("K", False, None)),
    ("https://judge.example.org/v1", None, (None, False, None)),
    ("https://judge.example.org/v1", "K", ("K", True, None)),
])
def test_key_plan(base_url, env, expected):
    plan = key_plan(BackendConfig(model="m", base_url=base_url, api_key_env=env))
    assert (plan.env, plan.required, plan.problem) == expected


def test_a_key_over_plain_http_to_another_host_is_refused_before_any_request(monkeypatch):
    monkeypatch.setenv("K", SECRET)
    config = BackendConfig(model="m", base_url="http://judge.example.org/v1", api_key_env="K")
    assert environment_problem(config) == "would send $K over plain http to judge.example.org: use an https base_url"


def test_a_missing_key_is_named_for_the_endpoint_that_needs_it(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("K", raising=False)
    assert environment_problem(BackendConfig(model="gpt")) == "uses gpt on api.openai.com and $OPENAI_API_KEY is not set"
    assert environment_problem(BackendConfig(model="gpt", base_url="https://j.example.org/v1", api_key_env="K")) == (
        "uses gpt on https://j.example.org/v1 and $K is not set")
    assert environment_problem(BackendConfig(model="gpt", base_url="http://127.0.0.1:9/v1")) is None
