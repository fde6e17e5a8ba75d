"""Where other libraries' output goes during `harness run`: a log file per run.

tqdm bars, logging, warnings and what C extensions write go to the process's file descriptors 1 and 2;
for the run those point into a pipe, and a thread copies what arrives into
``BABELBENCH_HOME/logs/run-<time>-<pid>.log`` (and, with ``-v``, to the terminal too). The run's own
display writes to the terminal through a descriptor kept aside. When the streams are not the
process's own descriptors (a test runner captures them) nothing is redirected.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


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

    def pump() -> None:
        while chunk := os.read(read_end, 65536):
            log.write(chunk)
            log.flush()
            if stream_too:
                os.write(saved_err, chunk)

    thread = threading.Thread(target=pump, name="run-log", daemon=True)
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
        log.close()
        terminal.close()
