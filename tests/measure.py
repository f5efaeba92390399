"""Measuring pictures as a reader sees them: SVG and PNG widths, the smallest text once a
notebook scales a picture to its column, and anything drawn outside an SVG's viewBox.

A notebook shows an image at its own size, or scaled down to the output column when it is
wider (max-width: 100%). The column is COLUMN_PX wide: nbconvert's output area is 878 px and
JupyterLab's is narrower still, so a picture that fits COLUMN_PX is never scaled.

`python tests/measure.py notebooks/*.ipynb` prints a table of every picture in the saved outputs.
"""

from __future__ import annotations

import base64
import re
import struct
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass

COLUMN_PX = 860.0  # the widest picture a notebook column shows unscaled
FIGURE_PX = 900.0  # the widest matplotlib PNG a notebook should hold
MIN_TEXT_PX = 8.0  # graph text after scaling
MIN_FIGURE_TEXT_PX = 9.0  # matplotlib text at the figure's own size
PT = 4.0 / 3.0  # CSS px per pt
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class SvgMeasure:
    width: float  # CSS px at the picture's own size
    height: float
    text: float  # smallest font size in CSS px at its own size
    shown_width: float  # once scaled down to the column
    shown_text: float
    outside: tuple  # (tag, bounds) of every shape reaching past the viewBox


def _px(value: str) -> float:
    number = float(NUMBER.match(value).group())
    return number * PT if value.endswith("pt") or value.replace(".", "").isdigit() else number


def _transform(attr: str | None):
    """Graphviz's `scale(s s) rotate(0) translate(x y)` as a function of a point."""
    sx = sy = 1.0
    tx = ty = 0.0
    if attr:
        scale = re.search(r"scale\(([^)]*)\)", attr)
        if scale:
            parts = [float(v) for v in NUMBER.findall(scale.group(1))]
            sx, sy = parts[0], parts[-1]
        move = re.search(r"translate\(([^)]*)\)", attr)
        if move:
            tx, ty = (float(v) for v in NUMBER.findall(move.group(1))[:2])
    return lambda x, y: (sx * (x + tx), sy * (y + ty)), sx


def _text_width(text: str, size: float) -> float:
    """How wide a browser draws `text` in Helvetica (Liberation Sans has its metrics), in SVG units."""
    global _FONT_FILE
    if _FONT_FILE is None:
        import subprocess

        try:
            _FONT_FILE = subprocess.run(
                ["fc-match", "-f", "%{file}", "Helvetica"], capture_output=True, text=True, check=True
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            _FONT_FILE = ""
    if not _FONT_FILE:
        return 0.55 * size * len(text)
    from PIL import ImageFont

    return ImageFont.truetype(_FONT_FILE, 100).getlength(text) * size / 100


_FONT_FILE: str | None = None


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _shape_points(element) -> list[tuple[float, float]]:
    tag = _tag(element)
    if tag == "text" and (element.text or "").strip():
        size = float(NUMBER.match(element.get("font-size", "14")).group())
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        width = _text_width(element.text.strip(), size)
        left = x - {"middle": width / 2, "end": width}.get(element.get("text-anchor", "start"), 0.0)
        return [(left, y - 0.8 * size), (left + width, y + 0.2 * size)]
    if tag in ("polygon", "polyline"):
        values = [float(v) for v in NUMBER.findall(element.get("points", ""))]
        return list(zip(values[0::2], values[1::2]))
    if tag == "ellipse":
        cx, cy = float(element.get("cx")), float(element.get("cy"))
        rx, ry = float(element.get("rx")), float(element.get("ry"))
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    if tag == "path":  # Graphviz writes `M x,y C x1,y1 x2,y2 x3,y3 ...`: cubic Béziers, sampled
        values = [float(v) for v in NUMBER.findall(element.get("d", ""))]
        nodes = list(zip(values[0::2], values[1::2]))
        points = nodes[:1]
        for k in range(0, len(nodes) - 3, 3):
            p0, p1, p2, p3 = nodes[k : k + 4]
            for t in (i / 16 for i in range(1, 17)):
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
                points.append(tuple(a * u + b * v + c * w + d * z for u, v, w, z in zip(p0, p1, p2, p3)))
        return points
    if tag == "rect" and element.get("width") and not element.get("width").endswith("%"):
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        return [(x, y), (x + float(element.get("width")), y + float(element.get("height")))]
    return []


def measure_svg(svg: str, column: float = COLUMN_PX, slack: float = 0.5) -> SvgMeasure:
    """Width, smallest text and clipped shapes of one SVG (Graphviz's, or any with a viewBox)."""
    svg = svg[svg.index("<svg") :]
    root = ET.fromstring(svg)
    width, height = _px(root.get("width")), _px(root.get("height"))
    box = [float(v) for v in NUMBER.findall(root.get("viewBox", f"0 0 {width / PT} {height / PT}"))]
    unit = width / box[2]  # CSS px per viewBox unit
    smallest = float("inf")
    outside = []

    def walk(element, transforms):
        nonlocal smallest
        own = element.get("transform")
        chain = [*transforms, _transform(own)] if own else transforms
        if _tag(element) == "text" and (element.text or "").strip():
            scale = 1.0
            for _, s in chain:
                scale *= abs(s)
            size = float(NUMBER.match(element.get("font-size", "14")).group())
            smallest = min(smallest, size * scale * unit)
        points = _shape_points(element)
        if points:
            for apply, _ in reversed(chain):
                points = [apply(x, y) for x, y in points]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
            if (
                left < box[0] - slack
                or top < box[1] - slack
                or right > box[0] + box[2] + slack
                or bottom > box[1] + box[3] + slack
            ):
                outside.append((_tag(element), (round(left, 1), round(top, 1), round(right, 1), round(bottom, 1))))
        for child in element:
            walk(child, chain)

    walk(root, [])
    smallest = 14.0 * unit if smallest == float("inf") else smallest
    shrink = min(1.0, column / width) if column else 1.0
    return SvgMeasure(width, height, smallest, width * shrink, smallest * shrink, tuple(outside))


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def drawn_texts(fig, dpi: float | None = None) -> tuple[bytes, list]:
    """Save `fig` as a notebook shows it (PNG, bbox tight) and return the PNG and every text
    actually drawn: (text, font size in pt, box in px)."""
    import io

    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))

    buffer = io.BytesIO()
    Text.draw = draw
    try:
        fig.savefig(buffer, format="png", bbox_inches="tight", dpi=dpi or fig.dpi)
    finally:
        Text.draw = original
    unique = {id(t): (t.get_text(), t.get_fontsize(), box) for t, box in drawn if box.width > 0}
    return buffer.getvalue(), list(unique.values())


def overlaps(texts: list) -> list[str]:
    """Pairs of texts whose boxes overlap by more than 2 px each way ("98%" over "98% dead")."""
    return [
        f"{a!r} / {b!r}"
        for k, (a, _, p) in enumerate(texts)
        for b, _, q in texts[k + 1 :]
        if min(p.x1, q.x1) - max(p.x0, q.x0) > 2 and min(p.y1, q.y1) - max(p.y0, q.y0) > 2
    ]


def measure_figure(fig) -> tuple[int, float, list[str]]:
    """(PNG width in px as a notebook shows the figure, smallest drawn text in px, overlapping texts)."""
    png, texts = drawn_texts(fig)
    smallest = min((size for _, size, _ in texts), default=10.0) * fig.dpi / 72.0
    return png_size(png)[0], smallest, overlaps(texts)


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def notebook_pictures(notebook) -> list[tuple[int, str, dict]]:
    """(cell index, kind, measures) for every SVG and PNG in a notebook's outputs (a nbformat node)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                m = measure_svg(_joined(data["image/svg+xml"]))
                found.append((index, "svg", {"width": m.width, "text": m.shown_text, "outside": len(m.outside)}))
            if "image/png" in data:
                width, height = png_size(base64.b64decode(_joined(data["image/png"])))
                found.append((index, "png", {"width": width, "height": height}))
            html = _joined(data.get("text/html", ""))
            for svg in re.findall(r"<svg[^>]*\swidth=.*?</svg>", html, re.DOTALL):  # sized by CSS: not measured
                m = measure_svg(svg)
                found.append((index, "html-svg", {"width": m.width, "text": m.shown_text, "outside": len(m.outside)}))
    return found


# Run inside a kernel as the first cell (tests/test_notebooks.py injects it): records every
# matplotlib figure drawn to PNG in memory (as a notebook shows one) with the number of the
# code cell that drew it (counting from 0 after this one), its width, its smallest text and the
# pairs of texts that overlap.
FIGURE_HOOK = """
def _chainrule_measure_hook():
    import io, struct
    from IPython import get_ipython
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.text import Text
    shell = get_ipython()
    records = shell.user_ns.setdefault("_chainrule_figures", [])
    runs, drawn = [], []
    shell.events.register("pre_run_cell", lambda info: runs.append(1))
    original_print, original_draw = FigureCanvasBase.print_figure, Text.draw
    def draw(self, renderer):
        original_draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))
    def print_figure(self, filename, *args, **kwargs):
        drawn.clear()
        result = original_print(self, filename, *args, **kwargs)
        fmt = kwargs.get("format") or (args[1] if len(args) > 1 else None)
        if isinstance(filename, io.BytesIO) and fmt == "png":
            data = filename.getvalue()
            dpi = kwargs.get("dpi") or self.figure.dpi
            dpi = self.figure.dpi if dpi == "figure" else dpi
            boxes = {id(t): (t.get_text(), t.get_fontsize(), box) for t, box in drawn if box.width > 0}
            boxes = list(boxes.values())
            overlaps = [f"{a!r} / {b!r}" for k, (a, _, p) in enumerate(boxes) for b, _, q in boxes[k + 1:]
                        if min(p.x1, q.x1) - max(p.x0, q.x0) > 2 and min(p.y1, q.y1) - max(p.y0, q.y0) > 2]
            smallest = min((size for _, size, _ in boxes), default=10.0) * dpi / 72.0
            records.append((len(runs) - 1, struct.unpack(">I", data[16:20])[0], smallest, overlaps))
        return result
    FigureCanvasBase.print_figure = print_figure
    Text.draw = draw
_chainrule_measure_hook()
del _chainrule_measure_hook
"""


def main(paths: list[str]) -> None:
    import nbformat

    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        for index, kind, m in notebook_pictures(notebook):
            details = "  ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items())
            print(f"{path}  c{index:<3} {kind:8} {details}")


if __name__ == "__main__":
    main(sys.argv[1:])
