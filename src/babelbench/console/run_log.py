"""Where other libraries' output goes during `harness run`: a log file per run.

tqdm bars, logging, warnings and what C extensions write go to the process's file descriptors 1 and 2;
for the run those point into a pipe, and a thread copies what arrives into
``BABELBENCH_HOME/logs/run-<time>-<pid>.log`` (and, with ``-v``, to the terminal too). The run's own
display writes to the terminal through a descriptor kept aside. When the streams are not the
process's own descriptors (a test runner captures them) nothing is redirected.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO


def new_log_path() -> Path:
    from .. import paths

    folder = paths.home() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"


def _own_descriptors() -> bool:
    try:
        return sys.stderr is sys.__stderr__ and sys.stdout is sys.__stdout__ and sys.__stderr__ is not None \
            and sys.__stderr__.fileno() == 2 and sys.__stdout__ is not None and sys.__stdout__.fileno() == 1
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def library_output_to(log_path: Path, stream_too: bool = False) -> Iterator[TextIO | None]:
    """Send fds 1 and 2 to ``log_path`` while the block runs; yield a text stream on the terminal
    (the original stderr), or None when the streams are not this process's descriptors."""
    if not _own_descriptors():
        yield None
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    read_end, write_end = os.pipe()
    log = log_path.open("ab")
    failures: list[str] = []
    thread = threading.Thread(target=_pump, args=(read_end, log, saved_err if stream_too else None, failures),
                              name="run-log", daemon=True)
    thread.start()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    terminal = os.fdopen(os.dup(saved_err), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        yield terminal
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)   # the pipe's last write ends close: the copying thread sees its end
        os.close(saved_out)
        os.close(saved_err)
        thread.join(timeout=5)
        os.close(read_end)
        with contextlib.suppress(OSError):
            log.close()
        for failure in failures:
            with contextlib.suppress(OSError, ValueError):
                terminal.write(f"note: {failure}\n")
        with contextlib.suppress(OSError):   # a closed terminal pipe: nothing more can be said on it
            terminal.close()


def _pump(read_end: int, log: BinaryIO, terminal: int | None, failures: list[str]) -> None:
    """Copy what arrives on the pipe to the log (and to ``terminal``) until its write ends close.

    It never stops reading: were it to, every later write to fds 1 and 2 would block on a full pipe and
    the run would hang. A copy that fails (a full disk, a terminal pipe closed by ``| head``) is dropped
    from then on and noted in ``failures``; the run goes on (and fails by itself if it cannot write its
    store)."""
    to_log, to_terminal = True, terminal is not None
    while True:
        try:
            chunk = os.read(read_end, 65536)
        except OSError as exc:   # the pipe itself broke: nothing is left to drain
            failures.append(f"library output stopped being copied: {exc}")
            return
        if not chunk:
            return
        if to_log:
            try:
                log.write(chunk)
                log.flush()
            except (OSError, ValueError) as exc:
                to_log = False
                failures.append(f"the run's log {getattr(log, 'name', '')} stopped (library output after this "
                                f"point is dropped): {exc}")
        if to_terminal and terminal is not None:
            try:
                _write_all(terminal, chunk)
            except OSError:   # the reader went away (`| head`): copy to the log only
                to_terminal = False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
