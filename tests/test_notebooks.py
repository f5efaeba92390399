"""Every notebook runs top to bottom on a fresh kernel and shows its figures, and carries exercises.

WRITE_NOTEBOOKS=1 saves the executed notebooks back in place (`make executed-notebooks`),
so they read well on a code host. Every picture a notebook shows fits its column (tests/measure.py):
graphs at most COLUMN_PX wide with readable text and nothing cut off, figures at most FIGURE_PX
wide with text of at least MIN_FIGURE_TEXT_PX.
"""

import json
import os
import pathlib
import re
import time

import measure
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted(pathlib.Path(__file__).resolve().parent.parent.joinpath("notebooks").glob("[0-9][0-9]_*.ipynb"))
CHECK = re.compile(r"""check\(\s*["'](\d+\.\d+)["']""")


def _figures(cell) -> int:
    return sum(
        1
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {}) or "image/svg+xml" in output.get("data", {})
    )


def _text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_draws(path):
    notebook = nbformat.read(path, as_version=4)
    expected_figures = notebook.metadata.get("chainrule", {}).get("min_figures", 1)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    hook = nbformat.v4.new_code_cell(measure.FIGURE_HOOK)
    report = nbformat.v4.new_code_cell("import json; print(json.dumps(_chainrule_figures))")
    notebook.cells = [hook, *notebook.cells, report]
    started = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - started
    drawn = json.loads(_text(notebook.cells.pop()))
    notebook.cells.pop(0)
    code_cells = [k for k, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    figures = sum(_figures(cell) for cell in notebook.cells if cell.cell_type == "code")
    print(f"{path.name}: {seconds:.1f} s, {figures} figures")
    assert figures >= expected_figures, f"{path.name} drew {figures} figures, expected at least {expected_figures}"
    if os.environ.get("WRITE_NOTEBOOKS"):
        for cell in notebook.cells:  # numbered from 1 as if the measuring cell had not run
            if cell.cell_type == "code" and cell.get("execution_count"):
                cell.execution_count -= 1
                for output in cell.outputs:
                    if output.get("execution_count"):
                        output.execution_count -= 1
        nbformat.write(notebook, path)
    problems = [
        f"c{code_cells[run]} figure ({width} px wide): smallest text {text:.1f} px, overlapping {overlaps[:3]}"
        for run, width, text, overlaps in drawn
        if text < measure.MIN_FIGURE_TEXT_PX or overlaps
    ]
    for run, width, text, _ in drawn:
        print(f"  c{code_cells[run]} figure {width} px, smallest text {text:.1f} px")
    for index, kind, m in measure.notebook_pictures(notebook):
        if kind != "png":
            print(f"  c{index} {kind} {m['width']:.0f} px, smallest text {m['text']:.1f} px, {m['outside']} cut off")
        if kind != "png" and (m["width"] > measure.COLUMN_PX + 1 or m["text"] < measure.MIN_TEXT_PX or m["outside"]):
            problems.append(
                f"c{index} {kind} {m['width']:.0f} px wide, text {m['text']:.1f} px, {m['outside']} cut off"
            )
        if kind == "png" and m["width"] > measure.FIGURE_PX:
            problems.append(f"c{index} PNG {m['width']} px wide")
    assert not problems, f"{path.name}: pictures that do not fit the column:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_keeps_scaffolds_not_solutions(path):
    """At least three exercises; each exercise cell still has its `...` and answered 'not attempted' when run."""
    notebook = nbformat.read(path, as_version=4)
    number = str(int(path.name[:2]))
    exercise_cells = [cell for cell in notebook.cells if cell.cell_type == "code" and CHECK.search(cell.source)]
    ids = [CHECK.search(cell.source).group(1) for cell in exercise_cells]
    assert len(ids) >= 3, f"{path.name} has {len(ids)} exercises, expected at least 3"
    assert all(id.split(".")[0] == number for id in ids), f"{path.name} checks exercises of another notebook: {ids}"
    for id, cell in zip(ids, exercise_cells):
        assert "exercise" in cell.metadata.get("tags", []), f"{path.name}: the cell of exercise {id} is not tagged"
        assert "..." in cell.source, f"{path.name}: exercise {id}'s cell has no `...` left: a solution was committed"
        assert f"Exercise {id}: not attempted yet" in _text(cell), (
            f"{path.name}: exercise {id} did not answer 'not attempted yet'"
        )


def test_every_registered_exercise_appears_in_its_notebook():
    import sys

    sys.path.insert(0, str(NOTEBOOKS[0].parent))
    from exercises import EXERCISES

    shown = {
        CHECK.search(cell.source).group(1)
        for path in NOTEBOOKS
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and CHECK.search(cell.source)
    }
    assert set(EXERCISES) == shown, (
        f"registered but not in a notebook: {set(EXERCISES) - shown}; "
        f"in a notebook but not registered: {shown - set(EXERCISES)}"
    )


def test_each_scaffold_passes_the_names_its_check_expects():
    """The keywords of every check(...) call in a notebook are exactly the exercise's answer names."""
    import ast
    import sys

    sys.path.insert(0, str(NOTEBOOKS[0].parent))
    from exercises import EXERCISES

    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or not CHECK.search(cell.source):
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
                    id = node.args[0].value
                    names = {keyword.arg for keyword in node.keywords}
                    assert names == set(EXERCISES[id].solution()), f"{path.name}, exercise {id}: passes {sorted(names)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_says_what_it_assumes_and_what_comes_next(path):
    notebook = nbformat.read(path, as_version=4)
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert "assumes" in markdown[0].lower(), f"{path.name} does not open with what it assumes"
    assert "next" in markdown[-1].lower(), f"{path.name} does not end with what comes next"
