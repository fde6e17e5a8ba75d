"""`harness publish` against loopback Hubs that fail: an HTTP error at each step of a publish (create,
repo info, commit) and an endpoint nobody listens on end with exit 1 and an `error:` line, with
nothing committed; `--private` creates the dataset and model repos private."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from babelbench.cli.app import app
from tests.unit.publish._hub import FaultyHub, Hub, go_online
from tests.unit.publish._store import build_store

REPO = "org/res"
FAULTS = [
    pytest.param(("POST", r"^/api/repos/create$", 401), id="401-create"),
    pytest.param(("GET", r"^/api/datasets/org/res$", 404), id="404-repo-info"),
    pytest.param(("POST", r"^/api/datasets/org/res/commit/", 500), id="500-commit"),
]


@pytest.fixture
def online(monkeypatch):
    go_online(monkeypatch)


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    """A LoRA-trained variant (one step), so `--models` has an adapter to publish."""
    return build_store(tmp_path_factory.mktemp("pubcli"), lora=True)


def _publish(*args, catch=False):
    result = CliRunner().invoke(app, ["publish", *map(str, args)], catch_exceptions=catch)
    return result


@pytest.mark.parametrize("fail", FAULTS)
def test_an_http_error_exits_1_with_an_error_naming_the_status_and_commits_nothing(store, online, fail):
    with FaultyHub(fail) as hub:
        result = _publish("--repo", REPO, "--store", store, "--endpoint", hub.endpoint)
    assert hub.failed, "the fault was never reached"
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and str(fail[2]) in result.stderr.splitlines()[0]
    assert "Traceback" not in result.output and "committed" not in result.stdout
    repo = hub.repos.get(("dataset", REPO))
    assert repo is None or repo.files == {}                      # nothing was published
    assert not [p for m, p, _ in hub.requests if m == "POST" and "/commit/" in p and p not in hub.failed]


@pytest.mark.parametrize("fail", FAULTS)
def test_an_http_error_is_reported_on_one_line(store, online, fail):
    with FaultyHub(fail) as hub:
        result = _publish("--repo", REPO, "--store", store, "--endpoint", hub.endpoint)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # closed again when the block ends: nothing listens there


def test_an_unreachable_endpoint_exits_1_with_one_error_line(store, online):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    result = _publish("--repo", REPO, "--store", store, "--endpoint", endpoint, catch=True)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


def test_private_creates_the_dataset_and_model_repos_private(store, online):
    with Hub() as hub:
        result = _publish("--repo", REPO, "--store", store, "--endpoint", hub.endpoint, "--models", "--private")
        public = _publish("--repo", "org/open", "--store", store, "--endpoint", hub.endpoint, "--models")
    assert result.exit_code == 0 and public.exit_code == 0, result.output + public.output
    assert "org/res-publora: committed" in result.stdout
    assert {(b["type"], f"{b['organization']}/{b['name']}", b.get("visibility")) for b in hub.create_bodies()} == {
        ("dataset", "org/res", "private"), ("model", "org/res-publora", "private"),
        ("dataset", "org/open", "public"), ("model", "org/open-publora", "public")}
    assert hub.repos[("dataset", "org/res")].private is True
    assert hub.repos[("model", "org/res-publora")].private is True
    assert hub.repos[("dataset", "org/open")].private is False
    assert hub.repos[("model", "org/open-publora")].private is False
    assert {"adapter_config.json", "README.md", "manifest.json"} <= set(hub.repos[("model", "org/res-publora")].files)
