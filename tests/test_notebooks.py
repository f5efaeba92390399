"""Every notebook runs top to bottom on a fresh kernel and shows its figures.

WRITE_NOTEBOOKS=1 saves the executed notebooks back in place (`make executed-notebooks`),
so they read well on a code host.
"""
import os
import pathlib
import time

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("notebooks").glob("[0-9][0-9]_*.ipynb"))


def _figures(cell) -> int:
    return sum(
        1 for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {})
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_draws(path):
    notebook = nbformat.read(path, as_version=4)
    expected_figures = notebook.metadata.get("chainrule", {}).get("min_figures", 1)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    figures = sum(_figures(cell) for cell in notebook.cells if cell.cell_type == "code")
    print(f"{path.name}: {seconds:.1f} s, {figures} figures")
    assert figures >= expected_figures, f"{path.name} drew {figures} figures, expected at least {expected_figures}"
    if os.environ.get("WRITE_NOTEBOOKS"):
        nbformat.write(notebook, path)
