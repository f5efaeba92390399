"""docs/ops.md teaches the one way every built-in op is written: its examples run, and the
built-in ops it quotes are quoted word for word from the source."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "ops.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE, re.S)


def test_the_guides_examples_run():
    namespace: dict = {}
    exec(compile("\n".join(b for b in BLOCKS if not b.startswith("    ")), "docs/ops.md", "exec"), namespace)
    assert abs(namespace["x"].grad - 0.8775825618903728) < 1e-12  # cos 0.5


def test_the_built_in_ops_it_quotes_are_the_real_source():
    sources = "".join(path.read_text() for path in (ROOT / "autograd").glob("*.py"))
    quoted = [b for b in BLOCKS if b.startswith("    ")]
    assert quoted, "the guide quotes no built-in op"
    for block in quoted:
        for method in re.split(r"\n(?=    def |    @staticmethod\n    def )", block.rstrip("\n")):
            assert method.strip() and method in sources, f"not in autograd/: {method[:80]!r}"
