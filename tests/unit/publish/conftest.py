"""The publish tests' Hub: the Hub-protocol loopback server, and a real HfApi client pointed at it."""

from __future__ import annotations

import pytest

from tests.unit.publish._hub import TOKEN, Hub, go_online


@pytest.fixture
def hub(monkeypatch):
    go_online(monkeypatch)
    with Hub() as server:
        yield server


@pytest.fixture
def api(hub):
    from huggingface_hub import HfApi

    return HfApi(endpoint=hub.endpoint, token=TOKEN)
