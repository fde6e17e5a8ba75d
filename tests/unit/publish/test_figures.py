"""`harness figures DIR`: every figure is written, non-empty, of its stated size (one column or the page
of a two-column paper), and the labels it draws are the store's languages and variants (read back from
the SVG, whose text stays text)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from babelbench.cli.app import app
from babelbench.publish.figure_data import FigureData
from babelbench.publish.figures import COLUMN_IN, PAGE_IN, render
from babelbench.publish.paper_tables import language_label
from tests.unit.publish._known_store import BASE, CURVE, EN_ONLY, LANGUAGES, MIXED, PAIRWISE, VARIANTS, build_known_store

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {"en": "English (en)", "zh": "Chinese (zh)", "ar": "Arabic (ar)", "hi": "Hindi (hi)"}
EXPECTED = {"heatmap-xquad_gen", "transfer-gaps-xquad_gen", "pairwise", "training-curves-demo-en_only",
            *(f"forest-{c}" for c in LANGUAGES), *(f"win-rate-{c}" for c in LANGUAGES)}


@pytest.fixture(scope="module")
def svgs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figs")
    store = build_known_store(folder)
    result = CliRunner().invoke(app, ["figures", str(folder / "out"), "--store", str(store), "--format", "svg"])
    assert result.exit_code == 0, result.output
    return {p.stem: p for p in (folder / "out").iterdir()}, result.output


def _ticks(path, axis: str) -> list[str]:
    """The tick labels the first axes draws on ``axis`` (x or y), a label's lines joined by a space."""
    root = ET.parse(path).getroot()
    axes = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "axes_1")
    return [" ".join(t.text or "" for t in g.iter(f"{SVG}text"))
            for g in axes.iter(f"{SVG}g") if (g.get("id") or "").startswith(f"{axis}tick_")
            and any(True for _ in g.iter(f"{SVG}text"))]


def _size_in(path) -> tuple[float, float]:
    root = ET.parse(path).getroot()
    return float(root.get("width").removesuffix("pt")) / 72, float(root.get("height").removesuffix("pt")) / 72


def test_each_figure_is_written_non_empty_and_of_its_stated_size(svgs):
    files, output = svgs
    assert set(files) == EXPECTED
    for stem, path in files.items():
        assert path.stat().st_size > 2000, stem
        width, height = _size_in(path)
        assert width == pytest.approx(COLUMN_IN) or width == pytest.approx(PAGE_IN), (stem, width)
        assert f"{path}  ({width:.2f} × {height:.2f} in)" in output    # the size the command states
        assert 1.0 <= height <= 9.0, (stem, height)


def test_heatmaps_draw_the_stores_variants_and_languages(svgs):
    files, _ = svgs
    heat, gaps = files["heatmap-xquad_gen"], files["transfer-gaps-xquad_gen"]
    assert _ticks(heat, "y") == VARIANTS
    assert _ticks(heat, "x") == [NAMES[c] for c in ("en", "ar", "hi", "zh")]   # English first
    assert _ticks(gaps, "y") == VARIANTS
    assert _ticks(gaps, "x") == [NAMES[c] for c in ("ar", "hi", "zh")]         # gaps: the other languages
    texts = [t.text for t in ET.parse(heat).getroot().iter(f"{SVG}text")]
    assert "0.80" in texts and "0.45" in texts    # the values in the cells (en_only en, mix ar)
    texts = [t.text for t in ET.parse(gaps).getroot().iter(f"{SVG}text")]
    assert "-0.60" in texts or "−0.60" in texts   # en_only: hi 0.20 - en 0.80


def test_forests_pairwise_and_curves_draw_every_label(svgs):
    files, _ = svgs
    for lang in LANGUAGES:
        assert _ticks(files[f"forest-{lang}"], "y") == VARIANTS
        title = [t.text for t in ET.parse(files[f"forest-{lang}"]).getroot().iter(f"{SVG}text")]
        assert language_label(lang) in title
        assert _ticks(files[f"win-rate-{lang}"], "y") == [f"{v} vs {BASE}" for v in sorted(PAIRWISE)]
    assert _ticks(files["pairwise"], "y") == [f"{EN_ONLY} vs {BASE}", f"{MIXED} vs {BASE}"]
    texts = [t.text for t in ET.parse(files["pairwise"]).getroot().iter(f"{SVG}text")]
    assert {"win", "tie", "loss", "0.30", "0.55"} <= set(texts)
    curve = files["training-curves-demo-en_only"]
    texts = [t.text for t in ET.parse(curve).getroot().iter(f"{SVG}text")]
    assert {"English (en)", "Chinese (zh)", "chosen: step 20"} <= set(texts)
    assert {str(s) for s in CURVE} <= set(_ticks(curve, "x"))


@pytest.mark.parametrize("name", ["demo@中文-only", "demo@日本語", "demo@عربي", "demo@हिन्दी"])
def test_cjk_arabic_and_devanagari_names_are_drawn_with_real_glyphs(name):
    """A missing glyph is a matplotlib warning (and a box in the figure): none for CJK, Arabic or Devanagari
    (`make browser` installs Noto CJK and Noto core)."""
    data = FigureData(primary=[{"variant": name, "family": "xquad_gen", "language": lang, "metric": "f1",
                                "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 30, "task": f"xquad_gen_{lang}"}
                               for lang in ("en", "zh")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [(file, png)] = render(data, "heatmap", "png")
        [(_, svg)] = render(data, "heatmap", "svg")
    assert file == "heatmap-xquad_gen.png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert name in svg.decode()


def test_bad_arguments_are_refused_before_drawing(tmp_path):
    store = build_known_store(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["figures", str(tmp_path / "o"), "--store", str(store), "--format", "jpeg"])
    assert result.exit_code == 2 and "pdf, svg, png" in result.output and not (tmp_path / "o").exists()
    result = runner.invoke(app, ["figures", str(tmp_path / "o"), "--store", str(store), "--variant", "nope"])
    assert result.exit_code == 2 and "nope" in result.output and not (tmp_path / "o").exists()
    result = runner.invoke(app, ["figures", str(tmp_path / "o"), "--store", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 1 and "no store" in result.output
