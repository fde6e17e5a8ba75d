"""Fine-tuning a variant with transformers' Trainer (+ peft for LoRA)."""

from .trainer import TrainResult, train_variant

__all__ = ["TrainResult", "train_variant"]
