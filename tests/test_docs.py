"""Every ```python block of README.md and docs/*.md runs, and shows what it claims.

The blocks of one file run in order in one namespace, in a temporary working directory.
Two kinds of block:

- a transcript (lines starting with `>>> `, continued by `... `): each example runs and its
  shown output must match: an error line `SomeError: message` must be raised with that
  message, anything else must equal the repr of the result; `...` in a shown line stands for
  any text;
- a program: it runs statement by statement, and a `print(...)` whose trailing comment is
  made of numbers only (`# -12.0 -4.0`) must print exactly that.

Markdown comments steer the runner without showing on the page: `<!-- docs-setup ... -->`
holds hidden code that runs where it stands (the objects a transcript assumes, files a
checkpoint example loads), and `<!-- docs-skip: reason -->` right before a block skips it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import textwrap
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

PIECE = re.compile(
    r"<!--\s*docs-setup\s*\n(?P<setup>.*?)-->"
    r"|<!--\s*docs-skip:(?P<skip>.*?)-->\s*```python\n.*?```"
    r"|```python\n(?P<code>.*?)```",
    re.DOTALL,
)
NUMBERS_ONLY = re.compile(r"^[-+0-9.eE, ()\[\]]+$")


def pieces(path: Path) -> list[tuple[str, str, int]]:
    """(kind, code, line) for each setup comment and python block, in page order."""
    text = path.read_text()
    found = []
    for match in PIECE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match.group("setup") is not None:
            found.append(("setup", match.group("setup"), line))
        elif match.group("code") is not None:
            code = match.group("code")
            kind = "transcript" if any(row.startswith(">>> ") for row in code.splitlines()) else "program"
            found.append((kind, code, line))
    return found


def examples(code: str) -> list[tuple[str, str]]:
    """A transcript as (source, shown output) pairs."""
    result: list[tuple[list[str], list[str]]] = []
    for row in code.splitlines():
        if row.startswith(">>> "):
            result.append(([row[4:]], []))
        elif row.startswith("... ") or row == "...":
            result[-1][0].append(row[4:])
        elif result:
            result[-1][1].append(row)
    return [("\n".join(source), "\n".join(shown).strip()) for source, shown in result]


def matches(shown: str, got: str) -> bool:
    """`got` equals `shown`, where each `...` in `shown` stands for any text."""
    pattern = ".*?".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, got.strip(), re.DOTALL) is not None


def run_transcript(code: str, namespace: dict, where: str) -> None:
    for source, shown in examples(code):
        label = f"{where}: >>> {source.splitlines()[0]}"
        raised, got = None, ""
        try:
            tree = ast.parse(source, mode="single" if "\n" not in source else "exec")
            if isinstance(tree, ast.Interactive) and len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
                result = eval(compile(ast.Expression(tree.body[0].value), where, "eval"), namespace)
                got = "" if result is None else repr(result)
            else:
                exec(compile(source, where, "exec"), namespace)
        except Exception as error:  # the page says which error to expect
            raised = error
        if raised is None:
            assert matches(shown, got), f"{label}\n  page shows: {shown}\n  code gives: {got}"
            continue
        name, _, message = shown.partition(": ")
        assert name.split(".")[-1] == type(raised).__name__, f"{label} raised {type(raised).__name__}: {raised}"
        assert matches(message, str(raised)), f"{label}\n  page says: {message}\n  code says: {raised}"


def run_program(code: str, namespace: dict, where: str) -> None:
    code = textwrap.dedent(code)  # an excerpt of a method runs as a function
    lines = code.splitlines()
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string[1:].strip()
    for statement in ast.parse(code).body:
        piece = "\n".join(lines[statement.lineno - 1 : statement.end_lineno])
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(ast.Module([statement], []), where, "exec"), namespace)
        comment = comments.get(statement.end_lineno, "")
        is_print = (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and getattr(statement.value.func, "id", "") == "print"
        )
        if is_print and comment and NUMBERS_ONLY.match(comment):
            assert output.getvalue().split() == comment.replace(",", " ").split(), (
                f"{where}: {piece}\n  page shows: {comment}\n  code prints: {output.getvalue().strip()}"
            )


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_python_block_runs_and_shows_what_it_claims(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for kind, code, line in pieces(path):
        where = f"{path.name}:{line}"
        if kind == "transcript":
            run_transcript(code, namespace, where)
        else:
            run_program(code, namespace, where)


def test_the_runner_catches_a_wrong_transcript():
    """A block whose shown output is wrong must fail (a test that cannot fail is a defect)."""
    with pytest.raises(AssertionError, match="page shows: 3"):
        run_transcript(">>> 1 + 1\n3\n", {}, "test")
    with pytest.raises(AssertionError, match="page says: no such"):
        run_transcript(">>> int('x')\nValueError: no such\n", {}, "test")
    with pytest.raises(AssertionError, match="page shows: 5"):
        run_program("print(2 + 2)  # 5\n", {}, "test")
    run_transcript(">>> [1, 2, 3]\n[1, ..., 3]\n", {}, "test")
