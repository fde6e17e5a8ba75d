"""The OpenAI judge backend's retry semantics and request bodies, against the loopback fault proxy
in front of a fixed-latency endpoint: a 400/401/404 is given up at once (one attempt) and stays
ungraded with its status; 5xx and 429 are retried; `Retry-After` (seconds or an HTTP date) is waited
for, up to its cap (the backend's sleep is injected: the tests assert the delays it asked for, not
the clock); a reply cut off at `max_tokens` stays ungraded, not cached; and each `structured_output`
mode sends exactly its `response_format`."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from rich.console import Console

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.judge import grading
from babelbench.judge.backends import RETRY_AFTER_CAP_S, OpenAIBackend, Request
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendConfig, BackendOverride
from babelbench.pipeline.judge_stage import judge_target
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store
from tests.support.http_server import Request as HttpRequest
from tests.support.http_server import response
from tests.support.openai_loopback import Fault, FaultProxy, FixedLatencyJudge
from tests.support.stored_eval import add_evaluated_variant

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = {"type": "object", "properties": {"verdict": {"type": "string", "enum": ["A", "B", "tie"]}},
          "required": ["verdict"], "additionalProperties": False}


class RecordingProxy(FaultProxy):
    """The fault proxy, plus: every chat completion's arrival time and body, and the faults
    ``Fault("http", seconds=STATUS)`` (that status, nothing forwarded) and
    ``Fault("429", content=SECONDS)`` (a 429 with ``Retry-After: SECONDS``)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.arrivals: list[tuple[float, dict]] = []

    async def handle(self, request: HttpRequest) -> bytes | None:
        if request.method != "POST":
            return await super().handle(request)
        self.arrivals.append((time.monotonic(), json.loads(request.body)))
        fault = self.script[0] if self.script else self.default
        if fault.kind == "http" or (fault.kind == "429" and fault.content is not None):
            if self.script:
                self.script.pop(0)
            status = int(fault.seconds) if fault.kind == "http" else 429
            self.log.faults[str(status)] += 1
            extra = {"retry-after": fault.content} if fault.kind == "429" else None
            return response(status, json.dumps({"error": {"message": f"injected {status}", "type": "x"}}).encode(),
                            extra=extra)
        return await super().handle(request)


@pytest.fixture
def endpoint():
    with FixedLatencyJudge(latency=0.0) as server:
        yield server


def _config(proxy, **kw) -> BackendConfig:
    return BackendConfig(**{"model": "judge-m", "base_url": proxy.base_url, "concurrency": 1, "max_retries": 3,
                            "backoff_s": 0.01, "timeout_s": 10.0, "max_tokens": 50, **kw})


def _run(config: BackendConfig, requests: list[Request]):
    """(replies, stats, the delays the backend slept for between attempts: recorded, not slept)."""
    replies: list = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    stats = OpenAIBackend(config, sleep=sleep).run(requests, replies.append)
    return replies, stats, sleeps


ASK = Request("k1", [{"role": "user", "content": "Which is better?"}], SCHEMA)


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_client_error_is_not_retried(endpoint, status):
    with RecordingProxy(endpoint.base_url, [Fault("http", seconds=status)]) as proxy:
        [reply], stats, _ = _run(_config(proxy), [ASK])
    assert len(proxy.arrivals) == 1 and endpoint.requests == 0
    assert reply.text is None and reply.attempts == 1
    assert reply.error.startswith(f"HTTP {status}: ") and f"injected {status}" in reply.error
    assert (stats.attempts, stats.retries, stats.failed) == (1, 0, 1)


@pytest.mark.parametrize("fault", [Fault("500"), Fault("429"), Fault("http", seconds=503), Fault("http", seconds=408)])
def test_server_errors_and_rate_limits_are_retried(endpoint, fault):
    with RecordingProxy(endpoint.base_url, [fault, fault]) as proxy:
        [reply], stats, _ = _run(_config(proxy), [ASK])
    assert len(proxy.arrivals) == 3 and endpoint.requests == 1
    assert reply.text == json.dumps({"verdict": "tie"}) and reply.error is None and reply.attempts == 3
    assert (stats.attempts, stats.retries, stats.failed) == (3, 2, 0)
    assert sum(stats.retry_reasons.values()) == 2


def test_retries_stop_after_max_retries(endpoint):
    with RecordingProxy(endpoint.base_url, default=Fault("500")) as proxy:
        [reply], stats, _ = _run(_config(proxy, max_retries=2), [ASK])
    assert len(proxy.arrivals) == 3 and endpoint.requests == 0
    assert reply.text is None and reply.error == "HTTP 500 after 3 attempts"
    assert (stats.attempts, stats.retries, stats.failed) == (3, 2, 1)


@pytest.mark.parametrize(("header", "expected"), [("1", 1.0), ("90", 90.0), ("299.5", 299.5),
                                                  ("3600", RETRY_AFTER_CAP_S)])
def test_retry_after_in_seconds_is_waited_for_up_to_the_cap(endpoint, header, expected):
    with RecordingProxy(endpoint.base_url, [Fault("429", retry_after=header)]) as proxy:
        [reply], stats, sleeps = _run(_config(proxy), [ASK])
    assert reply.text is not None and stats.retries == 1 and len(proxy.arrivals) == 2
    assert sleeps == [expected]
    assert RETRY_AFTER_CAP_S == 300.0


def test_retry_after_as_an_http_date_is_waited_for(endpoint):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120), usegmt=True)
    with RecordingProxy(endpoint.base_url, [Fault("429", retry_after=when)]) as proxy:
        [reply], _, [slept] = _run(_config(proxy), [ASK])
    assert reply.text is not None and len(proxy.arrivals) == 2
    assert 110.0 < slept <= 120.0          # the date, less the moments since it was written


@pytest.mark.parametrize("header", ["0", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"])
def test_without_a_wait_to_honour_the_retry_comes_after_the_backoff_alone(endpoint, header):
    with RecordingProxy(endpoint.base_url, [Fault("429", retry_after=header)]) as proxy:
        [reply], _, [slept] = _run(_config(proxy, backoff_s=0.01), [ASK])
    assert reply.text is not None and len(proxy.arrivals) == 2
    assert 0.005 <= slept <= 0.01          # backoff_s x jitter in [0.5, 1]


@pytest.mark.parametrize(("mode", "expected"), [
    ("json_schema", {"type": "json_schema", "json_schema": {"name": "grade", "schema": SCHEMA, "strict": True}}),
    ("json_object", {"type": "json_object", "schema": SCHEMA}),
    ("none", None),
])
def test_structured_output_sends_exactly_its_response_format(endpoint, mode, expected):
    plain = Request("k2", [{"role": "user", "content": "No schema."}], None)
    with RecordingProxy(endpoint.base_url) as proxy:
        replies, _, _ = _run(_config(proxy, structured_output=mode), [ASK, plain])
    assert [r.text is not None for r in replies] == [True, True]
    by_content = {b["messages"][0]["content"]: b for _, b in proxy.arrivals}
    sent = by_content["Which is better?"]
    assert sent.get("response_format") == expected
    assert "response_format" not in by_content["No schema."]        # no schema: no response_format in any mode
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("judge-m", 0.0, 50)
    assert sent["messages"] == ASK.messages


# -- through the judge stage: a client error leaves the judgment ungraded, with its status recorded --------

def _store_with_answers(tmp_path) -> tuple[Store, grading.Target]:
    store = Store(tmp_path / "results.duckdb")
    doc = {"id": "x01", "language": "en", "expected_language": None, "instruction": "Name a bakery."}
    sample = SampleRecord(task="xalpaca_en", doc_id=0, language="en", prompt="<p>", raw_response="Sunrise Bakery.",
                          kept_response="Sunrise Bakery.", kept_filter="none", pivot_status=None, target="", doc=doc)
    with store.write() as con:
        add_evaluated_variant(con, "v-a", "a", "e-a", EvalRows([], [sample]))
    return store, grading.Target("v-a", "a", "e-a", False)


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_client_error_is_stored_as_ungraded_with_its_status(endpoint, tmp_path, status):
    store, target = _store_with_answers(tmp_path)
    with RecordingProxy(endpoint.base_url, default=Fault("http", seconds=status)) as proxy:
        judge = load_judge(ROOT / "judges" / "rubric-6facet").with_backend(
            BackendOverride(base_url=proxy.base_url, model="m", concurrency=1, max_retries=3, backoff_s=0.01))
        summary = RunSummary()
        outcome = judge_target(store, judge, target, ["*"], Lifecycle(store, summary, Console(quiet=True)))
    assert len(proxy.arrivals) == 1                       # one attempt, no retry
    assert (outcome.sent, outcome.ungraded, outcome.attempts, outcome.retries) == (1, 1, 1, 0)
    with store.read() as con:
        [(run_status, error, info)] = con.execute(
            "SELECT status, error, info FROM stage_runs WHERE kind = 'judge'").fetchall()
        judgments = con.execute("SELECT count(*) FROM judgments").fetchone()[0]
    assert run_status == "failed"
    assert error.startswith(f"1 judgment(s) stayed ungraded: HTTP {status}: ")
    info = json.loads(info)
    assert (info["ungraded"], info["attempts"], info["retries"]) == (1, 1, 0)
    assert [e.split(":")[0] for e in info["errors"]] == [f"HTTP {status}"]
    assert judgments == 0                                   # nothing stored as a grade: the next run asks again
    assert summary.failures == [f"a: judge rubric-6facet: {error} (re-run to retry them)"]


def test_a_reply_cut_off_at_max_tokens_stays_ungraded_and_is_asked_again(endpoint, tmp_path):
    store, target = _store_with_answers(tmp_path)
    with RecordingProxy(endpoint.base_url, default=Fault("length", seconds=12)) as proxy:
        judge = load_judge(ROOT / "judges" / "rubric-6facet").with_backend(
            BackendOverride(base_url=proxy.base_url, model="m", concurrency=1, max_retries=3, backoff_s=0.01))
        outcome = judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
        assert len(proxy.arrivals) == 1                   # the same request would be cut off again: no retry
        assert (outcome.sent, outcome.ungraded) == (1, 1)
        assert outcome.errors == [f"reply cut off at max_tokens={judge.config.backend.max_tokens} "
                                  "(finish_reason length); raise judge.backend.max_tokens"]
        with store.read() as con:
            assert con.execute("SELECT count(*) FROM judgments").fetchone()[0] == 0   # no parse failure cached
        proxy.release(Fault("pass"))
        again = judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
    assert (again.sent, again.ungraded) == (1, 0)
    with store.read() as con:
        assert con.execute("SELECT status FROM judgments").fetchall() == [("ok",)]
