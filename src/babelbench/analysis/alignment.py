"""Layer-wise representation alignment of parallel sentences (the x-LLM / CoIT analysis).

Every layer's hidden states are mean-pooled into one vector per sentence, over the sentence's
own tokens only: :func:`mean_pool` divides by the number of real tokens, not by the padded
length (x-LLM's released hidden-state dump divides by the padded length, so a short sentence
batched next to a long one is shrunk towards zero). Then, per layer and language pair, with
``X`` the source sentences and ``Y`` their translations (row ``i`` of each is one pair):

* ``pair_cosine``: mean cosine of the translation pairs ``(x_i, y_i)``;
* ``nonpair_cosine``: mean cosine of the non-pairs ``(x_i, y_j), i != j`` (None with one pair) --
  the baseline a pair cosine is read against (anisotropic spaces give every pair a high cosine);
* ``retrieval_forward`` / ``retrieval_backward``: top-1 retrieval accuracy source -> target and
  target -> source: the share of sentences whose nearest candidate by cosine is their translation.
  A candidate as close as the translation (within 1e-9) does not make a miss: ties count as hits.

Plain numpy on float64; the model side (:mod:`babelbench.analysis.hidden_states`) hands over arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.records import AlignmentRecord

if TYPE_CHECKING:
    import numpy as np

#: How sentence vectors are made; part of the alignment key (bump when the pooling changes).
POOLING = "mean-over-real-tokens-v1"

#: A candidate this much closer than the translation still counts as a tie (a hit), not a miss.
TIE_TOLERANCE = 1e-9


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``(batch, tokens, dim)`` hidden states -> ``(batch, dim)``: the mean over the tokens whose
    ``mask`` is 1 (the real tokens; padding is 0). A row with no real token is an error."""
    import numpy as np

    hidden = np.asarray(hidden, dtype=np.float64)
    weights = np.asarray(mask, dtype=np.float64)
    if hidden.ndim != 3 or weights.shape != hidden.shape[:2]:
        raise ValueError(f"hidden states {hidden.shape} and mask {weights.shape} do not fit: "
                         "expected (batch, tokens, dim) and (batch, tokens)")
    counts = weights.sum(axis=1)
    if (counts <= 0).any():
        raise ValueError(f"sentence(s) {np.flatnonzero(counts <= 0).tolist()} of the batch have no token to pool")
    return (hidden * weights[:, :, None]).sum(axis=1) / counts[:, None]


def cosine_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(n, dim)`` and ``(m, dim)`` -> ``(n, m)`` cosines. A zero vector is an error (no direction)."""
    import numpy as np

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    nx, ny = np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1)
    if (nx == 0).any() or (ny == 0).any():
        raise ValueError("a sentence vector is all zeros: its cosine is undefined")
    return (x / nx[:, None]) @ (y / ny[:, None]).T


def _top1(sim: np.ndarray) -> float:
    """Share of rows whose own column (the diagonal) is as close as their closest column."""
    import numpy as np

    return float(np.mean(np.diag(sim) >= sim.max(axis=1) - TIE_TOLERANCE))


@dataclass(frozen=True)
class PairScores:
    pair_cosine: float
    nonpair_cosine: float | None
    retrieval_forward: float
    retrieval_backward: float
    n: int


def pair_scores(x: np.ndarray, y: np.ndarray) -> PairScores:
    """Alignment of parallel sentence vectors: row ``i`` of ``x`` translates row ``i`` of ``y``."""
    import numpy as np

    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape != y.shape or len(x) == 0:
        raise ValueError(f"parallel embeddings must be two (n, dim) arrays of the same shape, n > 0; "
                         f"got {x.shape} and {y.shape}")
    sim = cosine_matrix(x, y)
    n = len(sim)
    pair = float(np.trace(sim) / n)
    nonpair = float((sim.sum() - np.trace(sim)) / (n * (n - 1))) if n > 1 else None
    return PairScores(pair, nonpair, _top1(sim), _top1(sim.T), n)


def layer_alignment(embeddings: Mapping[str, Sequence[np.ndarray]], ids: Mapping[str, Sequence[str]],
                    pivot: str, targets: Sequence[str]) -> list[AlignmentRecord]:
    """One record per layer and target language.

    ``embeddings[lang][layer]`` is an ``(n_lang, dim)`` array of that language's sentences in the
    order of ``ids[lang]``; each pair (pivot, target) is compared on the ids both hold, in the pivot's order.
    """
    import numpy as np

    layers = len(embeddings[pivot])
    records: list[AlignmentRecord] = []
    for target in targets:
        if len(embeddings[target]) != layers:
            raise ValueError(f"{target}: {len(embeddings[target])} layers, the pivot {pivot} has {layers}")
        where = {sid: i for i, sid in enumerate(ids[target])}
        shared = [(i, where[sid]) for i, sid in enumerate(ids[pivot]) if sid in where]
        if not shared:
            raise ValueError(f"{pivot} and {target} share no sentence id")
        rows_x = np.array([i for i, _ in shared])
        rows_y = np.array([j for _, j in shared])
        for layer in range(layers):
            s = pair_scores(np.asarray(embeddings[pivot][layer])[rows_x], np.asarray(embeddings[target][layer])[rows_y])
            records.append(AlignmentRecord(layer, pivot, target, s.pair_cosine, s.nonpair_cosine,
                                           s.retrieval_forward, s.retrieval_backward, s.n))
    return records
