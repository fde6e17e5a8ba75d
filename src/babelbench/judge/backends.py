"""Judge backends: an OpenAI-compatible endpoint (async, bounded concurrency, retries) or a
transformers model in this process (batched). Heavy imports happen inside, when used.

Both take a list of :class:`Request` and call ``on_reply`` once per request as its reply
arrives, so the caller can store grades while the rest are still in flight. When ``on_reply``
raises (the grades can no longer be stored), no request is sent after it and ``run`` raises it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.registry import Registry
from .keys import PROVIDER_URL, key_plan
from .schema import BackendConfig


@dataclass(frozen=True)
class Request:
    key: str
    messages: list[dict[str, str]]
    schema: dict[str, Any] | None = None   #: JSON schema of the reply (for structured output)


@dataclass(frozen=True)
class Reply:
    key: str
    text: str | None          #: the judge's reply; None if every attempt failed
    error: str | None = None  #: why no reply came back
    attempts: int = 1
    seconds: float = 0.0


@dataclass
class BackendStats:
    attempts: int = 0          #: requests sent, retries included
    retries: int = 0
    failed: int = 0            #: requests that stayed without a reply
    retry_reasons: dict[str, int] = field(default_factory=dict)


class BackendError(RuntimeError):
    """The backend cannot start (no key for a remote endpoint, model missing)."""


OnReply = Callable[[Reply], None]


class JudgeBackend(Protocol):
    """What a judge backend does: run requests, call ``on_reply`` per reply, return counts."""

    def __init__(self, config: BackendConfig): ...

    def run(self, requests: list[Request], on_reply: OnReply) -> BackendStats: ...

    @staticmethod
    def environment_problem(config: BackendConfig) -> str | None:
        """What the environment lacks for this backend to start (checked before any stage runs)."""
        ...


_BACKENDS: Registry[type[JudgeBackend]] = Registry("judge backend")


def register_backend(name: str):
    """Class decorator: make ``name`` a judge ``backend.type``. A name registered twice is an error."""
    return _BACKENDS.register(name)


def backend_names() -> list[str]:
    return _BACKENDS.names()


def make_backend(config: BackendConfig) -> JudgeBackend:
    return _BACKENDS.get(config.type)(config)


def environment_problem(config: BackendConfig) -> str | None:
    return _BACKENDS.get(config.type).environment_problem(config)


@register_backend("openai")
class OpenAIBackend:
    """Any OpenAI-compatible chat-completions endpoint, through the ``openai`` package."""

    def __init__(self, config: BackendConfig, sleep: Callable[[float], Awaitable[None]] | None = None):
        self.config = config
        self.stats = BackendStats()
        self._sleep = sleep   #: how a retry waits (asyncio.sleep; a test records the delays instead)
        problem = self.environment_problem(config)
        if problem:
            raise BackendError(f"judge model {config.model!r}: {problem}")
        # Only the key paired with this endpoint (judge.keys); the client insists on some key.
        env = key_plan(config).env
        self._api_key = (os.environ.get(env) if env else None) or "not-needed"

    @staticmethod
    def environment_problem(config: BackendConfig) -> str | None:
        plan = key_plan(config)
        if plan.problem:
            return plan.problem
        if plan.required and plan.env and not os.environ.get(plan.env):
            where = "api.openai.com" if config.base_url is None else config.base_url
            return f"uses {config.model} on {where} and ${plan.env} is not set"
        return None

    def run(self, requests: list[Request], on_reply: OnReply) -> BackendStats:
        import asyncio

        if requests:
            asyncio.run(self._run(requests, on_reply))
        return self.stats

    async def _run(self, requests: list[Request], on_reply: OnReply) -> None:
        import asyncio

        from openai import AsyncOpenAI

        cfg = self.config
        # Retries are ours (max_retries=0), so they can be counted and logged; the semaphore
        # bounds concurrency (the client's own pool allows far more connections).
        # The provider's URL spelled out: the client would otherwise follow $OPENAI_BASE_URL.
        async with AsyncOpenAI(api_key=self._api_key, base_url=cfg.base_url or PROVIDER_URL, max_retries=0,
                               timeout=cfg.timeout_s) as client:
            gate = asyncio.Semaphore(cfg.concurrency)
            stopped: list[Exception] = []   # on_reply raised: send nothing more, then raise it

            async def one(request: Request) -> None:
                async with gate:
                    if stopped:
                        return
                    reply = await self._complete(client, request)
                if not stopped:
                    try:
                        on_reply(reply)
                    except Exception as exc:
                        stopped.append(exc)

            await asyncio.gather(*(one(r) for r in requests))
            if stopped:
                raise stopped[0]

    async def _complete(self, client, request: Request) -> Reply:
        import asyncio

        import openai

        cfg = self.config
        kwargs: dict[str, Any] = {"model": cfg.model, "messages": request.messages,
                                  "temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
        if request.schema is not None and cfg.structured_output == "json_schema":
            kwargs["response_format"] = {"type": "json_schema",
                                         "json_schema": {"name": "grade", "schema": request.schema, "strict": True}}
        elif request.schema is not None and cfg.structured_output == "json_object":
            kwargs["response_format"] = {"type": "json_object", "schema": request.schema}
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            self.stats.attempts += 1
            retry_after: float | None = None
            try:
                completion = await client.chat.completions.create(**kwargs)
                text = _content(completion)
                if _finish_reason(completion) == "length":
                    # Cut off: not a verdict and not the judge's fault to be cached as one. At temperature 0 the
                    # same request is cut off again, so it is not retried now; left ungraded, a later run asks again.
                    return self._give_up(request, f"reply cut off at max_tokens={cfg.max_tokens} (finish_reason "
                                         "length); raise judge.backend.max_tokens", attempt, started)
                return Reply(request.key, text, attempts=attempt, seconds=time.perf_counter() - started)
            except openai.APIStatusError as exc:
                if exc.status_code not in (408, 409, 429) and exc.status_code < 500:
                    return self._give_up(request, f"HTTP {exc.status_code}: {_short(exc.message)}", attempt, started)
                reason = f"HTTP {exc.status_code}"
                retry_after = _retry_after(exc.response)
            except openai.APITimeoutError:
                reason = "timeout"
            except openai.APIConnectionError:
                reason = "connection"
            except (ProtocolError, ValueError, openai.APIResponseValidationError) as exc:
                reason = "bad response"
                if attempt > cfg.max_retries:
                    return self._give_up(request, f"bad response: {_short(str(exc))}", attempt, started)
            if attempt > cfg.max_retries:
                return self._give_up(request, f"{reason} after {attempt} attempts", attempt, started)
            self.stats.retries += 1
            self.stats.retry_reasons[reason] = self.stats.retry_reasons.get(reason, 0) + 1
            delay = min(cfg.backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0), BACKOFF_CAP_S)
            if retry_after is not None:
                delay = max(delay, min(retry_after, RETRY_AFTER_CAP_S))
            await (self._sleep or asyncio.sleep)(delay)

    def _give_up(self, request: Request, error: str, attempts: int, started: float) -> Reply:
        self.stats.failed += 1
        return Reply(request.key, None, error=error, attempts=attempts, seconds=time.perf_counter() - started)


class ProtocolError(ValueError):
    """A 200 answer that is not a chat completion."""


def _content(completion: Any) -> str:
    choices = getattr(completion, "choices", None)
    if not choices:
        raise ProtocolError(f"no choices in the answer: {_short(str(completion))}")
    message = getattr(choices[0], "message", None)
    content = getattr(message, "content", None)
    if not isinstance(content, str):
        raise ProtocolError("the answer carries no message content")
    return content


def _finish_reason(completion: Any) -> str | None:
    choices = getattr(completion, "choices", None) or [None]
    return getattr(choices[0], "finish_reason", None)


#: Longest wait between retries of our own backoff.
BACKOFF_CAP_S = 60.0
#: Longest wait a server's ``Retry-After`` gets: a longer one is waited for this long, then retried.
RETRY_AFTER_CAP_S = 300.0


def _retry_after(response: Any, now: float | None = None) -> float | None:
    """Seconds the server's ``Retry-After`` asks for: delay-seconds or an HTTP date (RFC 9110); None if absent
    or unreadable. A date in the past is 0."""
    from email.utils import parsedate_to_datetime

    try:
        value = response.headers.get("retry-after")
    except AttributeError:
        return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(seconds, 0.0) if seconds == seconds else None


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@register_backend("local")
class LocalBackend:
    """A transformers causal LM in this process: greedy, batched by ``concurrency``.

    No constrained decoding: the reply is parsed as strictly as any endpoint's, so a small
    model's unusable replies show up as parse failures, not as grades.
    """

    def __init__(self, config: BackendConfig):
        self.config = config
        self.stats = BackendStats()

    @staticmethod
    def environment_problem(config: BackendConfig) -> str | None:
        return None

    def run(self, requests: list[Request], on_reply: OnReply) -> BackendStats:
        if not requests:
            return self.stats
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from ..models.registry import resolve_base_model

        path = resolve_base_model(self.config.model, None)
        tokenizer = AutoTokenizer.from_pretrained(path)
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        model.eval()
        ends = _end_tokens(model.generation_config.eos_token_id, tokenizer.eos_token_id)
        size = self.config.concurrency
        for start in range(0, len(requests), size):
            batch = requests[start:start + size]
            began = time.perf_counter()
            prompts = [tokenizer.apply_chat_template(r.messages, tokenize=False, add_generation_prompt=True)
                       for r in batch]
            inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=self.config.max_tokens, do_sample=False,
                                     pad_token_id=tokenizer.pad_token_id)
            self.stats.attempts += len(batch)
            seconds = (time.perf_counter() - began) / len(batch)
            for request, row in zip(batch, out):
                on_reply(self._reply(request, row[inputs["input_ids"].shape[1]:].tolist(), ends, tokenizer, seconds))
        return self.stats

    def _reply(self, request: Request, generated: list[int], ends: set[int], tokenizer, seconds: float) -> Reply:
        """The reply, or -- generation stopped by ``max_tokens`` before an end-of-sequence token -- none: like an
        endpoint's ``finish_reason: length``, a cut-off reply is no verdict and is not cached as a parse failure."""
        if len(generated) >= self.config.max_tokens and ends.isdisjoint(generated):
            self.stats.failed += 1
            return Reply(request.key, None, error=f"reply cut off at max_tokens={self.config.max_tokens} (generation "
                         "did not end); raise judge.backend.max_tokens", seconds=seconds)
        return Reply(request.key, tokenizer.decode(generated, skip_special_tokens=True), seconds=seconds)


def _end_tokens(*ids: int | list[int] | None) -> set[int]:
    """The token ids that end a generation (the model's generation config may name several)."""
    out: set[int] = set()
    for item in ids:
        out |= set(item) if isinstance(item, list) else ({item} if item is not None else set())
    return out
