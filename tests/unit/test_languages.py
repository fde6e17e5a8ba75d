"""Language codes: the common codes skip langcodes' data (a recipe check and a re-run need not load it) and
give exactly what langcodes gives; any other code still goes through langcodes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from babelbench import languages
from tests.conftest import ROOT


@pytest.mark.parametrize("code", languages.COMMON)
def test_a_common_code_is_what_langcodes_makes_of_it(code):
    assert languages.standard_code(code) == languages._langcodes_standard(code) == code


def test_the_common_codes_names_are_langcodes_names():
    assert set(languages._COMMON_NAMES) == set(languages.COMMON)
    assert {c: languages.name(c) for c in languages.COMMON} == {c: languages._langcodes_name(c) for c in languages.COMMON}
    assert languages.name("yo") == "Yoruba" and languages.name("zh-Hant") == "Chinese (Traditional)"


def test_other_codes_go_through_langcodes():
    assert [languages.standard_code(c) for c in ("yor", "eng", "zh_TW", "iw", "zh-Hant")] == [
        "yo", "en", "zh-TW", "he", "zh-Hant"]
    with pytest.raises(ValueError, match="unknown language code 'xx'"):
        languages.standard_code("xx")


def test_common_codes_load_no_language_data():
    code = ("import sys; from babelbench.languages import standard_code, is_known; "
            "assert [standard_code(c) for c in ('en', 'zh')] == ['en', 'zh'] and is_known('ko'); "
            "from babelbench.languages import name; assert name('zh') == 'Chinese'; "
            "print(sorted(m for m in sys.modules if m.startswith(('langcodes', 'language_data'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "[]"
