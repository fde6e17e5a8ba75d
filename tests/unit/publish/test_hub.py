"""publish/hub.py: the manifest, the "commit only when something changed" decision (with the real
huggingface_hub client against the loopback Hub), the token check, and model-repo naming."""

from __future__ import annotations

import hashlib
import json

import pytest

from babelbench.publish.hub import MANIFEST, PublishError, manifest, model_repo_name, publish, publish_files


def _commits(hub, repo="org/ds", kind="datasets"):
    return [p for m, p, _ in hub.requests if m == "POST" and p.startswith(f"/api/{kind}/{repo}/commit/")]


FILES = {"data/metrics.parquet": b"PAR1 metrics", "README.md": "---\nlicense: x\n---\n# café\n".encode(),
         "data/a.parquet": b""}


def test_manifest_maps_each_path_to_the_sha256_of_its_bytes_in_path_order():
    got = manifest(FILES)
    assert list(got) == ["README.md", "data/a.parquet", "data/metrics.parquet"]
    assert got == {p: hashlib.sha256(c).hexdigest() for p, c in FILES.items()}
    assert got["data/a.parquet"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"   # sha256 of b""
    # one byte changes one digest and no other
    changed = manifest({**FILES, "data/metrics.parquet": b"PAR1 metricz"})
    assert [p for p in got if got[p] != changed[p]] == ["data/metrics.parquet"]


def test_first_publish_commits_every_file_and_the_manifest_in_one_commit(hub, api):
    done = publish_files(api, "org/ds", FILES, private=False)
    repo = hub.repos[("dataset", "org/ds")]
    assert len(_commits(hub)) == 1
    assert done.commit is not None and done.commit == repo.commits[-1]
    assert done.files == manifest(FILES)
    assert {p: c for p, c in repo.files.items() if p != MANIFEST} == FILES
    assert json.loads(repo.files[MANIFEST]) == manifest(FILES)
    # the commit was made on the revision read at the start: the repo's initial commit
    [(_, _, body)] = [r for r in hub.requests if r[1].startswith("/api/datasets/org/ds/commit/")]
    header = json.loads(body.splitlines()[0])["value"]
    assert header["parentCommit"] == repo.commits[0]


def test_an_unchanged_publish_makes_no_commit_and_a_changed_file_makes_one(hub, api):
    first = publish_files(api, "org/ds", FILES, private=False)
    again = publish_files(api, "org/ds", dict(FILES), private=False)
    assert again.commit is None and again.files == first.files
    assert len(_commits(hub)) == 1
    assert len(hub.repos[("dataset", "org/ds")].commits) == 2   # init + the one commit

    changed = {**FILES, "data/metrics.parquet": b"PAR1 metrics v2"}
    third = publish_files(api, "org/ds", changed, private=False)
    repo = hub.repos[("dataset", "org/ds")]
    assert third.commit == repo.commits[-1] != first.commit
    assert len(_commits(hub)) == 2
    assert json.loads(repo.files[MANIFEST]) == manifest(changed)
    assert repo.files["data/metrics.parquet"] == b"PAR1 metrics v2"


def test_a_repo_without_a_manifest_is_committed_to(hub, api):
    # someone created the repo and pushed a file, but no manifest: the EntryNotFound path
    publish_files(api, "org/ds", {"x.txt": b"x"}, private=False)
    repo = hub.repos[("dataset", "org/ds")]
    del repo.files[MANIFEST]
    before = len(_commits(hub))
    done = publish_files(api, "org/ds", {"x.txt": b"x"}, private=False)
    assert done.commit is not None and len(_commits(hub)) == before + 1
    assert json.loads(repo.files[MANIFEST]) == manifest({"x.txt": b"x"})


def test_a_remote_manifest_that_differs_only_in_one_digest_is_not_taken_as_unchanged(hub, api):
    publish_files(api, "org/ds", FILES, private=False)
    forged = {**manifest(FILES), "README.md": "0" * 64}
    hub.commit_directly("dataset", "org/ds", {MANIFEST: json.dumps(forged).encode()})
    done = publish_files(api, "org/ds", FILES, private=False)
    assert done.commit is not None
    assert json.loads(hub.repos[("dataset", "org/ds")].files[MANIFEST]) == manifest(FILES)


def test_model_repos_are_created_with_the_model_type_and_the_visibility_asked_for(hub, api):
    publish_files(api, "org/m-a", {"adapter_config.json": b"{}"}, private=True, repo_type="model",
                  message="babelbench adapter")
    publish_files(api, "org/ds", FILES, private=False)
    assert [(b["type"], b["name"], b.get("visibility")) for b in hub.create_bodies()] == [
        ("model", "m-a", "private"), ("dataset", "ds", "public")]
    repo = hub.repos[("model", "org/m-a")]
    assert repo.private is True and set(repo.files) == {"adapter_config.json", MANIFEST}
    assert hub.repos[("dataset", "org/ds")].private is False
    assert ("dataset", "org/m-a") not in hub.repos


def test_publishing_without_a_token_fails_before_any_request(hub, monkeypatch, tmp_path):
    import huggingface_hub

    from babelbench.store import Store

    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    store = tmp_path / "empty.duckdb"
    with Store(store).write():
        pass
    with pytest.raises(PublishError, match=r"no Hub token: set HF_TOKEN or log in"):
        publish(store, "org/ds", endpoint=hub.endpoint, echo=lambda *_: None)
    assert hub.requests == []


@pytest.mark.parametrize(("variant", "expected"), [
    ("pub@a", "org/results-pub-a"),
    ("demo@en-only", "org/results-demo-en-only"),
    ("demo@plug,lr=0.0001", "org/results-demo-plug-lr-0.0001"),
    ("Demo@Mixed,r=8", "org/results-demo-mixed-r-8"),                 # the slug is lower-cased
    ("demo@mix={en:0.5,zh:0.5}", "org/results-demo-mix-en-0.5-zh-0.5"),  # a dict value, runs of odd chars -> one '-'
    ("plain", "org/results-plain"),                                  # no variant suffix
    ("x@y ", "org/results-x-y"),                                     # separators at the ends are dropped
    ("a_b.c@d", "org/results-a_b.c-d"),                              # '_' and '.' are kept
])
def test_model_repo_name_is_the_dataset_repo_and_the_variant_slug(variant, expected):
    assert model_repo_name("org/results", variant) == expected


@pytest.mark.parametrize("variant", ["pub@a", "demo@en-only,lr=0.0001", "plug-zh@plug,lr=1e-05,max_steps=200",
                                     "demo@mix={en:0.5,zh:0.5}", "Demo@Mixed,r=8"])
def test_model_repo_names_of_ordinary_variants_are_valid_hub_repo_ids(variant):
    from huggingface_hub.utils import validate_repo_id

    validate_repo_id(model_repo_name("my-org/babelbench-results", variant))   # raises if the Hub would refuse it


@pytest.mark.parametrize("variant", ["demo@base_model=../m1", "exp-@a"])
def test_model_repo_names_never_hold_sequences_the_hub_refuses(variant):
    from huggingface_hub.utils import validate_repo_id

    validate_repo_id(model_repo_name("org/results", variant))
