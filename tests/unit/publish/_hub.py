"""Loopback Hubs for the publishing tests, built on tests/support/hub_loopback.py.

* :class:`Hub` adds :meth:`Hub.create_bodies`, the repo-create requests it was sent.
* :class:`FaultyHub` answers the first request matching (method, path regex) with an HTTP error.
"""

from __future__ import annotations

import json
import re

from tests.support.http_server import Request, response
from tests.support.hub_loopback import LoopbackHub

TOKEN = "hf_babelbenchUNITtoken0123456789"


class Hub(LoopbackHub):
    def create_bodies(self) -> list[dict]:
        return [json.loads(body) for method, path, body in self.requests if (method, path) == ("POST", "/api/repos/create")]


class FaultyHub(Hub):
    """``fail = (method, path regex, status)``: that request gets ``status`` (once; later ones pass)."""

    def __init__(self, fail: tuple[str, str, int], **kw):
        super().__init__(**kw)
        self.fail = fail
        self.failed: list[str] = []

    async def handle(self, request: Request) -> bytes | None:
        method, pattern, status = self.fail
        if not self.failed and request.method == method and re.search(pattern, request.path):
            self.requests.append((request.method, request.path, request.body))
            self.failed.append(request.path)
            return response(status, json.dumps({"error": f"injected {status}"}).encode(),
                            extra={"x-error-message": f"injected {status}"})
        return await super().handle(request)


def go_online(monkeypatch) -> None:
    """Let the Hub client reach loopback endpoints (the tests run offline otherwise); set HF_TOKEN."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
