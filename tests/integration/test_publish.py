"""`harness publish` with the real huggingface_hub client against a Hub-protocol server on
loopback: files arrive in one commit, the card parses, an unchanged store makes no commit, a
concurrent commit is detected, adapters get model cards with model-index, the Parquet reads
back in DuckDB through HfFileSystem, and the token appears nowhere it was written or sent (every
table decoded, every file under BABELBENCH_HOME read; a control proves the scan finds a planted token)."""

from __future__ import annotations

import json
import textwrap

import duckdb
import pytest
import yaml

from tests.conftest import SAMPLES
from tests.integration._harness import harness, query
from tests.support.hub_loopback import LoopbackHub
from tests.support.secret_scan import SecretScan

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


TABLES = ["judgments", "leaderboard", "metrics", "recipes", "samples"]


def _scan_everything(scan: SecretScan, outputs: list[str], hub, folders: list, store) -> dict[str, int]:
    """Feed the scanner every place the token could have leaked to; return how many files each folder held."""
    for i, text in enumerate(outputs):
        scan.text(text, f"CLI output #{i}")
    for method, path, body in hub.requests:
        scan.text(path, f"request path {method} {path}")
        scan.data(body, f"request body {method} {path}")
    for (kind, name), repo in hub.repos.items():
        for file, content in repo.files.items():
            scan.data(content, f"hub {kind} {name}/{file}")
    scan.file(store)
    return {str(folder): scan.tree(folder) for folder in folders}


def test_the_token_is_nowhere_in_what_was_written_or_sent(store, hub, tmp_path, babelbench_home):
    export = tmp_path / "export"
    outputs = [harness("publish", "--repo", "org/results", "--store", store, "--endpoint", hub.endpoint,
                       "--models", "--with-samples"),
               harness("publish", "--repo", "org/results", "--store", store, "--dry-run"),
               harness("export", export / "hf", "--store", store, "--with-samples"),
               harness("export", export / "lm-eval", "--store", store, "--format", "lm-eval"),
               harness("export", export / "eee", "--store", store, "--format", "eee")]
    assert [code for code, _ in outputs] == [0] * 5, [text[-1500:] for _, text in outputs]
    scan = SecretScan(TOKEN)
    counts = _scan_everything(scan, [text for _, text in outputs], hub, [tmp_path, babelbench_home], store)
    assert scan.hits == []
    # the scan covered real traffic and decoded every table that was published or exported:
    assert len(hub.requests) > 10 and len(hub.repos[("dataset", "org/results")].files) > 5
    for table in TABLES:
        file = f"data/{table}.parquet"
        assert f"hub dataset org/results/{file}" in scan.parquet_files, table             # what the Hub holds
        assert any(w.startswith("request body POST /api/datasets/org/results/commit/") and
                   w.endswith(f"> base64 {file}") for w in scan.parquet_files), table   # what was sent
        assert str(export / "hf" / file) in scan.parquet_files, table                     # what was exported
    assert scan.decoded["parquet_cells"] > 100
    # every table of the store, every cell
    stored_tables = {t for (t,) in query(store, "SELECT table_name FROM information_schema.tables "
                                                "WHERE table_type = 'BASE TABLE'")}
    assert {t.split(" :: main.")[1] for t in scan.tables if t.startswith(f"{store} ::")} == stored_tables
    assert {"stage_runs", "variants", "samples", "judgments"} <= stored_tables
    assert scan.decoded["duckdb_cells"] > 100
    # BABELBENCH_HOME (models, artifacts, HF_HOME) and the export folders were walked
    assert counts[str(babelbench_home)] > 10 and counts[str(tmp_path)] >= 10


def test_the_token_scan_finds_a_planted_token(store, tmp_path):
    """The control: the same scanner, given copies with the token planted where the real scan looks."""
    import base64
    import gzip
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    clean = SecretScan(TOKEN)
    clean.file(store)
    assert clean.hits == [] and clean.decoded["duckdb_tables"] > 5
    # DuckDB: a VARCHAR cell and a JSON cell of a scratch copy of the store
    scratch = tmp_path / "scratch.duckdb"
    shutil.copyfile(store, scratch)
    con = duckdb.connect(str(scratch))
    con.execute("UPDATE stage_runs SET error = ? WHERE run_id = (SELECT min(run_id) FROM stage_runs)",
                [f"failed with {TOKEN} in the message"])
    con.execute("UPDATE variants SET config = json_object('leaked', ?) WHERE variant_id = "
                "(SELECT min(variant_id) FROM variants)", [TOKEN])
    con.close()
    planted = SecretScan(TOKEN)
    planted.file(scratch)
    assert {h for h in planted.hits if "> duckdb" in h} == {f"{scratch} > duckdb main.stage_runs.error",
                                                            f"{scratch} > duckdb main.variants.config"}
    # Parquet: one string cell, zstd-compressed and dictionary-encoded, in a file and inside a commit body
    table = pa.table({"variant": ["pub@a"] * 50 + [f"x{TOKEN}y"] + ["pub@b"] * 50, "value": list(range(101))})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=True)
    parquet = sink.getvalue().to_pybytes()
    (tmp_path / "home" / "deep").mkdir(parents=True)
    (tmp_path / "home" / "deep" / "t.parquet").write_bytes(parquet)
    (tmp_path / "home" / "deep" / "log.txt.gz").write_bytes(gzip.compress(f"token={TOKEN}\n".encode()))
    (tmp_path / "home" / "deep" / "plain.txt").write_text(f"Authorization: Bearer {TOKEN}\n")
    body = "\n".join(json.dumps(line) for line in [
        {"key": "header", "value": {"summary": "x"}},
        {"key": "file", "value": {"path": "data/t.parquet", "encoding": "base64",
                                  "content": base64.b64encode(parquet).decode()}}]).encode()
    scan = SecretScan(TOKEN)
    scan.data(body, "commit")
    assert "commit > json > base64 data/t.parquet > parquet column 'variant' row 50" in scan.hits
    scan = SecretScan(TOKEN)
    assert scan.tree(tmp_path / "home") == 3
    deep = tmp_path / "home" / "deep"
    # (the compressed Parquet's raw bytes may or may not hold the string; the decoded cell must)
    assert set(scan.hits) - {f"{deep / 't.parquet'} (raw bytes)"} == {
        f"{deep / 't.parquet'} > parquet column 'variant' row 50",
        f"{deep / 'log.txt.gz'} > gzip (raw bytes)",
        f"{deep / 'plain.txt'} (raw bytes)"}
    scan = SecretScan(TOKEN)
    scan.text(f"pushed with {TOKEN}", "CLI output")
    assert scan.hits == ["CLI output (text)"]
