"""`harness report --format markdown|latex`: the exact text for a store with known values (golden files),
and the escaping of every text that comes from the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelbench.cli.app import app
from babelbench.publish import paper_latex, paper_markdown
from babelbench.publish.paper_tables import table_format_names
from tests.unit.publish._known_store import build_known_store

GOLDEN = Path(__file__).parent / "golden"
CASES = {  # golden file -> report arguments
    "leaderboard.md": ["--format", "markdown"],
    "leaderboard.tex": ["--format", "latex"],
    "languages.md": ["--format", "markdown", "--language", "zh", "--language", "hi"],
    "long-ar.md": ["--format", "markdown", "--long", "--language", "ar"],
    "long-ar.tex": ["--format", "latex", "--long", "--language", "ar"],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_known_store(tmp_path_factory.mktemp("known"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_tables_equal_their_golden_text(store, name):
    result = CliRunner().invoke(app, ["report", "--store", str(store), *CASES[name]])
    assert result.exit_code == 0, result.output
    assert result.output == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_golden_tables_hold_the_stored_values(store):
    """The goldens are not just any text: the known values, bold on the single best of each column."""
    text = (GOLDEN / "leaderboard.tex").read_text(encoding="utf-8")
    assert r"demo@mix 50\% & \textbf{0.487 $\pm$ 0.05} & 0.9 $\pm$ 0.04 \\" in text   # (0.5375-0.4375)/2
    assert r"demo@en\_only & 0.4 $\pm$ 0.04 & 0.7 $\pm$ 0.08 \\" in text
    assert text.count(r"\textbf") == 1        # language-id match is a tie (0.9, 0.9): nobody bold
    assert r"\toprule" in text and r"\midrule" in text and r"\bottomrule" in text
    assert "120 for xquad\\_gen, language-id" in text and "bootstrap interval" in text
    md = (GOLDEN / "languages.md").read_text(encoding="utf-8")
    assert "| variant | Hindi \\(hi\\) primary\\_score | Chinese \\(zh\\) primary\\_score |" not in md
    assert "| variant | Hindi (hi) primary\\_score | Chinese (zh) primary\\_score |" in md
    assert "| demo@mix 50% | **0.3** | **0.5** |" in md


def test_text_from_the_store_is_escaped():
    assert paper_latex.escape("a_b & 50% #1 {x} ~ ^ \\") == (
        r"a\_b \& 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}")
    assert paper_latex.escape("0.5 ± 0.1 —") == r"0.5 $\pm$ 0.1 ---"
    assert paper_markdown.escape("a|b *c* _d_ <e> `f`") == r"a\|b \*c\* \_d\_ \<e\> \`f\`"


def test_formats_are_a_registry_and_an_unknown_one_is_refused(store):
    assert {"latex", "markdown"} <= set(table_format_names())
    result = CliRunner().invoke(app, ["report", "--store", str(store), "--format", "html"])
    assert result.exit_code == 2 and "markdown" in result.output
