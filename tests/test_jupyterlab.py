"""Widgets and saved outputs in a real JupyterLab (headless Chromium driving a server on 127.0.0.1)."""

import re
import time

import nbformat
import pytest
from browser import CHROMIUM

pytest.importorskip("jupyterlab")
pytest.importorskip("ipywidgets")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from lab_server import JupyterLab

    with JupyterLab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(autouse=True)
def one_page_at_a_time(lab):
    """Each test's pages and kernels are closed after it: two machines' worth of JupyterLab
    frontends would starve the next test."""
    yield
    lab.finish()


def notebook(*sources: str):
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return book


def test_step_through_after_the_learners_backward(lab):
    """The natural order: f.backward() first, then step_through(f). The pictures show one pass
    (seed 1, z 3 ...) as the captions say, and the learner's gradients are left as they were."""
    lab.put(
        "steps.ipynb",
        notebook(
            "import viz\nfrom autograd import Value\n"
            "x, y, z = Value(-2.0, label='x'), Value(5.0, label='y'), Value(-4.0, label='z')\n"
            "q = x + y; q.label = 'q'\nf = q * z; f.label = 'f'\nf.backward()",
            "viz.step_through(f)",
            "print(f.grad, z.grad, x.grad)",
        ),
    )
    page = lab.open("steps.ipynb")
    lab.run_all(page)
    page.wait("document.querySelectorAll('.jp-OutputArea .widget-slider svg, .jp-OutputArea svg').length > 0", 60)
    texts = "[...node.querySelectorAll('svg text')].map(t => t.textContent.split(/\\s+/).join(' ').trim())"
    first = lab.output(page, 1, texts)
    assert "step 0: f receives grad 1 (the seed) and sends -4 to q, 3 to z" in first
    assert "grad 1" in first and "grad 2" not in first  # the seed, not doubled
    assert lab.output(page, 2, "node.innerText").split() == ["1.0", "3.0", "-4.0"]  # untouched
    # step forward with the keyboard on the slider: caption and picture move together
    page.click(".jp-OutputArea .noUi-handle")
    page.key("ArrowRight", "ArrowRight", 39)
    page.wait("document.querySelector('.jp-OutputArea svg text').textContent.startsWith('step 1:')", 20)
    page.key("ArrowRight", "ArrowRight", 39)
    page.wait("document.querySelector('.jp-OutputArea svg text').textContent.startsWith('step 2:')", 20)
    shown = lab.output(page, 1, texts)
    assert "step 2: q receives grad -4 and sends -4 to x, -4 to y" in shown
    assert "grad 3" in shown and "grad -4" in shown and "grad 6" not in shown and "grad -8" not in shown
    assert lab.output(page, 1, "node.querySelector('.widget-readout').textContent.trim()") == "2"


def test_saved_widget_outputs_show_a_picture(lab, tmp_path):
    """A notebook executed and saved elsewhere, opened without running it: its step-through and
    Playground outputs show a picture, not the widget's text `VBox(children=...`."""
    from nbclient import NotebookClient

    book = notebook(
        "import viz\nfrom autograd import Value\n"
        "x, y = Value(2.0, label='x'), Value(3.0, label='y')\nf = x * y; f.label = 'f'",
        "viz.step_through(f)",
        "viz.playground(hidden=(4, 2))",
    )
    NotebookClient(book, timeout=120, kernel_name="python3").execute()
    lab.put("saved.ipynb", book)
    page = lab.open("saved.ipynb")
    page.wait("window.jupyterapp.shell.currentWidget.content.widgets.length === 3", 30)
    page.wait("document.querySelectorAll('.jp-OutputArea-output').length > 1", 30)
    for cell in (1, 2):  # the step-through, the Playground
        shown = lab.output(page, cell, "({text: node.innerText, images: node.querySelectorAll('img, svg').length})")
        assert "VBox(" not in shown["text"]
        assert shown["images"] >= 1


def test_explore_opens_a_box_in_jupyterlab(lab):
    """viz.explore in a notebook cell: its script runs in JupyterLab's output, a click opens a layer."""
    lab.put(
        "explore.ipynb",
        notebook(
            "import nn, viz\nfrom autograd import Value\nnn.manual_seed(1337)\nmodel = nn.MLP(2, [16, 16, 1])\n"
            "out = model([Value(0.5), Value(-0.3)])\nout.backward()\nviz.explore(out)"
        ),
    )
    page = lab.open("explore.ipynb")
    lab.run_all(page)
    page.wait("document.querySelector('.jp-OutputArea .cr-explore[data-shown]') !== null", 60)
    shown = "+document.querySelector('.jp-OutputArea .cr-explore').getAttribute('data-shown')"
    assert page.run(shown) == 6
    page.run("document.querySelector('.jp-OutputArea .cr-box[data-box=\"layer2\"]').scrollIntoView()")
    page.click('.jp-OutputArea .cr-box[data-box="layer2"]')
    page.wait(f"{shown} > 6", 10)
    assert page.run("document.querySelectorAll('.jp-OutputArea .cr-box[data-box^=\"layer2.\"]').length") == 16


def test_saved_explore_output_shows_the_folded_picture(lab):
    """Opened without running (an untrusted output: no script), the view shows draw_graph's picture."""
    from nbclient import NotebookClient

    book = notebook(
        "import nn, viz\nfrom autograd import Value\nnn.manual_seed(0)\nmodel = nn.MLP(2, [4, 4, 1])\n"
        "out = model([Value(0.5), Value(-0.3)])\nout.backward()\nviz.explore(out)"
    )
    NotebookClient(book, timeout=120, kernel_name="python3").execute()
    lab.put("saved_explore.ipynb", book)
    page = lab.open("saved_explore.ipynb")
    page.wait("document.querySelectorAll('.jp-OutputArea-output').length > 0", 30)
    page.wait("document.querySelector('.jp-OutputArea-output img') !== null", 30)
    shown = lab.output(page, 0, "getComputedStyle(node.querySelector('img')).display")
    assert shown != "none"


def _epoch(page, lab) -> int:
    text = lab.output(page, 0, "node.querySelector('.widget-html').innerText")
    return int(re.search(r"epoch (\d+)", text).group(1))


def test_playground_graph_button_and_pause_in_jupyterlab(lab):
    """The Playground panel of the lecture's size (16, 16): 'draw its graph' right away draws the
    chosen unit's graph, labels are whole, and pause stops training within a few epochs
    (before: ~350 epochs, 5-8 s, because the loop starved the kernel)."""
    lab.put("play.ipynb", notebook("import viz\nviz.playground(hidden=(16, 16), dataset='circle')"))
    page = lab.open("play.ipynb")
    lab.run_all(page)
    page.wait("document.querySelector('.jp-OutputArea .widget-button') !== null", 60)
    labels = lab.output(page, 0, "[...node.querySelectorAll('.widget-label')].map(l => l.textContent)")
    assert "learning rate" in labels and "regularisation" in labels
    overflowing = lab.output(
        page, 0, "[...node.querySelectorAll('.widget-label')].filter(l => l.scrollWidth > l.clientWidth + 1).length"
    )
    assert overflowing == 0  # no "learning r…"
    buttons = "[...document.querySelectorAll('.jp-OutputArea button')]"
    page.run(f"{buttons}.find(b => b.textContent.includes('draw its graph')).click()")
    page.wait("document.querySelectorAll('.jp-OutputArea svg .node').length > 0", 60)
    assert not [m for m in page.console if "TypeError" in m]
    page.run(f"{buttons}.find(b => b.textContent.trim() === 'play').click()")
    page.wait("+document.querySelector('.jp-OutputArea .widget-html').innerText.match(/epoch (\\d+)/)[1] >= 20", 120)
    at_pause = _epoch(page, lab)
    page.run(f"{buttons}.find(b => b.textContent.trim() === 'pause').click()")
    time.sleep(1.5)  # let a running slice finish and the last redraw arrive
    settled = _epoch(page, lab)
    time.sleep(1.0)
    assert _epoch(page, lab) == settled  # stopped
    assert settled - at_pause <= 20, f"{settled - at_pause} epochs after pause"
