"""`python -m viz.walkthrough --out out` (`make demo`): the chain rule, then a network that learns.

Part 1 works f = (x + y)·z at x = -2, y = 5, z = -4 by hand: the forward values, then each
backward step in the engine's order with its chain-rule product, and pictures of the graph
before and after backward and at every step. Part 2 trains micrograd's moons MLP and draws
its decision boundary and loss curve, and its graph for one sample as a page to open up.
Pictures are SVG/PNG; without Graphviz's `dot` the graphs are written as .dot source instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import cast

import numpy as np

from autograd import Node, Value, grads_sent, no_grad, topological_order

from .graph.draw import draw_graph, fmt
from .graph.explore import explore
from .graph.render import INSTALL_HINT, GraphvizNotInstalled, available
from .graph.steps import Frame, StepThrough, backward_steps, render_step

SYMBOLS = {"+": "+", "-": "-", "*": "·", "/": "/", "**": "**"}


def save_graph(graph, stem: Path) -> Path:
    """Write `stem`.svg, or `stem`.dot when Graphviz's `dot` is missing; returns the path."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    try:
        svg = graph.pipe(format="svg")
    except GraphvizNotInstalled:
        path = stem.with_suffix(".dot")
        path.write_text(graph.source, encoding="utf-8")
        return path
    path = stem.with_suffix(".svg")
    path.write_bytes(svg)
    return path


def forward_lines(root: Node) -> list[str]:
    """Each value of a scalar graph in the order it was computed: `q = x + y = -2 + 5 = 3`."""
    names = {id(n): n.label or f"v{i}" for i, n in enumerate(topological_order(root))}
    lines = []
    for node in topological_order(root):
        name, parents = names[id(node)], node._prev
        if not parents:
            lines.append(f"{name} = {fmt(node.data)}")
        elif node._op in SYMBOLS and len(parents) == 2:
            a, b = parents
            op = SYMBOLS[node._op]
            lines.append(
                f"{name} = {names[id(a)]} {op} {names[id(b)]} = {fmt(a.data)} {op} {fmt(b.data)} = {fmt(node.data)}"
            )
        else:
            args = ", ".join(names[id(p)] for p in parents)
            lines.append(f"{name} = {node._op}({args}) = {fmt(node.data)}")
    return lines


def backward_lines(root: Node, frames: list[Frame]) -> list[str]:
    """Each backward step of a scalar graph as a chain-rule product.

    d means the total derivative of the output, ∂ the local derivative of one op:
    df/dx = df/dq · ∂q/∂x = -4 · 1 = -4. A node used twice sums one product per use.
    """
    names = {id(n): n.label or f"v{i}" for i, n in enumerate(topological_order(root))}
    out = names[id(root)]
    uses: dict[int, list[tuple[Node, float, float]]] = {}  # node -> (consumer, upstream, local)
    lines = []
    for frame in frames:
        node, name = frame.node, names[id(frame.node)]
        head = f"step {frame.step}  d{out}/d{name} = "
        if frame.step == 0:
            lines.append(head + "1   (the seed: backward starts at the output)")
        else:
            terms = uses[id(node)]
            symbols = " + ".join(f"d{out}/d{names[id(c)]} · ∂{names[id(c)]}/∂{name}" for c, _, _ in terms)
            numbers = " + ".join(f"{fmt(g)} · {fmt(local)}" for _, g, local in terms)
            lines.append(head + f"{symbols} = {numbers} = {fmt(frame.grad)}")
        if node._prev:
            local = grads_sent(node, 1.0) or ()
            for parent, d in zip(node._prev, local):
                uses.setdefault(id(parent), []).append((node, frame.grad, d))
            parts = ", ".join(f"∂{name}/∂{names[id(p)]} = {fmt(d)}" for p, d in zip(node._prev, local))
            lines.append(f"        local derivatives of {name}: {parts}")
    return lines


def chain_rule_demo(out_dir: Path) -> list[Path]:
    """Part 1: f = (x + y)·z, printed and drawn; returns the files written."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    print("f = (x + y)·z at x = -2, y = 5, z = -4\n\nForward pass (topological order):")
    for line in forward_lines(f):
        print("  " + line)
    written = [save_graph(draw_graph(f), out_dir / "graph_forward")]
    frames = list(backward_steps(f))
    print("\nBackward pass (reverse topological order; d = total derivative of f, ∂ = local derivative):")
    for line in backward_lines(f, frames):
        print("  " + line)
    written += [save_graph(render_step(f, frame), out_dir / "steps" / f"step_{frame.step:02d}") for frame in frames]
    if available():  # every step on one page: a slider and the arrow keys, no server
        written.append(Path(StepThrough(f, frames).save(out_dir / "steps.html")))
    written.append(save_graph(draw_graph(f, edge_labels=True), out_dir / "graph_backward"))
    return written


def moons_demo(out_dir: Path, steps: int = 100, seed: int = 1337) -> dict:
    """Part 2: micrograd's moons MLP with an SVM hinge loss and L2, full-batch SGD.

    Returns the final loss and accuracy and the files written.
    """
    from tqdm import tqdm

    import nn
    from nn.data import moons
    from nn.losses import hinge_loss
    from nn.optim import SGD

    from .plots import plot_decision_boundary, plot_history

    X, labels = moons(100, noise=0.1, seed=1)
    y = 2.0 * labels - 1.0  # classes as -1 / +1 for the hinge loss
    rows = X.tolist()
    nn.manual_seed(seed)
    model = nn.MLP(2, [16, 16, 1])
    params = cast("list[Value]", model.parameters())  # an MLP of Values
    optimizer = SGD(params, lr=1.0)

    def evaluate() -> tuple[Value, float]:
        scores = [model(row) for row in rows]
        loss = hinge_loss(scores, y) + 1e-4 * Value.sum(p * p for p in params)
        accuracy = float(np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, y)]))
        return loss, accuracy

    history: dict[str, list[float]] = {"train_loss": [], "train_acc": []}
    progress = tqdm(range(steps), desc="training moons MLP", ncols=90)
    for k in progress:
        loss, accuracy = evaluate()
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = 1.0 - 0.9 * k / steps
        optimizer.step()
        history["train_loss"].append(loss.data)
        history["train_acc"].append(accuracy)
        progress.set_postfix(loss=f"{loss.data:.4f}", acc=f"{accuracy:.0%}")
    with no_grad():
        loss, accuracy = evaluate()
    print(f"final loss {loss.data:.4f}, training accuracy {accuracy:.0%}")

    def predict(points: np.ndarray) -> list[float]:
        with no_grad():
            return [model(p).data for p in points.tolist()]

    def hidden(points: np.ndarray) -> list[list[float]]:
        with no_grad():
            return [[h.data for h in model.layers[1](model.layers[0](p))] for p in points.tolist()]

    boundary = plot_decision_boundary(predict, X, y, hidden=hidden, resolution=70)
    boundary.suptitle(f"MLP(2, [16, 16, 1]) on moons: {accuracy:.0%} training accuracy")
    boundary.savefig(out_dir / "moons_boundary.png", dpi=110)
    curves = plot_history(history)
    curves.suptitle("full-batch SGD, hinge loss + 1e-4·Σp²")
    curves.savefig(out_dir / "moons_loss.png", dpi=110)
    files = [out_dir / "moons_boundary.png", out_dir / "moons_loss.png"]
    if available():  # the trained network's graph for one sample, to open layer by layer
        sample = model(rows[0])  # its score: d score / d parameter shows what each weight does
        sample.label = "score"
        optimizer.zero_grad()
        sample.backward()
        files.append(Path(explore(sample).save(out_dir / "explore.html")))
    return {"loss": loss.data, "accuracy": accuracy, "files": files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="directory for the pictures (default: out)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = chain_rule_demo(args.out)
    if any(path.suffix == ".dot" for path in written):
        print("\n" + INSTALL_HINT)
    print(
        f"\nwrote {len(written)} graph pictures under {args.out}/ (graph_forward, graph_backward, steps/, steps.html)\n"
    )
    result = moons_demo(args.out)
    print("wrote " + ", ".join(str(p) for p in result["files"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
