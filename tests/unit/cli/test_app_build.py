"""`harness <command>` builds an app with that command alone (click's option building is a tenth of an
unchanged re-run): it must be the very command the whole app has, and `harness` alone the whole app."""

from __future__ import annotations

from typing import Any

import pytest
from typer.main import get_command

from babelbench.cli import app as harness


def _describe(command: Any) -> object:
    if hasattr(command, "commands"):   # a group (typer's click, whichever module it comes from)
        return {name: _describe(sub) for name, sub in sorted(command.commands.items())}
    return [(p.name, p.opts, p.required, p.default if not callable(p.default) else "callable") for p in command.params]


@pytest.mark.parametrize("name", sorted(harness.COMMANDS))
def test_a_command_alone_is_the_whole_apps_command(name: str) -> None:
    whole: Any = get_command(harness.app)
    alone: Any = get_command(harness.build([name]))
    assert hasattr(whole, "commands") and hasattr(alone, "commands")
    assert list(alone.commands) == [name]   # a group still: `harness run x` runs `run`, not a default command
    assert _describe(alone.commands[name]) == _describe(whole.commands[name])


def test_the_whole_app_has_every_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert sorted(get_command(harness.app).commands) == sorted(harness.COMMANDS)
    monkeypatch.setattr("sys.argv", ["harness", "--help"])
    with pytest.raises(SystemExit) as done:
        harness.main()
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in harness.COMMANDS)


def test_main_runs_the_named_command_only(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[list[str]] = []
    real = harness.build
    monkeypatch.setattr(harness, "build", lambda names: built.append(names) or real(names))
    monkeypatch.setattr("sys.argv", ["harness", "ls", "judges"])
    with pytest.raises(SystemExit) as done:
        harness.main()
    assert done.value.code == 0
    assert built == [["ls"]]
