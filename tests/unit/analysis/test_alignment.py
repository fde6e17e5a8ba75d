"""Alignment numbers against hand-computed literals and scipy: mask-aware pooling, cosines, non-pairs,
top-1 retrieval both ways (ties count as hits), and one record per layer and target language."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from babelbench.analysis.alignment import cosine_matrix, layer_alignment, mean_pool, pair_scores

R2 = 1 / math.sqrt(2)


def test_mean_pool_divides_by_the_real_tokens_not_the_padded_length():
    hidden = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]],
                       [[2.0, 0.0], [50.0, 50.0], [7.0, 7.0]]])
    mask = np.array([[1, 1, 0], [1, 0, 0]])
    assert mean_pool(hidden, mask).tolist() == [[2.0, 3.0], [2.0, 0.0]]
    # x-LLM's dump divided the masked sum by the padded length (3): [[4/3, 2], [2/3, 0]] -- not this
    assert not np.allclose(mean_pool(hidden, mask), (hidden * mask[:, :, None]).sum(1) / 3)


def test_mean_pool_takes_any_token_subset_and_refuses_an_empty_one():
    hidden = np.arange(12, dtype=float).reshape(1, 3, 4)   # tokens [0..3], [4..7], [8..11]
    assert mean_pool(hidden, np.array([[0, 1, 1]])).tolist() == [[6.0, 7.0, 8.0, 9.0]]
    with pytest.raises(ValueError, match="no token to pool"):
        mean_pool(hidden, np.array([[0, 0, 0]]))
    with pytest.raises(ValueError, match="do not fit"):
        mean_pool(hidden, np.array([[1, 1]]))


def test_cosine_matrix_by_hand_and_against_scipy():
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    y = np.array([[1.0, 1.0], [0.0, 3.0]])
    assert cosine_matrix(x, y) == pytest.approx(np.array([[R2, 0.0], [R2, 1.0]]))
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(6, 5)), rng.normal(size=(7, 5))
    assert cosine_matrix(a, b) == pytest.approx(1 - cdist(a, b, "cosine"), abs=1e-12)
    with pytest.raises(ValueError, match="all zeros"):
        cosine_matrix(np.zeros((1, 2)), y)


def test_pair_scores_by_hand():
    # sim = [[0, 0, 1/sqrt5], [1, 1, 2/sqrt5], [1/sqrt2, 1/sqrt2, 3/sqrt10]]
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 2.0]])
    s = pair_scores(x, y)
    diag = 0 + 1 + 3 / math.sqrt(10)
    total = 1 / math.sqrt(5) + 2 + 2 / math.sqrt(5) + 2 * R2 + 3 / math.sqrt(10)
    assert s.pair_cosine == pytest.approx(diag / 3) == pytest.approx(0.6495611)
    assert s.nonpair_cosine == pytest.approx((total - diag) / 6) == pytest.approx(0.6259757)
    # row 0 misses (0 < 1/sqrt5); row 1 ties column 0 (a hit); row 2 hits
    assert s.retrieval_forward == pytest.approx(2 / 3)
    assert s.retrieval_backward == pytest.approx(2 / 3)
    assert s.n == 3


def test_retrieval_directions_differ():
    x = np.array([[1.0, 0.0], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    s = pair_scores(x, y)
    # forward: x1's nearest is y0 (1 > 0): a miss. backward: y0 ties x0/x1, y1 ties them at 0: both hits
    assert (s.pair_cosine, s.nonpair_cosine, s.retrieval_forward, s.retrieval_backward) == (0.5, 0.5, 0.5, 1.0)


def test_retrieval_equals_argmax_where_there_are_no_ties():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(20, 8))
    y = x + rng.normal(scale=1.5, size=(20, 8))
    sim = 1 - cdist(x, y, "cosine")
    s = pair_scores(x, y)
    assert s.retrieval_forward == pytest.approx(np.mean(sim.argmax(axis=1) == np.arange(20)))
    assert s.retrieval_backward == pytest.approx(np.mean(sim.argmax(axis=0) == np.arange(20)))
    assert 0 < s.retrieval_forward < 1


def test_a_set_with_itself_is_perfectly_aligned_and_one_pair_has_no_nonpair():
    x = np.random.default_rng(1).normal(size=(5, 4))
    s = pair_scores(x, x.copy())
    assert (s.pair_cosine, s.retrieval_forward, s.retrieval_backward) == (pytest.approx(1.0), 1.0, 1.0)
    assert pair_scores(x[:1], x[:1]).nonpair_cosine is None
    with pytest.raises(ValueError, match="same shape"):
        pair_scores(x, x[:3])


def test_layer_alignment_pairs_by_id_per_layer_and_target():
    en = [np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])]
    # de holds s3 and s1 (in that order), fr only s2
    de = [np.array([[1.0, 1.0], [1.0, 0.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    fr = [np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]])]
    records = layer_alignment({"en": en, "de": de, "fr": fr}, {"en": ["s1", "s2", "s3"], "de": ["s3", "s1"],
                                                               "fr": ["s2"]}, "en", ["de", "fr"])
    got = {(r.layer, r.target_language): (r.pair_cosine, r.n) for r in records}
    assert got == {(0, "de"): (pytest.approx(1.0), 2), (1, "de"): (pytest.approx((1 + R2) / 2), 2),
                   (0, "fr"): (pytest.approx(1.0), 1), (1, "fr"): (pytest.approx(0.0), 1)}
    assert {r.source_language for r in records} == {"en"}
    with pytest.raises(ValueError, match="share no sentence id"):
        layer_alignment({"en": en, "fr": fr}, {"en": ["a", "b", "c"], "fr": ["z"]}, "en", ["fr"])
