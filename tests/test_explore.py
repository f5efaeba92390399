"""viz.explore: one self-contained page whose folded boxes open and close on click, that pans
and zooms, and whose values show their data, grad and op on hover (headless Chromium)."""

import json
import pathlib
import re

import pytest
from browser import CHROMIUM, DevTools

import nn
from autograd import Value
from viz import explore


def lecture_mlp():
    nn.manual_seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    out = model([Value(0.5), Value(-0.3)])
    out.backward()
    return model, out


def test_the_page_is_self_contained_and_starts_folded(tmp_path):
    _, out = lecture_mlp()
    view = explore(out)
    page = view.save(tmp_path / "graph.html")
    text = pathlib.Path(page).read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']https?:""", text)  # nothing fetched
    graph = view.graph
    assert len(graph["nodes"]) == 404
    assert {"layer1", "layer2", "layer3"} <= set(graph["closed"])  # folded as draw_graph folds it
    assert graph["boxes"]["layer1"]["params"] == 48 and graph["boxes"]["layer1.n0"]["parent"] == "layer1"
    assert view._repr_html_().startswith("<div")
    assert 'class="cr-static"' in text  # draw_graph's picture until the script runs
    with pytest.raises(TypeError, match="Value or Tensor"):
        explore(3.0)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")
def test_a_box_opens_and_folds_on_click_and_the_view_pans_and_zooms(tmp_path):
    _, out = lecture_mlp()
    page = explore(out).save(tmp_path / "graph.html")
    browser = DevTools(f"file://{page}", tmp_path / "profile")
    try:
        browser.wait("document.querySelector('.cr-explore[data-shown]') !== null", 30)
        shown = "+document.querySelector('.cr-explore').getAttribute('data-shown')"
        folded = browser.run(shown)
        assert folded == 6  # two inputs, three layers, the output
        assert browser.run("getComputedStyle(document.querySelector('.cr-static')).display") == "none"
        browser.click('.cr-box[data-box="layer1"]')
        browser.wait(f"{shown} > {folded}", 10)
        boxes = browser.run("[...document.querySelectorAll('.cr-box')].map(b => b.getAttribute('data-box'))")
        assert (
            "layer1" not in boxes and "layer1.n0" in boxes and len([b for b in boxes if b.startswith("layer1.")]) == 16
        )
        frame = browser.run("document.querySelector('.cr-frame-title[data-box=\"layer1\"]').textContent")
        assert "layer 1 · 16 neurons, relu" in frame
        browser.click('.cr-box[data-box="layer1.n3"]')  # one neuron: its weights appear, named
        browser.wait("document.querySelectorAll('.cr-node').length > 6", 10)
        texts = browser.run("[...document.querySelectorAll('.cr-node text')].map(t => t.textContent)")
        assert "w0" in texts and any(t.startswith("grad ") for t in texts)
        # hovering a value shows its data, grad and the op that made it
        # (dispatched and read in one call: the real pointer, left over a box by the clicks, may
        # enter another box a moment later and show that box's tip instead)
        tip = browser.run(
            "(() => { document.querySelector('.cr-node[data-node=\"403\"]')"
            ".dispatchEvent(new MouseEvent('mouseenter', {clientX: 100, clientY: 100}));"
            " return document.querySelector('.cr-tip').innerText; })()"
        )
        assert "data -0.3993" in tip and "grad 1" in tip and "made by 'dot'" in tip
        # the frame's title folds the layer again
        browser.click('.cr-frame-title[data-box="layer1"]')
        browser.wait(f"{shown} == {folded}", 10)
        # zoom in with the button, pan by dragging
        before = browser.run("document.querySelector('.cr-viewport').getAttribute('transform')")
        browser.click('button[data-do="in"]')
        assert float(browser.run("document.querySelector('.cr-explore').getAttribute('data-zoom')")) > 0
        browser.mouse("mousePressed", 400, 300)
        browser.mouse("mouseMoved", 450, 340)
        browser.mouse("mouseReleased", 450, 340)
        after = browser.run("document.querySelector('.cr-viewport').getAttribute('transform')")
        assert after != before
        assert not browser.console, browser.console
    finally:
        browser.close()


def test_tensor_graphs_and_modules_explore_too(tmp_path):
    import numpy as np

    from autograd import Tensor

    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    loss = (model(Tensor(np.ones((3, 2)))) ** 2).mean()
    loss.backward()
    graph = explore(loss, modules=model).graph
    assert set(graph["boxes"]) >= {"0", "2"}
    assert json.dumps(graph)  # plain JSON
    root = graph["nodes"][-1]
    assert root["kind"] == "root" and root["grad"] == "1"
