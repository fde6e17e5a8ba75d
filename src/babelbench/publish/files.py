"""A results dataset as files: ``data/<table>.parquet`` per table and a ``README.md`` card whose
YAML header lists each table as a config, so ``datasets.load_dataset(repo_or_folder, CONFIG)``
loads it. The same bytes for the same store: the card's date is the newest stage's, not today's.

Registers the ``hf-dataset`` and ``lm-eval`` export formats.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import yaml

from .formats import WrittenFile, register_export_format, write_json_per_variant
from .tables import dataset_tables, provenance


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    table = pa.Table.from_pylist(rows) if rows else pa.table({"empty": pa.array([], pa.string())})
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def dataset_files(con, *, variants: list[str] | None = None, with_samples: bool = False,
                  title: str = "babelbench results", license: str = "cc-by-4.0") -> dict[str, bytes]:
    """Path in the dataset -> file content."""
    tables = dataset_tables(con, variants, with_samples)
    names = sorted({r["variant"] for r in tables["leaderboard"]} | {r["variant"] for r in tables["recipes"]})
    files = {f"data/{name}.parquet": _parquet(rows) for name, rows in tables.items()}
    files["README.md"] = card(tables, provenance(con, names), title=title, license=license).encode()
    return files


def card(tables: dict[str, list[dict[str, Any]]], made: dict[str, Any], *, title: str, license: str) -> str:
    languages = sorted({r["language"] for r in tables["metrics"] if r.get("language")})
    header = {"license": license, "language": languages, "pretty_name": title,
              "tags": ["babelbench", "evaluation", "multilingual", "lm-eval", "llm-as-judge"],
              "configs": [{"config_name": name, "data_files": f"data/{name}.parquet"} for name in tables]}
    parts = ["---", yaml.safe_dump(header, sort_keys=False, allow_unicode=True).strip(), "---", "",
             f"# {title}", "",
             "Results of multilingual instruction-tuning variants built and evaluated with "
             "babelbench (recipes below). Load a table with "
             "`datasets.load_dataset(<this repo>, \"<config>\")`; configs: "
             + ", ".join(f"`{n}`" for n in tables) + ".", "", "## Leaderboard", "", _leaderboard_md(tables["leaderboard"]),
             "", "## Recipes", ""]
    for r in tables["recipes"]:
        parts += [f"### {r['variant']}", "", f"From `{r['recipe_file']}` with {r['choices']}:", "", "```yaml",
                  r["recipe"].strip(), "```", ""]
    parts += ["## How the numbers were made", "",
              f"Results as of {made['date']}. Library versions: "
              + ", ".join(f"{k} {v}" for k, v in made["versions"].items()) + ".", "",
              "Task versions: " + ", ".join(f"`{t}` {v}" for t, v in made["tasks"].items()) + ".", ""]
    if made["judges"]:
        parts += ["| judge | kind | backend | model | judge hash | system prompt | user prompt |",
                  "|---|---|---|---|---|---|---|"]
        for name, j in made["judges"].items():
            parts.append(f"| {name} | {j['kind']} | {j['backend']} | {j['model']} | `{j['identity']}` | "
                         f"`{j['templates']['system']}` | `{j['templates']['user']}` |")
        parts.append("")
    parts += ["Intervals are 95 %: bootstrap over documents for task metrics and judge facets, sacrebleu's "
              "bootstrap for chrF and spBLEU; task families are macro averages over languages.", ""]
    return "\n".join(parts)


def _leaderboard_md(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "_No evaluated variant._"
    scores = sorted({r["score"] for r in rows if " (macro)" not in r["score"] and not r["score"].startswith("all tasks")})
    variants = sorted({r["variant"] for r in rows})
    value = {(r["variant"], r["score"]): r for r in rows}
    lines = ["| variant | " + " | ".join(scores) + " |", "|---|" + "---|" * len(scores)]
    for v in variants:
        cells = []
        for s in scores:
            r = value.get((v, s))
            if r is None or r["value"] is None:
                cells.append("—")
            elif r.get("ci_low") is not None:
                cells.append(f"{r['value']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}] (n={r['n']})")
            else:
                cells.append(f"{r['value']:.3g} (n={r['n']})")
        lines.append(f"| {v} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write(files: dict[str, bytes], folder: Path) -> list[WrittenFile]:
    """Write the files under ``folder``; return (path, bytes, sha256) for each."""
    out = []
    for path, content in sorted(files.items()):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        out.append((path, len(content), hashlib.sha256(content).hexdigest()))
    return out


def lm_eval_results(con, variants: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Per variant, a results JSON shaped like lm-eval's (``results`` with ``"metric,filter"`` keys,
    ``versions``, ``n-samples``, ``config``), from the stored metrics."""
    from ..store.queries import eval_metric_records, report_rows

    tables = dataset_tables(con, variants)
    chosen = {r["variant"]: r for r in tables["recipes"]}
    rows = report_rows(con, include_judges=False)
    out: dict[str, dict[str, Any]] = {}
    for name, recipe in chosen.items():
        config = json.loads(recipe["config"])
        results: dict[str, dict[str, Any]] = {}
        n_samples: dict[str, dict[str, int]] = {}
        for m in rows:
            if m["variant"] != name or m["metric"].startswith(("pivot:", "transfer_gap:", "primary_score")) \
                    or m["metric"].endswith(":gated"):   # not an lm-eval metric: the other exports carry it
                continue
            task = results.setdefault(m["task"], {"alias": m["task"]})
            task[f"{m['metric']},{m['filter']}"] = m["value"]
            task[f"{m['metric']}_stderr,{m['filter']}"] = m["stderr"] if m["stderr"] is not None else "N/A"
            if m["n"] is not None:
                n_samples[m["task"]] = {"effective": m["n"]}
        made = provenance(con, [name])
        versions = {t: v for t, v in made["tasks"].items() if t in results}
        out[name] = {"results": results, "versions": versions, "n-samples": n_samples,
                     "config": {"model": config["eval"]["backend"], "model_args": {"pretrained": config["base_model"]},
                                "limit": config["eval"]["limit"], "gen_kwargs": config["eval"]["gen_kwargs"],
                                "batch_size": config["eval"]["batch_size"]},
                     "lm_eval_version": made["versions"].get("lm-eval"), "date": made["date"],
                     # the harness's own rows, as stored: `harness import lm-eval` reads them back losslessly
                     "babelbench": {"variant": name, "recipe_file": recipe["recipe_file"], "choices": recipe["choices"],
                                    "base_model": config["base_model"], "pivot_mode": config["pivot"]["mode"],
                                    "rows": eval_metric_records(con, name)}}
    return out


@register_export_format("hf-dataset")
def export_hf_dataset(con, variants: list[str] | None, with_samples: bool, folder: Path) -> list[WrittenFile]:
    """Parquet per table and a dataset card (the folder ``harness publish`` would push)."""
    return write(dataset_files(con, variants=variants, with_samples=with_samples), folder)


@register_export_format("lm-eval")
def export_lm_eval(con, variants: list[str] | None, with_samples: bool, folder: Path) -> list[WrittenFile]:
    """One lm-eval-shaped ``results_<variant>.json`` per variant (answers are not included)."""
    return write_json_per_variant(lm_eval_results(con, variants), folder, "results")
