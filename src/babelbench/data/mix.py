"""Drawing a training set of a given size and language mix (instruction rows and translation pairs alike)."""

from __future__ import annotations

import random
from typing import TypeVar

Item = TypeVar("Item")  # an instruction example, or a translation pair


def language_counts(mix: dict[str, float], size: int) -> dict[str, int]:
    """Split ``size`` by weight with the largest-remainder rule, so counts sum to ``size`` exactly."""
    raw = {lang: weight * size for lang, weight in mix.items()}
    counts = {lang: int(value) for lang, value in raw.items()}
    short = size - sum(counts.values())
    for lang in sorted(raw, key=lambda k: (-(raw[k] - counts[k]), k))[:short]:
        counts[lang] += 1
    return {lang: n for lang, n in counts.items() if n > 0}


def draw(pool: list[Item], n: int, rng: random.Random) -> list[Item]:
    """``n`` examples from ``pool``: a shuffled pass without repeats, then further shuffled
    passes when ``n`` exceeds the pool (upsampling; the manifest records unique counts).
    A smaller ``n`` with the same generator state takes a prefix of a larger one's draw."""
    if not pool:
        return []
    out: list[Item] = []
    while len(out) < n:
        order = pool[:]
        rng.shuffle(order)
        out += order[: n - len(out)]
    return out
