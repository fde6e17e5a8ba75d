"""The run's displays: the live grid's states, progress, elapsed and estimated time left; plain lines."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap

from rich.console import Console

from babelbench.console import display as display_module
from babelbench.console.display import LiveDisplay, PlainDisplay


def _text(live: LiveDisplay) -> str:
    console = Console(file=io.StringIO(), width=100, record=True)
    console.print(live._render())
    return console.export_text()


def test_the_grid_shows_each_variants_stages_progress_and_time_left(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(display_module.time, "monotonic", lambda: clock[0])
    live = LiveDisplay(Console(file=io.StringIO(), width=100))
    live.plan([("a", ["data", "train", "eval"]), ("b", ["eval", "judge"])])
    text = _text(live)
    assert "2 variant(s) · 0:00 elapsed · time left unknown yet" in text
    assert [line.split() for line in text.splitlines()[1:4]] == [
        ["variant", "data", "train", "eval", "judge"], ["a", "waiting", "waiting", "waiting", "—"],
        ["b", "—", "—", "waiting", "waiting"]]

    live.variant("a")
    live.stage("data", "running", "k1")
    clock[0] += 10
    live.stage("data", "done", "k1", "in 10.0s")
    live.stage("train", "running", "k2")
    clock[0] += 30
    live.progress(3, 12, "loss 1.234")
    text = _text(live)
    # train: 30 s for 3 of 12 steps -> 90 s more; eval waits twice, not timed yet
    assert "0:40 elapsed · ~1:30 left (+ stages not timed yet)" in text
    assert "a        done 10s  running 3/12  waiting" in text
    assert "train a: ━━━━━━╺───────────────── 3/12 loss 1.234" in text

    live.stage("train", "done", "k2")
    live.stage("eval", "running", "k3")
    clock[0] += 20
    live.stage("eval", "done", "k3")
    live.variant("b")
    live.stage("eval", "failed", "k4", "OSError: no such model")
    text = _text(live)
    assert "a        done 10s  done 30s  done 20s" in text
    assert "b        —         —         failed" in text
    assert "✗ b eval: OSError: no such model" in text


def test_the_pipelines_messages_are_kept_under_the_grid():
    live = LiveDisplay(Console(file=io.StringIO(), width=100))
    live.plan([("a", ["judge"])])
    live.print("  judge [bold]rubric[/]: 4 sent, 0 cached")
    assert _text(live).splitlines()[-1] == "judge rubric: 4 sent, 0 cached"


def test_plain_lines_one_per_event():
    out = io.StringIO()
    plain = PlainDisplay(Console(file=out, width=100, color_system=None))
    plain.stage("train", "running", "abc")
    plain.stage("train", "done", "abc", "in 1.5s")
    plain.stage("eval", "skipped", "def", "done already, skipped")
    assert out.getvalue().splitlines() == ["  train abc  running…", "  train abc  done in 1.5s",
                                           "  eval  def  done already, skipped"]


def test_library_output_goes_to_the_log_and_the_display_to_the_terminal(tmp_path):
    """In a process of its own (whose descriptors are its own): print(), sys.stderr, logging, a
    write to fd 1 and a C-level write from a child process all land in the log; the terminal stream
    gets only what the display writes."""
    log = tmp_path / "run.log"
    script = textwrap.dedent(f"""
        import logging, os, subprocess, sys
        from babelbench.console.run_log import library_output_to
        logging.basicConfig(level=logging.INFO)
        with library_output_to(__import__("pathlib").Path({str(log)!r})) as terminal:
            print("library print")
            sys.stderr.write("library stderr\\n")
            logging.getLogger("lib").warning("library warning")
            os.write(1, b"fd one\\n")
            subprocess.run([sys.executable, "-c", "import os; os.write(2, b'child process\\\\n')"])
            terminal.write("GRID\\n")
        print("after the run")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "GRID\n" and done.stdout == "after the run\n"
    assert sorted(log.read_text().splitlines()) == sorted(
        ["library print", "library stderr", "WARNING:lib:library warning", "fd one", "child process"])


def test_variants_run_side_by_side_each_update_their_own_row():
    """Under the Ray executor each variant's stages are reported from a driver thread of its own: a stage
    event belongs to that thread's variant, and both running stages show at once."""
    import threading

    live = LiveDisplay(Console(file=io.StringIO(), width=100))
    live.plan([("a", ["train", "eval"]), ("b", ["train", "eval"])])
    started, finish = threading.Barrier(3), threading.Barrier(3)

    def work(name: str) -> None:
        live.variant(name)
        live.stage("train", "running", name)
        started.wait()
        finish.wait()
        live.stage("train", "done", name)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    started.wait()
    lines = [line.split() for line in _text(live).splitlines()[1:4]]
    assert [line[:2] for line in lines[1:]] == [["a", "running"], ["b", "running"]]
    assert sorted(live.state.running) == ["a", "b"]
    finish.wait()
    for t in threads:
        t.join()
    assert live.state.rows["a"]["train"] == live.state.rows["b"]["train"] == "done"
    assert live.state.running == {} and set(live.state.times["a"]) == set(live.state.times["b"]) == {"train"}


def test_plain_progress_is_at_most_ten_lines_a_stage_however_long():
    out = io.StringIO()
    plain = PlainDisplay(Console(file=out, width=200, color_system=None))
    plain.stage("eval", "running", "abc")
    for done in range(1, 14_281):
        plain.progress(done, 14_280, f"xquad_gen_ar {min(done, 1190)}/1190 · {done // 1190}/12 tasks done")
    lines = out.getvalue().splitlines()
    assert len(lines) == 11   # the running line + one a tenth
    assert lines[1] == "         10% (1,428/14,280) · xquad_gen_ar 1190/1190 · 1/12 tasks done"
    assert lines[-1].startswith("        100% (14,280/14,280)")
    plain.stage("eval", "running", "def")   # the next stage starts again from 0 %
    plain.progress(1428, 14_280, "")
    assert out.getvalue().splitlines()[-1] == "         10% (1,428/14,280)"
