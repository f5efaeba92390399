"""The Playground's picture as one SVG (no matplotlib figure, so it redraws many times a second):
the network with a small map of every unit's output and its weights as lines (blue positive,
orange negative, thicker = larger |w|), the decision surface with the train and test points,
its colour scale, and the train and test loss curves.

Each unit is an `<image>` with data-layer and data-unit attributes, so a page can pick one.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .. import palette
from ..extras import require
from ..palette import rgb
from .model import EXTENT, FEATURE_LABELS, Playground

ORANGE, WHITE, BLUE = (np.array(rgb(c)) for c in (palette.ORANGE, palette.MIDDLE, palette.BLUE))
NODE, GAP_X, GAP_Y, TOP = 34, 86, 44, 38  # unit picture size and spacing in the network drawing
BIG = 300  # the decision surface's size


def colours(values: np.ndarray) -> np.ndarray:
    """-1 orange, 0 white, +1 blue (the Playground's colours), clipped; uint8 RGB."""
    t = np.clip(values, -1.0, 1.0)[..., None]
    mixed = np.where(t < 0, WHITE + (ORANGE - WHITE) * -t, WHITE + (BLUE - WHITE) * t)
    return np.nan_to_num(mixed, nan=128).round().astype(np.uint8)


def png(rgb: np.ndarray) -> bytes:
    """A PNG of an RGB uint8 image (h, w, 3), encoded by Pillow (fast compression: it is redrawn often)."""
    image = require("PIL.Image", "the Playground's picture").fromarray(rgb, "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def still_png(pg: Playground, size: int = 300) -> bytes:
    """The decision surface with the train (white ring) and test (black ring) points as one PNG:
    what a saved notebook shows of the panel to a reader who has not run its cell."""
    image_module = require("PIL.Image", "the Playground's picture")
    draw_module = require("PIL.ImageDraw", "the Playground's picture")
    _, layers = pg.neuron_maps(60)
    image = image_module.fromarray(colours(layers[-1][0]), "RGB").resize((size, size), image_module.BILINEAR)
    draw = draw_module.Draw(image)
    for X, y, ring in ((pg.X_train, pg.y_train, "white"), (pg.X_test, pg.y_test, "black")):
        for (a, b), label in zip(X, y):
            u, v = (a + EXTENT) / (2 * EXTENT) * size, (EXTENT - b) / (2 * EXTENT) * size
            fill = palette.BLUE if label > 0 else palette.ORANGE
            draw.ellipse((u - 3, v - 3, u + 3, v + 3), fill=fill, outline=ring)
    draw.rectangle((0, 0, size - 1, size - 1), outline="#333333")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(values: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png(colours(values))).decode()


def _scaled(values: np.ndarray) -> np.ndarray:
    """A feature map scaled to [-1, 1] by its largest |value| (hidden units are in range already)."""
    top = float(np.nanmax(np.abs(values))) or 1.0
    return values / top


def network(pg: Playground, inputs: list, layers: list, selected: tuple | None) -> tuple[str, int, int]:
    """The network drawing: SVG elements, width and height."""
    columns = [[data_uri(_scaled(m)) for m in inputs]] + [[data_uri(m) for m in maps] for maps in layers]
    height = TOP + max(len(c) for c in columns) * GAP_Y + 10
    width = 20 + (len(columns) - 1) * GAP_X + NODE + 20

    def place(col: int, k: int) -> tuple[float, float]:
        top = TOP + (height - TOP - 10 - len(columns[col]) * GAP_Y) / 2
        return 20 + col * GAP_X, top + k * GAP_Y

    parts = []
    weights = [layer.weight.numpy() for layer in pg.layers]
    biggest = max(float(np.abs(w).max()) for w in weights) or 1.0
    for col, w in enumerate(weights):  # lines first, under the units
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                (x0, y0), (x1, y1) = place(col, i), place(col + 1, j)
                value = float(w[j, i])
                colour = palette.BLUE if value > 0 else palette.ORANGE
                parts.append(
                    f'<line class="weight" x1="{x0 + NODE:.1f}" y1="{y0 + NODE / 2:.1f}" '
                    f'x2="{x1:.1f}" y2="{y1 + NODE / 2:.1f}" '
                    f'stroke="{colour}" stroke-width="{0.4 + 4.5 * abs(value) / biggest:.2f}" '
                    f'stroke-opacity="0.8"><title>w = {value:.3g}</title></line>'
                )
    for col, column in enumerate(columns):
        title = "features" if col == 0 else "output" if col == len(columns) - 1 else f"layer {col}"
        x, _ = place(col, 0)
        parts.append(f'<text x="{x + NODE / 2}" y="14" font-size="11" text-anchor="middle">{title}</text>')
        for k, uri in enumerate(column):
            x, y = place(col, k)
            picked = selected == (col - 1, k)
            attrs = "" if col == 0 else f' data-layer="{col - 1}" data-unit="{k}" class="unit" style="cursor:pointer"'
            parts.append(
                f'<image x="{x}" y="{y}" width="{NODE}" height="{NODE}" href="{uri}" '
                f'preserveAspectRatio="none"{attrs}/>'
            )
            parts.append(
                f'<rect x="{x}" y="{y}" width="{NODE}" height="{NODE}" fill="none" '
                f'stroke="{"#e31a1c" if picked else "#555"}" stroke-width="{2.5 if picked else 0.8}" '
                'pointer-events="none"/>'
            )
            if col == 0:
                name = FEATURE_LABELS[pg.settings.features[k]]
                parts.append(
                    f'<text x="{x - 3}" y="{y + NODE / 2 + 4}" font-size="10" text-anchor="end">'
                    f"{html.escape(name)}</text>"
                )
    return "".join(parts), width + 24, height


def surface(pg: Playground, output: np.ndarray, x0: float) -> str:
    """The decision surface with axes, the points (train: white ring, test: black ring) and its scale."""

    def at(v):  # plane coordinate -> pixels inside the picture
        return (v + EXTENT) / (2 * EXTENT) * BIG

    parts = [
        f'<g transform="translate({x0},{TOP})" id="boundary">',
        (
            f'<image width="{BIG}" height="{BIG}" href="{data_uri(output)}" preserveAspectRatio="none" '
            'id="boundary-image"/>'
        ),
    ]
    for X, y, ring in ((pg.X_train, pg.y_train, "white"), (pg.X_test, pg.y_test, "black")):
        colour = np.where(y > 0, palette.BLUE, palette.ORANGE)
        parts += [
            f'<circle cx="{at(a):.1f}" cy="{BIG - at(b):.1f}" r="2.6" fill="{c}" stroke="{ring}" stroke-width="0.8"/>'
            for (a, b), c in zip(X, colour)
        ]
    parts.append(f'<rect width="{BIG}" height="{BIG}" fill="none" stroke="#333"/>')
    for tick in range(-6, 7, 2):
        p = at(tick)
        parts.append(f'<text x="{p}" y="{BIG + 13}" font-size="10" text-anchor="middle">{tick}</text>')
        parts.append(f'<text x="-4" y="{BIG - p + 3}" font-size="10" text-anchor="end">{tick}</text>')
    parts.append(
        f'<text x="{BIG / 2}" y="{BIG + 26}" font-size="11" text-anchor="middle">x₁</text>'
        f'<text x="-22" y="{BIG / 2}" font-size="11" text-anchor="middle">x₂</text>'
    )
    scale = data_uri(np.linspace(-1, 1, 64)[None, :].repeat(2, axis=0))  # the colour scale
    parts.append(
        f'<image x="0" y="{BIG + 34}" width="{BIG}" height="10" href="{scale}" preserveAspectRatio="none"/>'
        f'<text x="0" y="{BIG + 56}" font-size="10">−1</text>'
        f'<text x="{BIG / 2}" y="{BIG + 56}" font-size="10" text-anchor="middle">0: output (tanh)</text>'
        f'<text x="{BIG}" y="{BIG + 56}" font-size="10" text-anchor="end">+1</text></g>'
    )
    return "".join(parts)


TRAIN, TEST = "#222222", "#999999"  # the loss curves: grey, so orange and blue keep meaning the classes


def curves(pg: Playground, x0: float, y0: float, width: float = 300, height: float = 70) -> str:
    """Train (dark) and test (light) loss per epoch, with axes and a legend."""
    train, test = (np.asarray(pg.history[k], dtype=float) for k in ("train", "test"))
    finite = np.concatenate([train, test])
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    n = max(len(train) - 1, 1)

    def line(values, colour, name):
        points = " ".join(
            f"{x0 + width * k / n:.1f},{y0 + height * (1 - v / top):.1f}"
            for k, v in enumerate(values)
            if np.isfinite(v)
        )
        return f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6" id="{name}-curve"/>'

    def key(x, colour, name, value):
        return (
            f'<line x1="{x}" y1="{y0 - 10}" x2="{x + 16}" y2="{y0 - 10}" stroke="{colour}" stroke-width="2"/>'
            f'<text x="{x + 20}" y="{y0 - 6}" font-size="11" fill="{colour}">{name} {value:.3f}</text>'
        )

    bottom, right = y0 + height, x0 + width
    axes = (
        f'<g class="loss-axes" font-size="10" fill="#444">'
        f'<text x="{x0 - 3}" y="{y0 + 4}" text-anchor="end">{top:.2g}</text>'
        f'<text x="{x0 - 3}" y="{bottom}" text-anchor="end">0</text>'
        f'<text x="{x0}" y="{bottom + 12}" text-anchor="start">0</text>'
        f'<text x="{right}" y="{bottom + 12}" text-anchor="end">{n if len(train) > 1 else 0}</text>'
        f'<text x="{x0 + width / 2}" y="{bottom + 12}" text-anchor="middle">epoch</text></g>'
    )
    return (
        f'<rect x="{x0}" y="{y0}" width="{width}" height="{height}" fill="#fafafa" stroke="#ccc"/>'
        + line(test, TEST, "test")
        + line(train, TRAIN, "train")
        + axes
        + f'<text x="{x0}" y="{y0 - 6}" font-size="11">loss</text>'
        + '<g class="loss-legend">'
        + key(x0 + 120, TRAIN, "train", train[-1])
        + key(x0 + 215, TEST, "test", test[-1])
        + "</g>"
    )


def render(pg: Playground, selected: tuple | None = None, resolution: int = 40) -> str:
    """The whole picture as one SVG string."""
    inputs, layers = pg.neuron_maps(resolution)
    net, width, height = network(pg, inputs, layers, selected)
    x0 = width + 30
    total_w, total_h = x0 + BIG + 20, max(height, TOP + BIG + 175)
    train, test = pg.history["train"][-1], pg.history["test"][-1]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        f'viewBox="0 0 {total_w} {total_h}" font-family="Helvetica, Arial, sans-serif" id="playground-svg" '
        f'data-epoch="{pg.epochs}" data-train-loss="{train:.6g}" data-test-loss="{test:.6g}">'
        f'<text x="{x0}" y="14" font-size="12">epoch {pg.epochs}</text>'
        + net
        + surface(pg, layers[-1][0], x0)
        + curves(pg, x0, TOP + BIG + 82)
        + "</svg>"
    )
