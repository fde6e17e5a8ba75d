"""Compare two trained adapters tensor by tensor (the resume tests: a resumed training against an
uninterrupted one of the same seed)."""

from __future__ import annotations

from pathlib import Path


def adapter_tensors(folder: Path) -> dict:
    """Every tensor of the peft adapter saved in ``folder`` (``adapter_model.safetensors``)."""
    from safetensors.torch import load_file

    return load_file(str(Path(folder) / "adapter_model.safetensors"))


def assert_same_adapter(resumed: Path, uninterrupted: Path) -> None:
    """The two adapters hold the same tensors, bit for bit (torch.equal on each), and were trained (B != 0)."""
    import torch

    a, b = adapter_tensors(resumed), adapter_tensors(uninterrupted)
    assert a.keys() == b.keys() and a, (sorted(a), sorted(b))
    differ = {k: float((a[k].float() - b[k].float()).abs().max()) for k in a if not torch.equal(a[k], b[k])}
    assert not differ, f"resumed != uninterrupted (max abs difference per tensor): {differ}"
    assert any(v.abs().sum() > 0 for k, v in a.items() if "lora_B" in k)   # B starts at zero: trained
