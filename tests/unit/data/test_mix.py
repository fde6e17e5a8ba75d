import random

from babelbench.data.mix import draw, language_counts
from babelbench.data.sources import Example


def test_counts_follow_weights_and_sum_exactly():
    # 19.2 / 14.4 / 14.4 -> floors 19 / 14 / 14, the one left goes to the largest remainder (tie: by code)
    assert language_counts({"en": 0.4, "zh": 0.3, "es": 0.3}, 48) == {"en": 19, "zh": 14, "es": 15}
    counts = language_counts({"en": 1 / 3, "zh": 1 / 3, "es": 1 / 3}, 10)
    assert sum(counts.values()) == 10 and sorted(counts.values()) == [3, 3, 4]
    assert language_counts({"en": 1.0, "zh": 0.0}, 5) == {"en": 5}


def _pool(n):
    return [Example(str(i), "en", [{"role": "user", "content": "q"}, {"role": "assistant", "content": str(i)}]) for i in range(n)]


def test_draw_is_deterministic_and_unique_until_pool_is_used_up():
    a = draw(_pool(10), 7, random.Random(1))
    b = draw(_pool(10), 7, random.Random(1))
    assert [e.id for e in a] == [e.id for e in b]
    assert len({e.id for e in a}) == 7


def test_draw_upsamples_with_full_passes():
    out = draw(_pool(4), 10, random.Random(0))
    ids = [e.id for e in out]
    assert len(ids) == 10
    assert sorted(ids[:4]) == sorted(ids[4:8]) == ["0", "1", "2", "3"]
