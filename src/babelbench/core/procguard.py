"""A process group that dies with its parent: ``python -m babelbench.core.procguard PARENT_PID -- CMD ...``.

The harness starts a model server through this guard in a new session, so the guard leads the server's
process group (the server and every process it spawns: vLLM's engine processes, its tokenizer workers).
The guard asks the kernel for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``, Linux), so even a
``kill -9`` of the harness reaches it; on SIGTERM, SIGHUP or SIGINT -- or when the server exits by itself --
it sends SIGTERM to the whole group, gives it ``GRACE_S`` seconds, then SIGKILL. It exits with the server's
exit code. Imports only the standard library (it runs before and beside the harness, not inside it).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
GRACE_S = 15.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (False where prctl is missing)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def stop_group(pgid: int, grace_s: float = GRACE_S) -> None:
    """SIGTERM to every process of group ``pgid`` (leader alive or not), SIGKILL to those left after
    ``grace_s``; returns once the group is empty. Our own process is spared when it is in the group."""
    own = os.getpgid(0) == pgid
    if own:
        for sig in _STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while _group_alive(pgid, own) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _group_alive(pgid, own):
        if own:   # SIGKILL would take this process too: kill the others one by one
            for pid in _members(pgid):
                _kill(pid, signal.SIGKILL)
        else:
            _signal_group(pgid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _members(pgid: int) -> list[int]:
    """Live processes of group ``pgid`` other than this one (read from /proc; zombies do not count)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


def _group_alive(pgid: int, own: bool) -> bool:
    if own:
        _reap()
        return bool(_members(pgid))
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return bool(_members(pgid))


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m babelbench.core.procguard PARENT_PID -- CMD ...", file=sys.stderr)
        return 2
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != int(argv[0]):   # the parent died before prctl took effect
        return 1
    pgid = os.getpgid(0)
    stopping: list[int] = []
    for sig in _STOP_SIGNALS:
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    child = subprocess.Popen(argv[2:])
    while child.poll() is None and not stopping:
        time.sleep(0.2)
    stop_group(pgid)
    code = child.wait()
    return code if not stopping else 128 + stopping[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
