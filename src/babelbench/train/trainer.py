"""Training a variant: Trainer for the loop, checkpoints and resume; peft for LoRA.

Checkpoints go to ``<out>/checkpoints`` every ``train.save_steps``; a run that finds
one there resumes from the latest (optimizer, scheduler, RNG and data position included,
as Trainer restores them). The finished model is saved where :class:`.artifact.TrainArtifact`
says (``<out>/adapter`` in peft format, or ``<out>/model`` for full fine-tuning), with the
checkpoints ``train.checkpoints`` keeps, then the resume checkpoints are removed.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..models.dtype import resolve_dtype
from ..recipe.schema import TrainConfig, Variant
from .artifact import COMPLETE, TrainArtifact, TrainMethod
from .tokenize import IGNORE_INDEX, tokenize_example

#: Extra TrainerCallbacks (tests use this to interrupt a run at a chosen step).
EXTRA_CALLBACKS: list = []


@dataclass
class TrainResult:
    output: str            # folder holding the adapter or the full model
    kind: str              # adapter | model
    global_step: int
    train_loss: float
    seconds: float
    resumed_from: str | None
    examples: int
    #: Processes that trained together (``accelerate launch``); 1 in one process.
    processes: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _device_supports_bf16() -> bool:
    import torch

    return torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def train_variant(variant: Variant, base_path: str, data_dir: Path, out_dir: Path) -> TrainResult:
    from transformers import DataCollatorForSeq2Seq, Trainer, set_seed

    cfg = variant.train
    artifact = TrainArtifact(out_dir, cfg.method)
    started = time.perf_counter()
    # Trainer seeds only when it is built; the LoRA matrices are drawn before that, in
    # get_peft_model, so seed here (python, numpy, torch) for train.seed to fix the initialisation.
    set_seed(cfg.seed)
    tokenizer, model, dtype_name = _load(cfg, base_path)
    train_set = _tokenized(tokenizer, cfg, data_dir)
    checkpoints = out_dir / "checkpoints"
    args = _training_arguments(cfg, checkpoints, dtype_name)
    collator = DataCollatorForSeq2Seq(tokenizer, label_pad_token_id=IGNORE_INDEX, padding=True)
    callbacks = [*EXTRA_CALLBACKS, _progress_callback()]
    if cfg.checkpoints:
        callbacks.append(_keep_checkpoints(artifact, cfg.checkpoints, tokenizer))
    trainer = Trainer(model=model, args=args, train_dataset=train_set, data_collator=collator,
                      callbacks=callbacks)
    resume = _latest_checkpoint(checkpoints)
    output = trainer.train(resume_from_checkpoint=str(resume) if resume else None)

    final = artifact.final
    result = TrainResult(output=str(final), kind=final.name, global_step=trainer.state.global_step,
                         train_loss=float(output.training_loss), seconds=time.perf_counter() - started,
                         resumed_from=resume.name if resume else None, examples=len(train_set),
                         processes=trainer.args.world_size)
    if not trainer.is_world_process_zero():   # several processes (accelerate launch): the first one saves
        return result
    _save_final(artifact, trainer, tokenizer, bool(cfg.checkpoints))
    (out_dir / "train_result.json").write_text(result.to_json())
    (out_dir / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    shutil.rmtree(checkpoints, ignore_errors=True)
    return result


def _load(cfg: TrainConfig, base_path: str):
    """(tokenizer, model, dtype name): the base model in ``train.dtype``, with a fresh LoRA adapter for ``lora``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    dtype_name = resolve_dtype(cfg.dtype)
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype_name]
    model = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype)
    if cfg.method == TrainMethod.LORA:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(
            r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
            target_modules=list(cfg.lora.target_modules), task_type="CAUSAL_LM"))
    return tokenizer, model, dtype_name


def _tokenized(tokenizer, cfg: TrainConfig, data_dir: Path):
    """The data stage's ``train.jsonl``, tokenized (labels on the response, or on everything)."""
    import datasets

    raw = datasets.Dataset.from_json(str(data_dir / "train.jsonl"))
    return raw.map(
        lambda row: tokenize_example(tokenizer, row["prompt"], row["response"], cfg.max_length, cfg.train_on_prompt),
        remove_columns=raw.column_names, desc="tokenizing")


def _training_arguments(cfg: TrainConfig, checkpoints: Path, dtype_name: str):
    import torch
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.lr,
        num_train_epochs=cfg.epochs or 1.0,
        max_steps=cfg.max_steps or -1,
        lr_scheduler_type=cfg.scheduler,
        warmup_steps=cfg.warmup_ratio,  # a float < 1 is read as a share of the steps
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
        data_seed=cfg.seed,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=2,
        logging_steps=max(1, min(10, cfg.save_steps)),
        report_to=[],
        bf16=dtype_name == "bfloat16" and _device_supports_bf16(),
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
        remove_unused_columns=False,
    )


def _save_final(artifact: TrainArtifact, trainer, tokenizer, keeps: bool) -> None:
    """The final weights (replacing any left from before), and as a kept checkpoint when selection keeps some."""
    final = artifact.final
    if final.exists():
        shutil.rmtree(final)
    trainer.model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    if keeps:  # the final step is always a candidate
        _save_kept(artifact.checkpoint(trainer.state.global_step), trainer.model, tokenizer)


def _save_kept(target: Path, model, tokenizer) -> None:
    if (target / COMPLETE).is_file():
        return
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    (target / COMPLETE).write_text("ok\n")


def _progress_callback():
    """Steps done of the run's total, with the last logged loss, for the run's display."""
    from transformers import TrainerCallback

    from ..core import progress

    class Progress(TrainerCallback):
        loss = ""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.loss = f"loss {logs['loss']:.3f}"

        def on_step_end(self, args, state, control, **kwargs):
            progress.report(state.global_step, state.max_steps or None, self.loss)

    return Progress()


def _wanted(step: int, every: int | list[int]) -> bool:
    return step in every if isinstance(every, list) else step % every == 0


def _keep_checkpoints(artifact: TrainArtifact, every: int | list[int], tokenizer):
    """A TrainerCallback saving the adapter (or model) at the steps ``train.checkpoints`` names."""
    from transformers import TrainerCallback

    class KeepCheckpoints(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kwargs):
            if model is not None and state.is_world_process_zero and _wanted(state.global_step, every):
                _save_kept(artifact.checkpoint(state.global_step), model, tokenizer)
            return control

    return KeepCheckpoints()


def _latest_checkpoint(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    found = [p for p in folder.glob("checkpoint-*") if (p / "trainer_state.json").is_file()]
    return max(found, key=lambda p: int(p.name.split("-")[-1]), default=None)
