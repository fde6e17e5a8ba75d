"""`harness publish --private` never publishes into a repo that exists and is public: it is refused
before anything is uploaded, naming the repos; a private or new repo is published to as asked.
Against the loopback Hub with the real huggingface_hub client."""

from __future__ import annotations

import pytest

from babelbench.publish.hub import PublishError, publish, publish_files
from tests.unit.publish._lora_store import lora_store


def _commits(hub) -> list[str]:
    return [p for m, p, _ in hub.requests if m == "POST" and "/commit/" in p]


def test_private_into_an_existing_public_repo_is_refused(hub, api):
    publish_files(api, "org/ds", {"a.txt": b"public"}, private=False)
    before = len(_commits(hub))
    with pytest.raises(PublishError) as caught:
        publish_files(api, "org/ds", {"a.txt": b"meant to be private"}, private=True)
    assert str(caught.value) == (
        "--private, but dataset org/ds already exists and is public: publishing would make these files public. "
        "Nothing was published. Make the repo private on the Hub first, or publish without --private.")
    assert len(_commits(hub)) == before and hub.repos[("dataset", "org/ds")].files["a.txt"] == b"public"


def test_a_public_model_repo_stops_the_whole_publish_before_any_upload(hub, api, tmp_path):
    store = lora_store(tmp_path, selected=None)
    publish_files(api, "org/res-pub-a", {"adapter_config.json": b"{}"}, private=False, repo_type="model")
    before = list(hub.requests)
    with pytest.raises(PublishError, match=r"--private, but model org/res-pub-a already exists and is public"):
        publish(store, "org/res", models=True, private=True, endpoint=hub.endpoint, echo=lambda *_: None)
    assert ("dataset", "org/res") not in hub.repos                       # the dataset was not created either
    assert [r for r in hub.requests[len(before):] if r[0] == "POST"] == []


def test_private_into_a_new_or_private_repo_is_published(hub, api):
    publish_files(api, "org/ds", {"a.txt": b"one"}, private=True)
    publish_files(api, "org/ds", {"a.txt": b"two"}, private=True)
    repo = hub.repos[("dataset", "org/ds")]
    assert repo.private is True and repo.files["a.txt"] == b"two"
