"""The Playground panel in a real JupyterLab (headless Chromium driving a server on 127.0.0.1):
its graph button before a unit is picked, pause while a 16x16 network trains, and its saved
output for a reader who has not run the cell."""

import re
import time

import nbformat
import pytest
from browser import CHROMIUM

pytest.importorskip("jupyterlab")
pytest.importorskip("ipywidgets")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")

PANEL = "window.jupyterapp.shell.currentWidget.content.widgets[0].node.querySelector('.jp-OutputArea')"
STATUS_EPOCH = f"(() => {{ const m = /epoch (\\d+)/.exec({PANEL}.innerText); return m ? +m[1] : -1; }})()"


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


def press(page, label: str) -> None:
    """A real mouse click on the panel's button whose text is `label`."""
    where = page.wait(
        f"(() => {{ const b = [...{PANEL}.querySelectorAll('button')]"
        f".find(b => b.textContent.trim() === {label!r}); if (!b) return null; b.scrollIntoView({{block: 'center'}});"
        " const r = b.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()",
        30,
    )
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        page.mouse(kind, *where)


def test_graph_button_works_before_a_unit_is_picked_and_pause_stops_promptly(lab):
    lab.put("playground.ipynb", notebook("import viz\nviz.playground(dataset='moons', hidden=(16, 16), points=400)"))
    page = lab.open("playground.ipynb")
    lab.run_all(page)
    page.wait(f"{PANEL}.querySelector('#playground-svg') !== null", 60)
    press(page, "draw its graph")  # the unit menu shows its first unit: that one is drawn
    page.wait(f"[...{PANEL}.querySelectorAll('svg text')].some(t => t.textContent.includes('layer 1 unit 1'))", 60)
    assert page.console == []

    press(page, "play")
    page.wait(f"{STATUS_EPOCH} >= 5", 120)
    press(page, "pause")
    shown_at_pause = page.run(STATUS_EPOCH)
    settled, last = None, -1
    deadline = time.time() + 60
    while settled is None and time.time() < deadline:  # until the panel's epoch stops moving
        time.sleep(1.0)
        now = page.run(STATUS_EPOCH)
        settled, last = (now if now == last else None), now
    assert settled is not None, "training never stopped"
    # counted in epochs, as the slow pause was (about 350): a 16x16 network trains ~5 a tenth of a second
    assert settled - shown_at_pause <= 40, (shown_at_pause, settled)


def test_a_saved_playground_shows_its_picture(lab):
    """Executed and saved elsewhere, opened without running: a picture, not `VBox(children=...`."""
    from nbclient import NotebookClient

    book = notebook("import viz\nviz.playground(hidden=(3,), points=60)")
    NotebookClient(book, timeout=120, kernel_name="python3").execute()
    assert "image/png" in book.cells[0].outputs[0]["data"]
    lab.put("saved_playground.ipynb", book)
    page = lab.open("saved_playground.ipynb")
    page.wait(f"{PANEL} !== null && {PANEL}.querySelectorAll('.jp-OutputArea-output').length > 0", 30)
    shown = page.wait(f"(() => {{ const img = {PANEL}.querySelector('img'); return img && img.naturalWidth; }})()", 30)
    assert shown == 300
    assert not re.search(r"VBox\(", page.run(f"{PANEL}.innerText"))
