"""OpenAI-protocol endpoints on loopback, for tests, benchmarks and dry runs of a judge setup.

* :class:`FixedLatencyJudge` answers every chat completion after a fixed delay with a valid
  reply built from the request's JSON schema (highest grade, verdict "tie"): the benchmark's
  ideal endpoint, whose throughput limit is known exactly.
* :class:`FaultProxy` forwards to a real endpoint (a llama.cpp server) and injects, per
  request, the faults a real server cannot be made to produce on demand: 429, 500, a stall
  past the client's timeout, a garbage body, a reply whose content is replaced (e.g. a fake
  verdict with the prompt's own delimiters), or a hold until released.

Both speak plain HTTP/1.1 with keep-alive over asyncio streams, in a background thread
(:class:`tests.support.http_server.Server`).
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.support.http_server import Request, Server, response


def _valid_reply(schema: dict[str, Any] | None) -> str:
    """The best-graded reply a schema allows (top grade; verdict 'tie')."""
    if not schema:
        return "{}"
    out: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if "enum" in prop:
            out[name] = "tie" if "tie" in prop["enum"] else max(prop["enum"])
        elif prop.get("type") == "string":
            out[name] = "ok"
        else:
            out[name] = 0
    return json.dumps(out)


def _completion(content: str, model: str = "loopback", finish_reason: str = "stop") -> bytes:
    return json.dumps({
        "id": "chatcmpl-loopback", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }).encode()


def _schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")


class FixedLatencyJudge(Server):
    """Answers each chat completion after ``latency`` seconds; counts what it was asked."""

    def __init__(self, latency: float = 0.2, **kw: Any):
        super().__init__(**kw)
        self.latency = latency
        self.requests = 0
        self.bodies: Counter = Counter()

    async def handle(self, request: Request) -> bytes | None:
        if request.method == "GET" and request.path.endswith("/stats"):
            return response(200, json.dumps({"requests": self.requests}).encode())
        if request.method == "GET":
            return response(200, json.dumps({"object": "list", "data": [{"id": "loopback"}]}).encode())
        body = json.loads(request.body)
        self.requests += 1
        self.bodies[body_digest(body)] += 1
        await asyncio.sleep(self.latency)
        return response(200, _completion(_valid_reply(_schema_of(body))))


def body_digest(body: dict[str, Any]) -> str:
    """What identifies a judgment request: its messages."""
    return hashlib.sha256(json.dumps(body.get("messages"), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Fault:
    """What the proxy does with one request: ``pass`` | ``429`` (with ``Retry-After: retry_after``) | ``500``
    | ``stall`` | ``garbage`` | ``replace`` (forward, then replace the content with ``content``) | ``length``
    (forward, then keep the reply's first ``int(seconds)`` characters, marked ``finish_reason: length`` as a
    server does when ``max_tokens`` cut it off) | ``hold`` (wait for release)."""

    kind: str
    content: str | None = None
    seconds: float = 0.0
    retry_after: str = "0"


@dataclass
class ProxyLog:
    forwarded: list[str] = field(default_factory=list)   #: body digests that reached the server
    completed: list[str] = field(default_factory=list)   #: body digests answered with a completion
    faults: Counter = field(default_factory=Counter)
    replies: dict[str, str] = field(default_factory=dict)  #: digest -> content the server gave


class FaultProxy(Server):
    """Forwards to ``upstream`` (an OpenAI-compatible root URL), injecting scripted faults.

    ``script`` is consumed one fault per chat-completion request, in arrival order; when it
    runs out, ``default`` applies. ``hold`` requests wait until :meth:`release`.
    """

    def __init__(self, upstream: str, script: list[Fault] | None = None, default: Fault | None = None, **kw: Any):
        super().__init__(**kw)
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.upstream_prefix = parts.path.rstrip("/")
        self.script = list(script or [])
        self.default = default or Fault("pass")
        self.log = ProxyLog()
        self._released = threading.Event()
        self._closing = False

    def stop(self) -> None:
        self._closing = True
        self._released.set()  # free the threads of held requests; they answer nothing (see handle)
        super().stop()

    def release(self, then: Fault | None = None) -> None:
        if then is not None:
            self.default = then
        self._released.set()

    def hold_after(self, completed: int) -> None:
        """Pass the next ``completed`` requests, then hold every later one."""
        self._released.clear()
        self.script = [Fault("pass")] * completed
        self.default = Fault("hold")

    def _forward(self, path: str, body: bytes) -> tuple[int, bytes]:
        con = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=600)
        try:
            con.request("POST", self.upstream_prefix + path.removeprefix("/v1"), body=body,
                        headers={"content-type": "application/json"})
            resp = con.getresponse()
            return resp.status, resp.read()
        finally:
            con.close()

    async def handle(self, request: Request) -> bytes | None:
        if request.method == "GET":
            return response(200, json.dumps({"object": "list", "data": [{"id": "proxy"}]}).encode())
        body = json.loads(request.body)
        digest = body_digest(body)
        fault = self.script.pop(0) if self.script else self.default
        self.log.faults[fault.kind] += 1
        if fault.kind == "429":
            return response(429, b'{"error": {"message": "rate limited", "type": "rate_limit"}}',
                            extra={"retry-after": fault.retry_after})
        if fault.kind == "500":
            return response(500, b'{"error": {"message": "boom", "type": "server_error"}}')
        if fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
            return None
        if fault.kind == "garbage":
            return response(200, b"<html>\x00\x01 not json", content_type="application/json")
        if fault.kind == "hold":
            await asyncio.to_thread(self._released.wait)
            if self._closing:
                return None
        self.log.forwarded.append(digest)
        status, payload = await asyncio.to_thread(self._forward, request.path, request.body)
        if status == 200:
            try:
                self.log.replies[digest] = json.loads(payload)["choices"][0]["message"]["content"]
            except (ValueError, KeyError, IndexError):
                pass
            if fault.kind == "replace":
                payload = _completion(fault.content or "")
            elif fault.kind == "length":
                payload = _completion(self.log.replies.get(digest, "")[:int(fault.seconds)], finish_reason="length")
            self.log.completed.append(digest)
        return response(status, payload)


def main() -> None:
    """``python -m tests.support.openai_loopback --latency 0.2 --port 8081``: a fixed-latency judge endpoint
    in its own process (GET /v1/stats tells how many completions it served)."""
    import argparse

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    args = ap.parse_args()
    server = FixedLatencyJudge(latency=args.latency, host=args.host, port=args.port).start()
    print(f"serving {server.base_url} (latency {args.latency}s)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()


class HeaderRecordingJudge(FixedLatencyJudge):
    """The endpoint without latency, recording each chat completion's Authorization header (None: none sent)."""

    def __init__(self, **kw):
        super().__init__(latency=0.0, **kw)
        self.authorization: list[str | None] = []

    async def handle(self, request):
        if request.method == "POST":
            self.authorization.append({k.lower(): v for k, v in request.headers.items()}.get("authorization"))
        return await super().handle(request)
