"""docs/demo is what `python -m viz.walkthrough --out docs/demo` (`make docs`) draws today: the
walkthrough is drawn afresh and compared with the committed files (SVG and HTML as text, PNGs
pixel by pixel with a small tolerance for font rendering)."""

import pathlib
import re

import numpy as np
import pytest

from viz.graph.render import available

DEMO = pathlib.Path(__file__).resolve().parent.parent / "docs" / "demo"
pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytestmark = pytest.mark.skipif(not available(), reason="needs Graphviz to draw the graphs")


def _text(path: pathlib.Path) -> str:
    page = path.read_text(encoding="utf-8")
    return re.sub(r"(cr-(?:steps|explore)-[0-9a-f]+)-\d+", r"\1-N", page)  # the count of views made so far


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    from viz.walkthrough import main

    out = tmp_path_factory.mktemp("demo")
    assert main(["--out", str(out)]) == 0
    return out


def test_the_same_files(fresh):
    ours = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file())
    assert ours == committed


@pytest.mark.parametrize(
    "name", sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*") if p.suffix in (".svg", ".html"))
)
def test_graphs_and_pages_match(fresh, name):
    assert _text(fresh / name) == _text(DEMO / name), f"docs/demo/{name} is stale: run `make docs`"


@pytest.mark.parametrize("name", sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*.png")))
def test_figures_match(fresh, name):
    from PIL import Image

    ours, committed = (np.asarray(Image.open(d / name).convert("RGB"), dtype=float) for d in (fresh, DEMO))
    assert ours.shape == committed.shape, f"docs/demo/{name} has another size: run `make docs`"
    differs = np.abs(ours - committed).max(axis=2) > 32
    assert differs.mean() < 0.002, f"docs/demo/{name}: {differs.mean():.2%} of its pixels differ: run `make docs`"
