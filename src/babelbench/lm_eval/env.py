"""lm-eval's environment lookups, made quiet.

``lm_eval.simple_evaluate`` records the git commit of the working directory with every result
(``lm_eval.loggers.utils.get_git_commit_hash``, imported by name into ``lm_eval.evaluator``). It
runs ``git describe --always`` without capturing stderr, so every evaluation started outside a
git checkout -- the usual case for a user of an installed babelbench -- prints git's
``fatal: not a git repository``, which reads like an error although nothing failed.
:func:`quiet_git_lookup` puts in lm-eval's place a lookup that answers the same (the short
commit, else lm-eval's own reading of ``.git``, else ``None``) with git's stderr captured.
"""

from __future__ import annotations

import os
import subprocess
import sys

_NAME = "get_git_commit_hash"


def _quiet_git_commit_hash() -> str | None:
    """lm-eval's ``get_git_commit_hash`` with git's messages captured instead of printed."""
    from lm_eval.loggers.utils import get_commit_from_path

    try:
        described = subprocess.run(["git", "describe", "--always"], capture_output=True, text=True,
                                   timeout=10, check=False)
        if described.returncode == 0 and described.stdout.strip():
            return described.stdout.strip()
    except (OSError, subprocess.SubprocessError):  # git not installed, or hung
        pass
    return get_commit_from_path(os.getcwd())  # what lm-eval falls back to (reads .git; silent)


def quiet_git_lookup() -> None:
    """Make lm-eval's git lookup silent; call before ``simple_evaluate``. Safe to call repeatedly.

    The function is replaced where lm-eval defines it (so later ``from ... import`` get the quiet
    one) and in every loaded lm-eval module that already imported it by name (``lm_eval.evaluator``).
    """
    import lm_eval.loggers.utils as utils

    original = getattr(utils, _NAME, None)
    if original is None or original is _quiet_git_commit_hash:
        return
    for name, module in list(sys.modules.items()):
        if (name == "lm_eval" or name.startswith("lm_eval.")) and getattr(module, _NAME, None) is original:
            setattr(module, _NAME, _quiet_git_commit_hash)
