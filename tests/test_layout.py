"""The layout rules of the codebase: no import cycles among the packages' modules, the layers
importing downwards only (autograd → nn → viz → the chainrule facade), no module outside `autograd/`
reaching for a private name inside it, and the Playground a package whose page is static files."""

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "viz", "chainrule")
LAYERS = {package: floor for floor, package in enumerate(PACKAGES)}  # each imports only those below it


def _modules() -> dict[str, pathlib.Path]:
    """Every module of the packages, subpackages included, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if path.stem == "__init__" else parts)] = path
    return found


def _imports(name: str, path: pathlib.Path, modules: dict, type_checking: bool = False) -> set[str]:
    """The project's modules that `name` imports when it runs, at any depth (functions too), and
    with `type_checking` also those imported only for the type checker."""
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    targets = set()
    tree = ast.parse(path.read_text())
    type_only = {
        id(inner)
        for node in ast.walk(tree)  # `if TYPE_CHECKING:` imports do not run
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only and not type_checking:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {t for t in targets if t in modules and t != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a list of modules, or None (iterative colouring DFS)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack, path = [(start, iter(sorted(graph[start])))], [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return [*path[path.index(child) :], child]
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, iter(sorted(graph[child]))))
                    path.append(child)
                    break
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def _graph(include_packages: bool, type_checking: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    graph = {name: _imports(name, path, modules, type_checking) for name, path in modules.items()}
    if not include_packages:  # `from . import x` in __init__ re-exports; a package importing its own parts is no cycle
        graph = {name: {t for t in targets if t not in PACKAGES} for name, targets in graph.items()}
    return graph


def test_no_import_cycles_among_the_packages_modules():
    assert _cycle(_graph(include_packages=False)) is None


def test_no_import_cycles_even_for_the_type_checker():
    assert _cycle(_graph(include_packages=False, type_checking=True)) is None


def _upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a higher layer than the importer's."""
    return [
        f"{name} imports {target}"
        for name, targets in graph.items()
        for target in targets
        if LAYERS[target.split(".")[0]] > LAYERS[name.split(".")[0]]
    ]


def test_the_layers_import_downwards_only():
    """autograd imports none of nn, viz, chainrule; nn neither viz nor chainrule; viz not chainrule."""
    assert _upward(_graph(include_packages=True, type_checking=True)) == []


def test_the_layer_check_finds_a_planted_upward_import():
    planted = {"autograd.tensor": {"nn.module"}, "nn.module": {"autograd"}, "viz.graph": {"chainrule"}}
    assert _upward(planted) == ["autograd.tensor imports nn.module", "viz.graph imports chainrule"]


def test_the_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_private_autograd_names_outside_autograd():
    offenders = []
    for package in ("nn", "viz", "chainrule"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
                    offenders += [f"{path.name}: {alias.name}" for alias in node.names if alias.name.startswith("_")]
    assert offenders == []


# The engine's per-node protocol and a rule's saved values are the engine's own: viz watches a pass
# through `watch_backward` / `Step` / `grads_sent` and never runs a rule or seeds a pass itself.
ENGINE_INTERNALS = {
    "_rule",
    "_ctx",
    "_seed",
    "_shares",
    "_deliver",
    "_pending",
    "_mark",
    "_parent_grads",
    "_check_backward_allowed",
}


def test_viz_uses_no_engine_internals():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}"
        for path in (ROOT / "viz").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in ENGINE_INTERNALS
    ]
    assert offenders == []


def test_gradient_ownership_is_never_decided_by_counting_references():
    offenders = [
        str(path.relative_to(ROOT)) for path in (ROOT / "autograd").rglob("*.py") if "getrefcount" in path.read_text()
    ]
    assert offenders == []


def test_the_playground_is_a_package_whose_page_is_static_files():
    """viz.play holds the Playground (model, picture, widget, server); its page is index.html, app.js
    and style.css shipped as package data, not HTML or JavaScript written in Python strings."""
    play = ROOT / "viz" / "play"
    assert (play / "__init__.py").is_file() and not (ROOT / "viz" / "playground").exists()
    for name in ("index.html", "app.js", "style.css"):
        assert (play / "static" / name).is_file(), name
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"viz.play" = ["static/*.html", "static/*.js", "static/*.css"]' in pyproject
    inline = [
        f"{path.relative_to(ROOT)}: {marker}"
        for path in play.rglob("*.py")
        for marker in ("<html", "<script", "<!DOCTYPE", "addEventListener(")
        if marker.lower() in path.read_text().lower()
    ]
    assert inline == []


# PNG signature, chunk names and the pieces a hand-made encoder needs
PNG_BY_HAND = ("\\x89PNG", "IHDR", "IDAT", "IEND", "zlib.compress", "zlib.crc32", "struct.pack")


def test_no_hand_written_png_encoding_in_viz():
    """PNGs come from matplotlib or Pillow; viz writes no PNG chunks itself."""
    offenders = [
        f"{path.relative_to(ROOT)}: {marker}"
        for path in (ROOT / "viz").rglob("*.py")
        for marker in PNG_BY_HAND
        if marker in path.read_text()
    ]
    assert offenders == []


# A file or folder named in backquotes: `viz/graph/draw.py`, `tensor_shape.py`, `viz/play/`.
# Templates (`exNN.py`, `benchmarks/<name>.py`) name no one file and are passed over.
NAMED_PATH = re.compile(r"`([\w./-]+(?:\.(?:py|js|html|css|md|ipynb|toml)|/))`")


def test_every_path_the_architecture_map_names_exists():
    """docs/architecture.md is the maintainer's map: every file or folder it names is in the tree
    (a path with a folder from the repository's root, a bare file name somewhere in it)."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = {path for path in NAMED_PATH.findall(text) if "NN" not in path}
    assert len(named) > 30  # the pattern still finds the map's paths
    files = {path.name for path in ROOT.rglob("*") if ".venv" not in path.parts and ".git" not in path.parts}
    missing = sorted(
        path for path in named if not ((ROOT / path).exists() if "/" in path.rstrip("/") else path.rstrip("/") in files)
    )
    assert missing == []
