"""The train stage's artifact: where its weights lie inside the train folder.

A train folder holds the final weights -- ``adapter/`` (a peft LoRA adapter, ``train.method: lora``) or
``model/`` (a full model, ``train.method: full``) -- and, when ``train.checkpoints`` keeps some for
selection, one folder per kept checkpoint, ``kept/step-<N>/`` (same format as the final weights, marked
``.complete`` once saved). :class:`TrainArtifact` is the one place that layout is written down: the
trainer saves through it, and whatever loads, evaluates, selects or publishes the weights asks it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..core.train_method import TrainMethod

__all__ = ["COMPLETE", "KEPT", "TrainArtifact", "TrainMethod"]

#: Folder (inside the train folder) of the checkpoints kept for selection: ``kept/step-<N>/``.
KEPT = "kept"
#: Marker a kept checkpoint's folder gets once its weights are saved.
COMPLETE = ".complete"


@dataclass(frozen=True)
class TrainArtifact:
    """A train folder's weights: the final ones (``step`` None) or the checkpoint kept at ``step``."""

    #: The train stage's folder (``<artifacts>/train/<train key>``, or the folder it trains in).
    folder: Path
    method: TrainMethod
    #: None: the final weights; N: the checkpoint kept at step N.
    step: int | None = None

    def __post_init__(self) -> None:
        method = TrainMethod(self.method)   # a store row's string is read as the enum
        if method == TrainMethod.NONE:
            raise ValueError("train.method none trains nothing: it has no train artifact")
        object.__setattr__(self, "folder", Path(self.folder))
        object.__setattr__(self, "method", method)

    @property
    def is_adapter(self) -> bool:
        """Whether the weights are a LoRA adapter over the base model (else a whole model replacing it)."""
        return self.method == TrainMethod.LORA

    @property
    def final(self) -> Path:
        """The final weights' folder: ``adapter/`` or ``model/``."""
        return self.folder / ("adapter" if self.is_adapter else "model")

    @property
    def kept_folder(self) -> Path:
        """The folder of the kept checkpoints."""
        return self.folder / KEPT

    def checkpoint(self, step: int) -> Path:
        """The folder of the checkpoint kept (or to keep) at ``step``."""
        return self.kept_folder / f"step-{step}"

    @property
    def weights(self) -> Path:
        """The folder lm-eval (peft, vLLM) loads: the final weights, or the kept checkpoint's."""
        return self.final if self.step is None else self.checkpoint(self.step)

    def kept_steps(self) -> list[int]:
        """Steps whose checkpoint was kept (and saved completely), in order."""
        return sorted(int(p.name.split("-")[1]) for p in self.kept_folder.glob("step-*")
                      if (p / COMPLETE).is_file())

    def at_step(self, step: int | None) -> TrainArtifact:
        """The same train folder's checkpoint kept at ``step`` (None: the final weights)."""
        return replace(self, step=step)

    def adapter_and_model(self) -> tuple[str | None, str | None]:
        """(adapter, model) as the eval backends take them: the adapter folder over the base model, or the
        model folder that replaces the base model; the other is None."""
        weights = str(self.weights)
        return (weights, None) if self.is_adapter else (None, weights)
