"""The alignment stage: layer-wise representation alignment of parallel sentences on a variant's model.

Like every stage it is a function of its inputs that returns a
:class:`~babelbench.core.records.StageResult` (rows: :class:`~babelbench.core.records.AlignmentRows`,
one per layer and language pair) and never opens the store; :func:`run_alignment` runs it through
the :class:`~babelbench.pipeline.lifecycle.Lifecycle`, keyed by :func:`alignment_key`:

* the model: what the eval stage's key names it by -- the variant's train key, a kept checkpoint
  ``{"train": key, "step": N}``, or the base model's identity (``train.method: none``); for a model
  folder outside the store, the digests of its files (and of the adapter folder's);
* the sentences' content (ids and texts per language, not the file's name), the pivot and the targets;
* the pooling version, the dtype it runs in, ``max_length``; torch/transformers/peft versions.

``batch_size`` and ``device`` change no number and are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.parallel_sentences import ParallelSentences, load_parallel
from ..core.hashing import digest
from ..core.records import AlignmentRows, StageResult
from ..recipe.schema import AlignmentConfig, StageResources
from .keys import VariantPlan, checkpoint_model
from .lifecycle import Lifecycle
from .locks import stage_lock

#: Bump when the stage computes its numbers differently.
ALIGNER = "align-v1"
KIND = "alignment"


@dataclass(frozen=True)
class AlignmentModel:
    """The weights to embed with: ``base`` (a folder or Hub id; a fully fine-tuned folder replaces it),
    plus an optional LoRA ``adapter`` folder."""

    base: str
    adapter: str | None = None


def folder_identity(path: str | Path) -> dict[str, str]:
    """A local model or adapter folder's identity: the digests of its weight, config and tokenizer files."""
    from ..models.registry import model_identity

    return model_identity(str(Path(path).resolve()))


def model_folder_identity(model: AlignmentModel) -> dict[str, object]:
    """The identity of a model given by folders (``harness probe --model``), for :func:`alignment_key`."""
    return {"model": folder_identity(model.base),
            **({"adapter": folder_identity(model.adapter)} if model.adapter is not None else {})}


def variant_model_identity(plan: VariantPlan, step: int | None = None) -> object:
    """What the variant's evaluation names its model by (see :func:`babelbench.pipeline.keys.eval_key_for`)."""
    from ..models.registry import model_identity

    if step is not None:
        return checkpoint_model(plan, step)
    return plan.train_key or model_identity(plan.variant.base_model, plan.recipe_dir)


def alignment_key(model: object, sentences: ParallelSentences, config: AlignmentConfig) -> str:
    from ..analysis.alignment import POOLING
    from ..models.dtype import resolve_dtype
    from .env import versions

    return digest({
        "stage": KIND, "aligner": ALIGNER, "pooling": POOLING, "model": model,
        "sentences": sentences.digest(), "pivot": sentences.pivot, "targets": list(sentences.targets),
        "dtype": resolve_dtype(config.dtype), "max_length": config.max_length,
        "versions": versions("torch", "transformers", "peft"),
    })


def sentences_for(config: AlignmentConfig, base_dir: Path | None) -> ParallelSentences:
    """The configured sentences (``source`` relative to ``base_dir``, the recipe file's folder)."""
    return load_parallel(config.source, config.pivot, config.languages, base_dir, config.max_sentences)


def alignment_stage(model: AlignmentModel, sentences: ParallelSentences, config: AlignmentConfig,
                    label: str = "") -> StageResult:
    """Embed every language's sentences at every layer and compare each target with the pivot."""
    from ..analysis.alignment import layer_alignment
    from ..analysis.hidden_states import embed_sentences, load_encoder
    from ..core import progress

    encoder = load_encoder(model.base, adapter=model.adapter, dtype=config.dtype, device=config.device)
    languages = [sentences.pivot, *sentences.targets]
    embeddings = {}
    for done, lang in enumerate(languages):
        progress.report(done, len(languages), f"embedding {lang}")
        embeddings[lang] = embed_sentences(encoder, sentences.texts[lang], config.batch_size, config.max_length)
    progress.report(len(languages), len(languages), "comparing")
    records = layer_alignment(embeddings, sentences.ids, sentences.pivot, list(sentences.targets))
    info = {"label": label, "layers": encoder.layers, "pivot": sentences.pivot, "targets": list(sentences.targets),
            "pairs": {t: sentences.pairs(t) for t in sentences.targets}, "source": sentences.origin,
            "base": model.base, "adapter": model.adapter}
    return StageResult(info=info, rows=AlignmentRows(records))


def run_alignment(lifecycle: Lifecycle, key: str, variant_id: str, weights: Callable[[], AlignmentModel],
                  sentences: ParallelSentences, config: AlignmentConfig, label: str, force: bool = False,
                  link: bool = True, resources: StageResources | None = None) -> bool:
    """Run the alignment stage under ``key`` unless it is stored already (then say so); True when it ran.
    ``weights`` is called only when there is work (resolving them may build a model). With ``link`` the
    variant points at ``key`` (its latest alignment) in ``variant_stages``."""
    from ..store import writes

    with lifecycle.store.write() as con:
        if link:
            writes.link_stage(con, variant_id, KIND, key)
        done = writes.is_done(con, KIND, key)
    if done and not force:
        lifecycle.skip(KIND, key, "stored already: no work done")
        return False
    with stage_lock(KIND, key):   # another process aligning the same key meanwhile is waited for
        if not force and lifecycle.is_done(KIND, key):
            lifecycle.skip(KIND, key, "stored by another run meanwhile: no work done")
            return False
        model = weights()
        lifecycle.run(KIND, key, variant_id, label=label, resources=resources,
                      work=lambda: alignment_stage(model, sentences, config, label))
    return True


def align_variant(plan: VariantPlan, lifecycle: Lifecycle, model_path: str, adapter: str | None,
                  step: int | None = None, force: bool = False, resources: StageResources | None = None) -> str:
    """The runner's entry (``analysis: [alignment]``): align the model the variant was evaluated on
    (``model_path`` + ``adapter``, as the eval stage got them; ``step`` when a checkpoint was selected)
    with the variant's ``alignment`` settings. Returns the alignment key; stored keys do no work."""
    config = plan.variant.alignment
    sentences = sentences_for(config, plan.recipe_dir)
    key = alignment_key(variant_model_identity(plan, step), sentences, config)
    label = f"{plan.variant.name} {sentences.pivot}->{','.join(sentences.targets)}"
    run_alignment(lifecycle, key, plan.variant_id, lambda: AlignmentModel(model_path, adapter), sentences, config,
                  label=label, force=force, resources=resources)
    return key
