"""Finding a secret (a token) in what a command wrote or sent, decoded where raw bytes would hide it.

A string that leaked into a compressed Parquet column, a DuckDB table (whose strings are
compressed on disk), a base64-encoded Hub commit body or a gzip file need not appear in the
raw bytes at all, so a byte search alone proves little. :class:`SecretScan` searches the raw
bytes *and* the decoded contents:

* Parquet (``PAR1``): every cell of every column, nested values included, and the key/value metadata;
* DuckDB database files: every table of every schema, every cell (VARCHAR and JSON cells as
  text, BLOBs as bytes, nested values walked);
* JSON / NDJSON (Hub preupload and commit bodies): every string; base64 ``content`` / ``sample``
  fields are decoded and scanned again (so a Parquet file inside a commit is decoded too);
* gzip and zip files: the decompressed members, scanned again.

Each hit is recorded with where it was found and through which decodings, and ``decoded``
counts what was decoded, so a test can also assert that the scan covered what it meant to.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import shutil
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_CHUNK = 16 << 20
_DECODE_LIMIT = 256 << 20   # files larger than this (model weights) get the raw byte scan only


def _is_parquet(head: bytes, tail: bytes) -> bool:
    return head[:4] == b"PAR1" and tail[-4:] == b"PAR1"


def _is_duckdb(head: bytes) -> bool:
    return head[8:12] == b"DUCK"


@dataclass
class SecretScan:
    secret: str
    hits: list[str] = field(default_factory=list)
    #: how many of each kind were decoded and scanned: files, bytes, parquet, parquet_cells,
    #: duckdb_tables, duckdb_cells, json, base64, gzip, zip, text
    decoded: Counter = field(default_factory=Counter)
    #: "<where> :: <schema>.<table>" for every DuckDB table scanned
    tables: list[str] = field(default_factory=list)
    #: where every decoded Parquet file was found (its path, or the route to it)
    parquet_files: list[str] = field(default_factory=list)

    @property
    def needle(self) -> bytes:
        return self.secret.encode()

    # -- entry points ------------------------------------------------------------------------
    def text(self, text: str, where: str) -> None:
        self.decoded["text"] += 1
        if self.secret in text:
            self.hits.append(f"{where} (text)")

    def data(self, data: bytes, where: str) -> None:
        """Raw bytes, then whatever they decode to."""
        self.decoded["bytes"] += 1
        if self.needle in data:
            self.hits.append(f"{where} (raw bytes)")
        if _is_parquet(data[:4], data[-4:]):
            self._parquet(io.BytesIO(data), where)
        elif _is_duckdb(data[:16]):
            with tempfile.TemporaryDirectory(prefix="secret-scan-") as tmp:
                copy = Path(tmp) / "copy.duckdb"
                copy.write_bytes(data)
                self._duckdb(copy, where)
        elif data[:2] == b"\x1f\x8b":
            self.decoded["gzip"] += 1
            self.data(gzip.decompress(data), f"{where} > gzip")
        elif data[:4] == b"PK\x03\x04":
            self._zip(io.BytesIO(data), where)
        else:
            self._json(data, where)

    def file(self, path: Path) -> None:
        self.decoded["files"] += 1
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
            f.seek(max(0, size - 4))
            tail = f.read(4)
        if _is_duckdb(head):
            self._raw_file(path)
            # a copy: DuckDB may not open a file another connection (the test's store) has open
            with tempfile.TemporaryDirectory(prefix="secret-scan-") as tmp:
                copy = Path(tmp) / "copy.duckdb"
                shutil.copyfile(path, copy)
                wal = path.with_name(path.name + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
                self._duckdb(copy, str(path))
        elif _is_parquet(head, tail):
            self._raw_file(path)
            self._parquet(str(path), str(path))
        elif size <= _DECODE_LIMIT:
            self.data(path.read_bytes(), str(path))
        else:
            self._raw_file(path)

    def tree(self, root: Path) -> int:
        """Every file under ``root``; returns how many were scanned."""
        n = 0
        for path in sorted(root.rglob("*")):
            if path.is_file():
                self.file(path)
                n += 1
        return n

    # -- decoders ----------------------------------------------------------------------------
    def _raw_file(self, path: Path) -> None:
        keep = len(self.needle) - 1
        previous = b""
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                if self.needle in previous + chunk:
                    self.hits.append(f"{path} (raw bytes)")
                    return
                previous = chunk[-keep:] if keep else b""

    def _walk(self, value: Any, where: str, counter: str) -> None:
        if isinstance(value, str):
            self.decoded[counter] += 1
            if self.secret in value:
                self.hits.append(where)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self.decoded[counter] += 1
            if self.needle in bytes(value):
                self.hits.append(where)
        elif isinstance(value, dict):
            for k, v in value.items():
                self._walk(k, where, counter)
                self._walk(v, where, counter)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._walk(v, where, counter)

    def _parquet(self, source: Any, where: str) -> None:
        import pyarrow.parquet as pq

        self.decoded["parquet"] += 1
        self.parquet_files.append(where)
        pf = pq.ParquetFile(source)
        metadata = pf.schema_arrow.metadata or {}
        self._walk(dict(metadata), f"{where} > parquet metadata", "parquet_cells")
        table = pf.read()
        for name in table.column_names:
            for row, value in enumerate(table.column(name).to_pylist()):
                self._walk(value, f"{where} > parquet column {name!r} row {row}", "parquet_cells")

    def _duckdb(self, path: Path, where: str) -> None:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = con.execute("SELECT table_catalog, table_schema, table_name FROM information_schema.tables "
                                 "WHERE table_type = 'BASE TABLE' ORDER BY ALL").fetchall()
            for catalog, schema, name in tables:
                self.decoded["duckdb_tables"] += 1
                self.tables.append(f"{where} :: {schema}.{name}")
                cur = con.execute(f'SELECT * FROM "{catalog}"."{schema}"."{name}"')
                columns = [d[0] for d in cur.description]
                while rows := cur.fetchmany(1000):
                    for row in rows:
                        for column, value in zip(columns, row):
                            self._walk(value, f"{where} > duckdb {schema}.{name}.{column}", "duckdb_cells")
        finally:
            con.close()

    def _zip(self, source: Any, where: str) -> None:
        self.decoded["zip"] += 1
        with zipfile.ZipFile(source) as z:
            for info in z.infolist():
                self.data(z.read(info), f"{where} > zip {info.filename}")

    def _json(self, data: bytes, where: str) -> None:
        """JSON or NDJSON (Hub commit bodies): base64 payloads are decoded and scanned again."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        if text.lstrip()[:1] not in ("{", "["):
            return
        try:
            docs = [json.loads(text)]
        except ValueError:   # NDJSON: one document a line
            try:
                docs = [json.loads(line) for line in text.splitlines() if line.strip()]
            except ValueError:
                return
        self.decoded["json"] += 1
        for doc in docs:
            self._json_value(doc, f"{where} > json")

    def _json_value(self, value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, v in value.items():
                if key in ("content", "sample") and isinstance(v, str) and (
                        key == "sample" or value.get("encoding") == "base64"):
                    try:
                        raw = base64.b64decode(v, validate=True)
                    except (binascii.Error, ValueError):
                        raw = None
                    if raw is not None:
                        self.decoded["base64"] += 1
                        self.data(raw, f"{where} > base64 {value.get('path', key)}")
                self._json_value(v, where)
        elif isinstance(value, list):
            for v in value:
                self._json_value(v, where)
        elif isinstance(value, str) and self.secret in value:
            self.hits.append(f"{where} (string)")
