"""The bad-input corpus's data cases (:mod:`tests.integration.bad_input_data`), run by the corpus's own
check: exit 2, file with line or row and field, no traceback, nothing written."""

from __future__ import annotations

import pytest

from tests.integration import test_bad_input_corpus as corpus
from tests.integration.bad_input_data import DATA_CASES


def test_the_whole_corpus_holds_at_least_80_cases_with_unique_ids():
    ids = [case.id for case in corpus.CASES + DATA_CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 80


@pytest.mark.parametrize("case", DATA_CASES, ids=[c.id for c in DATA_CASES])
def test_bad_data_is_refused_before_any_work(case, tmp_path, monkeypatch):
    corpus.test_bad_input_is_refused_before_any_work(case, tmp_path, monkeypatch)
