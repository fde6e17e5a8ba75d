"""Before `harness run` does any work: every Hub model and dataset its variants need can be had.

A Hub model id (``base_model``) or dataset (``data.sources[].hub``) is fine when it is in the
local Hugging Face cache. Otherwise it needs the Hub: in offline mode (``HF_HUB_OFFLINE=1``,
``HF_DATASETS_OFFLINE=1``) that is a problem at once; online, one metadata request per repo says
whether it exists and the Hub is reachable. Each problem is one line naming the recipe's field;
`harness run` exits 1 on them (a network matter), before the store is opened. So too for a file a
task's metric downloads on first use (the metric says which: :mod:`babelbench.evaluate.metrics`).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from ..core.errors import Problem
from ..core.train_method import TrainMethod
from ..recipe.loader import locate
from ..recipe.schema import Variant

_TRUE = {"1", "on", "yes", "true"}

#: (repo type, repo id) -> its problem, or None; one answer per repo per process.
_ANSWERS: dict[tuple[str, str], str | None] = {}


def hub_problems(variants: list[Variant], stages: Collection[str], tasks_dirs: list[Path] | None = None) -> list[Problem]:
    """One problem per recipe field naming a Hub model or dataset that running ``stages`` needs and cannot get,
    and per variant whose evaluation needs a file its metrics download on first use (offline)."""
    from ..models.registry import source_name

    wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for v in variants:
        recipe_dir = Path(v.recipe_file).resolve().parent
        if set(stages) - {"judge"} and source_name(v.base_model, recipe_dir) == "hub":
            wanted.setdefault(("model", v.base_model), []).append((v.recipe_file, "base_model"))
        if "data" in stages and v.data is not None and v.train.method != TrainMethod.NONE and not _data_built(v, tasks_dirs):
            for i, source in enumerate(v.data.sources):
                if source.hub:
                    wanted.setdefault(("dataset", source.hub), []).append((v.recipe_file, f"data.sources.{i}.hub"))
    problems = _offline_metric_problems(variants) if "eval" in stages else []
    for (kind, repo), places in wanted.items():
        problem = access_problem(kind, repo)
        if problem is None:
            continue
        for recipe_file, field in places:
            file, line = locate(recipe_file, field)
            problems.append(Problem(file, line, field, problem))
    return list(dict.fromkeys(problems))


def _offline_metric_problems(variants: list[Variant]) -> list[Problem]:
    """A problem at ``eval.tasks`` for each variant whose tasks' metrics need a file they cannot download
    (each metric says what it needs: :func:`babelbench.evaluate.metrics.offline_problem`)."""
    from ..evaluate.metrics import offline_problem

    problems = []
    for v in variants:
        problem = offline_problem(v.eval.tasks)
        if problem is not None:
            file, line = locate(v.recipe_file, "eval.tasks")
            problems.append(Problem(file, line, "eval.tasks", problem))
    return problems


def access_problem(kind: str, repo: str) -> str | None:
    """Why Hub ``kind`` (model or dataset) ``repo`` cannot be had now, or None."""
    if (kind, repo) not in _ANSWERS:
        _ANSWERS[(kind, repo)] = _ask(kind, repo)
    return _ANSWERS[(kind, repo)]


def _ask(kind: str, repo: str) -> str | None:
    if _cached(kind, repo):
        return None
    offline = [v for v in (("HF_HUB_OFFLINE",) if kind == "model" else ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))
               if os.environ.get(v, "").strip().lower() in _TRUE]
    if offline:
        return (f"the Hub {kind} {repo!r} is not in the local Hugging Face cache ({hub_cache()}), and "
                f"{offline[0]}=1 forbids downloading it")
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    try:
        HfApi().repo_info(repo, repo_type=kind, timeout=15)
    except GatedRepoError:
        return f"the Hub {kind} {repo!r} is gated: accept its terms on the Hub and set HF_TOKEN"
    except RepositoryNotFoundError:
        return f"no Hub {kind} {repo!r} (or it is private: set HF_TOKEN)"
    except Exception as exc:  # no connection, DNS, TLS, timeouts, HTTP errors: one line
        return f"cannot reach the Hub for the {kind} {repo!r}: {type(exc).__name__}: {' '.join(str(exc).split())}"
    return None


def hub_cache() -> Path:
    """The Hugging Face hub cache as the libraries will find it (read from the environment now)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(home).expanduser() / "hub"


def _cached(kind: str, repo: str) -> bool:
    folder = hub_cache() / f"{kind}s--{repo.replace('/', '--')}" / "snapshots"
    if folder.is_dir() and any(folder.iterdir()):
        return True
    if kind == "dataset":  # datasets' own cache of prepared datasets
        home = os.environ.get("HF_DATASETS_CACHE") or str(hub_cache().parent / "datasets")
        return (Path(home).expanduser() / repo.replace("/", "___")).is_dir()
    return False


def _data_built(variant: Variant, tasks_dirs: list[Path] | None) -> bool:
    """Whether this variant's training set is built already (its Hub sources are not needed again)."""
    from .. import paths
    from ..models._cache import is_built
    from ..pipeline.keys import plan_variant

    try:
        key = plan_variant(variant, tasks_dirs if tasks_dirs is not None else paths.tasks_dirs()).data_key
        return key is not None and is_built(paths.artifacts_dir("data") / key)
    except Exception:  # a key that cannot be computed now: check the sources
        return False
