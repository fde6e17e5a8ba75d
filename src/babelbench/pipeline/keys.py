"""Stage keys: the hash of everything that can change a stage's output, and nothing else.

* data  -- data + pivot sections, source contents, the tokenizer (base model), builder version
* train -- data key, base model, train section (minus checkpoint cadence), torch/transformers/peft
* eval  -- the trained model (train key, or base model for `method: none`), eval section,
           pivot mode, the task folders' files, lm-eval/transformers/peft/torch versions; with
           ``data_source: local`` the contents of the published files each task reads (not their folder)

Keys are computed from names, file hashes and versions only -- never by loading a model --
so deciding that nothing needs doing is fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.hashing import DigestCache, digest, file_digest
from ..core.train_method import TrainMethod
from ..models.registry import model_identity
from ..recipe.schema import Variant
from .env import versions

DATA_BUILDER = "data-v1"
TRAINER = "train-v1"
EVALUATOR = "eval-v2"


@dataclass(frozen=True)
class VariantPlan:
    variant: Variant
    variant_id: str
    recipe_dir: Path
    data_key: str | None
    train_key: str | None
    eval_key: str
    #: Task folders in search order: the recipe's ``eval.include_path``, then the run's.
    tasks_dirs: tuple[Path, ...] = ()

    @property
    def trains(self) -> bool:
        return self.variant.train.method != TrainMethod.NONE


#: Fields added after variants were first stored, with the value that means "not used". Left out of
#: identities at that value, so a variant (and its stages) made before a field existed keeps its keys.
_LATER_FIELDS: dict[tuple[str, ...], object] = {
    ("pivot", "system_prompt"): "none",
    ("train", "checkpoints"): None,
    ("eval", "include_path"): [],
    ("select",): None,
    ("data", "sources", "*", "fields"): None,
    ("data", "sources", "*", "roles"): None,
    ("data", "sources", "*", "file_format"): "auto",
    ("data", "translation"): None,
    ("pivot", "labels"): {},
    ("eval", "language_identifier"): "lingua",
    ("eval", "dtype"): "float32",
    ("eval", "openai"): None,
    ("eval", "serve"): None,
    ("eval", "data_dir"): None,
    ("train", "launcher"): "none",
    ("train", "num_processes"): 1,
    ("train", "accelerate_config"): None,
    ("eval", "vllm"): {"tensor_parallel_size": 1, "data_parallel_size": 1, "gpu_memory_utilization": 0.9,
                       "max_model_len": None},
    ("analysis",): [],
    ("alignment",): {"source": "flores", "languages": [], "pivot": "en", "max_sentences": None, "batch_size": 8,
                     "max_length": 128, "dtype": "float32", "device": "cpu"},
}


#: Permissions, not settings: they let a check pass and change no output (the same draw is made).
_NOT_IDENTITY: frozenset[tuple[str, ...]] = frozenset({("data", "allow_upsampling"), ("resources",),
                                                       ("eval", "serve", "python"), ("eval", "openai", "api_key_env")})


def _canonical(tree: dict, prefix: tuple[str, ...] = ()) -> dict:
    """``tree`` without the later fields that hold their "not used" value, and without permissions."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = (*prefix, key)
        if path in _NOT_IDENTITY or (path in _LATER_FIELDS and value == _LATER_FIELDS[path]):
            continue
        if isinstance(value, dict):
            out[key] = _canonical(value, path)
        elif isinstance(value, list):
            out[key] = [_canonical(item, (*path, "*")) if isinstance(item, dict) else item for item in value]
        else:
            out[key] = value
    return out


def variant_id(variant: Variant) -> str:
    """What the variant *is*: how it is built and evaluated. Judges grade it; they are not part of it."""
    return digest(_canonical(variant.model_dump(mode="json", exclude={"recipe_file", "judges", "judge"})))


def _source_identity(variant: Variant, recipe_dir: Path) -> list[dict[str, str | None]]:
    assert variant.data is not None
    out: list[dict[str, str | None]] = []
    for s in variant.data.sources:
        entry: dict[str, str | None]
        if s.path is not None:
            entry = {"sha": file_digest(str(recipe_dir / s.path)), "language": s.language, "format": s.format}
        else:
            entry = {"hub": s.hub, "config": s.hub_config, "split": s.split, "language": s.language, "format": s.format}
        # how the rows are read, when set (left out otherwise, so keys made before these settings stay)
        mapping = _canonical(s.model_dump(mode="json", include={"fields", "roles", "file_format"}),
                             ("data", "sources", "*"))
        out.append({**entry, **{k: json.dumps(v, sort_keys=True) for k, v in mapping.items()}})
    return out


def _translation_identity(variant: Variant, recipe_dir: Path) -> dict[str, Any]:
    """What of ``data.translation`` decides the data: its settings, the parallel sources' contents (like
    :func:`_source_identity`, not their paths) and the templates' text (the shipped bank's, or the file's)."""
    from ..data.translation import DEFAULT_TEMPLATES

    assert variant.data is not None and variant.data.translation is not None
    translation = variant.data.translation
    sources: list[dict[str, Any]] = []
    for s in translation.sources:
        where: dict[str, Any] = ({"sha": file_digest(str(recipe_dir / s.path))} if s.path is not None
                                 else {"hub": s.hub, "config": s.hub_config, "split": s.split})
        sources.append({**where, "fields": s.fields, "file_format": s.file_format})
    templates = (digest(list(DEFAULT_TEMPLATES)) if translation.templates == "default"
                 else file_digest(str(recipe_dir / translation.templates)))
    settings = translation.model_dump(mode="json", exclude={"sources", "templates"})
    return {**settings, "sources": sources, "templates": templates}


#: Every variant of a run evaluates the same task folders: their files are read once per process,
#: and again only when a file changes (size or times), so an edit made meanwhile is seen.
_TASK_FILES = DigestCache()


def _folder_digest(folder: Path) -> str:
    """Hash of a task folder's files (names and contents)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest({str(p.relative_to(folder)): _TASK_FILES.digest(p) for p in files})


def _pivot_identity(variant: Variant) -> dict[str, str]:
    """What of the pivot section decides the data (and, with a system line, the prompts).
    ``system_prompt: none`` is left out, so variants made before it existed keep their keys."""
    pivot = variant.pivot
    out = _canonical(pivot.model_dump(mode="json"), ("pivot",)) if pivot.mode == "plug" else {"mode": "none"}
    if pivot.system_prompt == "none":
        out.pop("system_prompt", None)
    else:
        out.update(system_prompt=pivot.system_prompt, pivot_language=pivot.pivot_language)
    return out


def variant_tasks_dirs(variant: Variant, recipe_dir: Path, tasks_dirs: list[Path]) -> list[Path]:
    """The recipe's own ``eval.include_path`` folders (relative to it) first, then ``tasks_dirs``."""
    own = [(recipe_dir / p).resolve() for p in variant.eval.include_path]
    return own + [d for d in tasks_dirs if d not in own]


def plan_variant(variant: Variant, tasks_dirs: list[Path]) -> VariantPlan:
    recipe_dir = Path(variant.recipe_file).resolve().parent
    dirs = variant_tasks_dirs(variant, recipe_dir, tasks_dirs)
    base = model_identity(variant.base_model, recipe_dir)
    data_key = train_key = None
    if variant.train.method != TrainMethod.NONE:
        assert variant.data is not None
        data_key = digest({
            "stage": "data", "builder": DATA_BUILDER, "base": base,
            "data": _canonical(variant.data.model_dump(mode="json", exclude={"sources", "translation"}), ("data",)),
            "sources": _source_identity(variant, recipe_dir),
            # translation-task data, when there is some (left out otherwise: keys made before it stay)
            **({"translation": _translation_identity(variant, recipe_dir)} if variant.data.translation else {}),
            "pivot": _pivot_identity(variant),
            "versions": versions("transformers", "tokenizers"),
        })
        train_key = digest({
            "stage": "train", "trainer": TRAINER, "data": data_key, "base": base,
            "train": _canonical(_resolved(variant.train.model_dump(mode="json", exclude={"save_steps"})), ("train",)),
            "versions": versions("torch", "transformers", "peft"),
        })
    # A variant that selects a checkpoint learns its eval key once the checkpoint is chosen.
    eval_key = "" if variant.select is not None else eval_key_for(variant, train_key or base, dirs, recipe_dir)
    return VariantPlan(variant, variant_id(variant), recipe_dir, data_key, train_key, eval_key, tuple(dirs))


def eval_key_for(variant: Variant, model: object, dirs: list[Path], recipe_dir: Path) -> str:
    """The eval key of ``variant.eval`` run on ``model`` (a train key, a base model's identity, or a
    kept checkpoint: {"train": key, "step": N})."""
    from ..evaluate.prompt_tasks import GENERATOR
    from ..evaluate.prompt_tasks import identity as prompt_identity
    from ..evaluate.task_index import task_folders

    return digest({
        "stage": "eval", "evaluator": EVALUATOR, "prompt_tasks": GENERATOR, "model": model,
        "eval": _canonical(_resolved(variant.eval.model_dump(mode="json", exclude={"include_path", "data_dir"})),
                           ("eval",)),
        # data_source local: the contents of the published files the tasks read (not the folder's path)
        **({"local_data": local_data_identity(variant, dirs, recipe_dir)} if variant.eval.data_source == "local" else {}),
        "pivot_mode": variant.pivot.mode,
        **({"identifier_sha": file_digest(str(recipe_dir / variant.eval.language_identifier))}
           if variant.eval.language_identifier != "lingua" else {}),
        **({"system_prompt": _pivot_identity(variant)} if variant.pivot.system_prompt != "none" else {}),
        # the section labels a PLUG answer is split by, when the recipe adds its own
        **({"labels": variant.pivot.labels} if variant.pivot.mode == "plug" and variant.pivot.labels else {}),
        "tasks": {str(f.name): _folder_digest(f) for f in task_folders(variant.eval.tasks, dirs)},
        "prompt_files": prompt_identity(variant.eval.prompt_files, recipe_dir),
        "versions": versions("lm-eval", "transformers", "peft", "torch"),
        **({"server": _server_version(variant)} if variant.eval.serve is not None else {}),
    })


def local_data_identity(variant: Variant, dirs: list[Path], recipe_dir: Path) -> dict[str, str]:
    """Task -> digest of the published files it reads (``eval.data_source: local``). Digests are kept by
    (size, mtime, ctime) under BABELBENCH_HOME, so a re-run reads 14,280 XQuAD questions' files once, not again."""
    from .. import paths
    from ..validate.local_data import data_dir_path, local_files

    data_dir = data_dir_path(variant, recipe_dir)
    assert data_dir is not None
    cache = DigestCache(paths.home() / "cache" / "file-digests.json")
    out = {entry.task: digest([[p.name, cache.digest(p)] for p in entry.files])
           for entry in local_files(variant.eval.tasks, dirs, data_dir)}
    cache.save()
    return out


def _server_version(variant: Variant) -> dict[str, str]:
    """The serving package's version, read where the server runs (vLLM: its own environment)."""
    from ..evaluate.servers import get_server

    assert variant.eval.serve is not None
    return get_server(variant.eval.serve.server).version(variant)


def _resolved(section: dict[str, Any]) -> dict[str, Any]:
    """``dtype: auto`` is bfloat16 on a GPU that has it and float32 elsewhere: keys hold the dtype this
    machine uses (so `auto` on a CPU is the same stage as float32)."""
    if section.get("dtype") != "auto":
        return section
    from ..models.dtype import resolve_dtype

    return {**section, "dtype": resolve_dtype("auto")}


def checkpoint_model(plan: VariantPlan, step: int) -> dict[str, object]:
    """The identity of a kept checkpoint: what a checkpoint's evaluations are keyed on."""
    return {"train": plan.train_key, "step": step}
