"""`harness publish` with the real huggingface_hub client against a Hub-protocol server on
loopback: files arrive in one commit, the card parses, an unchanged store makes no commit, a
concurrent commit is detected, adapters get model cards with model-index, the Parquet reads
back in DuckDB through HfFileSystem, and the token appears nowhere it was written or sent."""

from __future__ import annotations

import json
import textwrap

import duckdb
import pytest
import yaml

from tests.conftest import SAMPLES
from tests.integration._harness import harness, query
from tests.support.hub_loopback import LoopbackHub

TOKEN = "hf_babelbenchTESTtoken0123456789abcdef"
RECIPE = """
    name: pub
    base_model: builtin:tiny
    data:
      sources: [{path: %s/instructions.en.jsonl, language: en}, {path: %s/instructions.zh.jsonl, language: zh}]
      mix: {en: 0.5, zh: 0.5}
      size: 8
    train: {method: lora, lora: {r: 2, alpha: 4}, max_steps: 1, batch_size: 4, max_length: 64}
    eval: {tasks: [xquad_gen_en, xquad_gen_zh], limit: 2, gen_kwargs: {max_gen_toks: 6}}
    judges: [language-id]
    variants: {a: {}, b: {train.lr: 1.0e-3}}
"""


@pytest.fixture(scope="module")
def store(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("publish")
    (folder / "recipe.yaml").write_text(textwrap.dedent(RECIPE % (SAMPLES, SAMPLES)).lstrip())
    path = folder / "r.duckdb"
    code, out = harness("run", folder / "recipe.yaml", "--store", path)
    assert code == 0, out
    return path


@pytest.fixture
def hub(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    # the tests run offline; the loopback Hub is the one endpoint these tests let the client reach
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    with LoopbackHub() as server:
        yield server


def _commits(hub, repo_type="datasets", repo="org/results"):
    return [p for m, p, _ in hub.requests if m == "POST" and p.startswith(f"/api/{repo_type}/{repo}/commit/")]


def test_publish_commits_once_card_parses_parquet_reads_back_and_unchanged_makes_no_commit(store, hub, tmp_path):
    code, out = harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint)
    assert code == 0, out
    repo = hub.repos[("dataset", "org/results")]
    assert sorted(repo.files) == ["README.md", "data/judgments.parquet", "data/leaderboard.parquet",
                                  "data/metrics.parquet", "data/recipes.parquet", "manifest.json"]
    assert len(_commits(hub)) == 1
    # what a user of the Hub client sees: the tree listing and a file download
    from huggingface_hub import HfApi

    api = HfApi(endpoint=hub.endpoint, token=TOKEN)
    listed = {e.path for e in api.list_repo_tree("org/results", repo_type="dataset", recursive=True)}
    assert {"README.md", "data/metrics.parquet", "manifest.json"} <= listed
    card_path = api.hf_hub_download("org/results", "README.md", repo_type="dataset", cache_dir=str(tmp_path))
    assert open(card_path, encoding="utf-8").read().encode() == repo.files["README.md"]
    header = yaml.safe_load(repo.files["README.md"].decode().split("---")[1])
    assert {c["config_name"]: c["data_files"] for c in header["configs"]}["metrics"] == "data/metrics.parquet"
    # the pushed Parquet, read by DuckDB through HfFileSystem pointed at the same server
    from babelbench.publish.read import hub_filesystem

    con = duckdb.connect()
    con.register_filesystem(hub_filesystem(endpoint=hub.endpoint, token=TOKEN))
    pushed = con.execute("SELECT variant, task, metric, value FROM read_parquet("
                         "'hf://datasets/org/results/data/metrics.parquet') ORDER BY ALL").fetchall()
    report = json.loads(harness("report", "--store", store, "--format", "json")[1])
    assert len(pushed) == len(report)
    assert sorted((r["variant"], r["task"], r["metric"]) for r in report) == [p[:3] for p in pushed]
    # publishing the unchanged store: no commit
    code, out = harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint)
    assert code == 0 and "unchanged, no commit" in out
    assert len(_commits(hub)) == 1


def test_a_concurrent_commit_is_detected_and_nothing_is_overwritten(store, hub):
    harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint, "--variants", "pub@a")
    hub.on_preupload = lambda repo: hub.commit_directly("dataset", "org/results", {"README.md": b"someone else"})
    code, out = harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint)
    assert code == 1 and "changed while publishing" in out and "nothing was overwritten" in out
    assert hub.repos[("dataset", "org/results")].files["README.md"] == b"someone else"


def test_models_get_adapters_and_model_index_cards(store, hub):
    code, out = harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint, "--models")
    assert code == 0, out
    model = hub.repos[("model", "org/results-pub-a")]
    assert {"adapter_config.json", "adapter_model.safetensors", "README.md"} <= set(model.files)
    meta = yaml.safe_load(model.files["README.md"].decode().split("---")[1])
    [index] = meta["model-index"]
    results = {(r["dataset"]["name"], m["type"]): m["value"] for r in index["results"] for m in r["metrics"]}
    [(f1,)] = query(store, """SELECT m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key
        AND s.kind = 'eval' JOIN variants v USING (variant_id)
        WHERE v.name = 'pub@a' AND m.task = 'xquad_gen_zh' AND m.metric = 'f1' AND m.filter = 'none'""")
    assert results[("xquad_gen_zh", "f1")] == pytest.approx(f1), sorted(results)
    assert "name: pub" in model.files["README.md"].decode()     # the recipe, as YAML
    assert len(_commits(hub, "models", "org/results-pub-a")) == 1


def test_dry_run_sends_nothing(store, hub):
    code, out = harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint, "--dry-run")
    assert code == 0 and "dry run: nothing is sent" in out and "data/metrics.parquet" in out and "configs:" in out
    assert hub.requests == []


def test_the_token_is_nowhere_in_what_was_written_or_sent(store, hub, tmp_path):
    outputs = [harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint,
                       "--models", "--with-samples")[1],
               harness("publish", "--repo", "org/results", "--store", store, "--dry-run")[1],
               harness("export", tmp_path / "export", "--store", store)[1]]
    needle = TOKEN.encode()
    sent = [body for _, _, body in hub.requests] + [path.encode() for _, path, _ in hub.requests]
    stored = [content for repo in hub.repos.values() for content in repo.files.values()]
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()] + [store.read_bytes()]
    assert sum(chunk.count(needle) for chunk in sent + stored + written) == 0
    assert not any(TOKEN in text for text in outputs)
    assert len(sent) > 10 and len(stored) > 10   # the scan covered real traffic
