"""Widgets and saved outputs in a real JupyterLab (headless Chromium driving a server on 127.0.0.1)."""

import re

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


def notebook(*sources: str):
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return book


def caption_and_grads(page, lab, cell):
    """The step-through's caption and the grads written in its picture's records."""
    caption = lab.output(page, cell, "node.querySelector('.cr-caption, .widget-html').innerText")
    texts = lab.output(page, cell, "[...node.querySelectorAll('svg text')].map(t => t.textContent)")
    return caption, [t for t in texts if t.startswith("grad")]


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
    page.wait("document.querySelectorAll('.widget-slider, .jupyter-widgets svg').length > 0", 60)
    first = lab.output(page, 1, "node.innerText")
    assert "receives grad 1 (the seed)" in first
    texts = lab.output(page, 1, "[...node.querySelectorAll('svg text')].map(t => t.textContent)")
    assert any(re.fullmatch(r"grad 1", t) for t in texts), texts  # the seed, not 2
    assert "grad 2" not in texts
    assert lab.output(page, 2, "node.innerText").split() == ["1.0", "3.0", "-4.0"]  # untouched
    # step forward with the keyboard on the slider: caption and picture move together
    page.click(".jp-OutputArea .noUi-handle, .jp-OutputArea .widget-slider input")
    page.key("ArrowRight", "ArrowRight", 39)
    page.wait("document.querySelector('.jp-OutputArea').innerText.includes('step 1:')", 20)
    texts = lab.output(page, 1, "[...node.querySelectorAll('svg text')].map(t => t.textContent)")
    caption = lab.output(page, 1, "node.innerText")
    assert "step 1: q receives grad -4" in caption or "step 1: z receives grad 3" in caption, caption
    assert "grad 6" not in texts and "grad -8" not in texts


def test_saved_widget_outputs_show_a_picture(lab, tmp_path):
    """A notebook executed and saved elsewhere, opened without running it: its step-through
    output shows a picture, not the widget's text `VBox(children=...`."""
    from nbclient import NotebookClient

    book = notebook(
        "import viz\nfrom autograd import Value\n"
        "x, y = Value(2.0, label='x'), Value(3.0, label='y')\nf = x * y; f.label = 'f'",
        "viz.step_through(f)",
    )
    NotebookClient(book, timeout=120, kernel_name="python3").execute()
    lab.put("saved.ipynb", book)
    page = lab.open("saved.ipynb")
    page.wait("window.jupyterapp.shell.currentWidget.content.widgets.length === 2", 30)
    page.wait("document.querySelectorAll('.jp-OutputArea-output').length > 0", 30)
    shown = lab.output(page, 1, "({text: node.innerText, images: node.querySelectorAll('img, svg').length})")
    assert "VBox(" not in shown["text"]
    assert shown["images"] >= 1
