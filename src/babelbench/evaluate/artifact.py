"""The eval stage's artifact: an evaluation's rows and info on disk, under its eval key.

An evaluation (hours of generation, on a large model) is written here before its rows go to the
store, so a store write that fails or a process killed while writing loses nothing: the next run
finds the folder complete and adopts it instead of generating again. The folder holds

* ``metrics.parquet``: one row per :class:`~babelbench.core.records.MetricRecord`;
* ``samples.parquet``: one row per :class:`~babelbench.core.records.SampleRecord` (``doc`` and
  ``sample_metrics`` as the JSON text the store keeps of them);
* ``info.json``: the stage's info.

Reading it back gives the rows the store would have got from the stage itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.records import EvalRows, MetricRecord, SampleRecord

METRICS = "metrics.parquet"
SAMPLES = "samples.parquet"
INFO = "info.json"

_FLOATS = ("value", "stderr", "ci_low", "ci_high")
_INTS = ("n", "doc_id")
_BOOLS = ("is_group", "scored", "is_primary")
_JSON = ("doc", "sample_metrics")


def _schema(record: type) -> Any:
    """The Parquet schema of a record type: its dataclass fields, in order, each nullable."""
    import dataclasses

    import pyarrow as pa

    def kind(name: str) -> Any:
        if name in _FLOATS:
            return pa.float64()
        if name in _INTS:
            return pa.int64()
        if name in _BOOLS:
            return pa.bool_()
        return pa.string()

    return pa.schema([(f.name, kind(f.name)) for f in dataclasses.fields(record)])


def _sample_row(sample: SampleRecord) -> dict[str, Any]:
    row = sample.as_row()
    row["doc"] = json.dumps(sample.doc, ensure_ascii=False, default=str)
    row["sample_metrics"] = json.dumps(sample.sample_metrics)
    return row


def write_eval_artifact(folder: Path, rows: EvalRows, info: dict[str, Any]) -> None:
    """Write ``rows`` and ``info`` into ``folder`` (a temporary folder the caller renames into place)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    metrics = pa.Table.from_pylist([m.as_row() for m in rows.metrics], schema=_schema(MetricRecord))
    samples = pa.Table.from_pylist([_sample_row(s) for s in rows.samples], schema=_schema(SampleRecord))
    pq.write_table(metrics, folder / METRICS, compression="zstd")
    pq.write_table(samples, folder / SAMPLES, compression="zstd")
    (folder / INFO).write_text(json.dumps(info, ensure_ascii=False, default=str), encoding="utf-8")


def read_eval_artifact(folder: Path) -> tuple[EvalRows, dict[str, Any]]:
    """The rows and info an eval folder holds (see :func:`write_eval_artifact`)."""
    import pyarrow.parquet as pq

    metrics = [MetricRecord(**row) for row in pq.read_table(folder / METRICS).to_pylist()]
    samples = []
    for row in pq.read_table(folder / SAMPLES).to_pylist():
        samples.append(SampleRecord(**{**row, **{name: json.loads(row[name]) for name in _JSON}}))
    info = json.loads((folder / INFO).read_text(encoding="utf-8"))
    return EvalRows(metrics, samples), info
