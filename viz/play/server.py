"""The Playground as a standalone web page: `python -m viz.play_server [--port 8765]` (`make playground`).

A small local server (the standard library's http.server; nothing is fetched from the
internet): the page holds the controls and asks the server to train and redraw.

    GET  /                  the page
    POST /api/step          {"epochs": n}: train n epochs; the picture and the losses
    POST /api/settings      any of viz.play_model.Settings' fields: start over with them
    POST /api/reset         new weights, same settings
    GET  /api/neuron?layer=L&unit=U&sample=S   that unit's computation graph (SVG) for one point
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .play_model import (
    DATASETS,
    FEATURE_LABELS,
    FEATURES,
    LEARNING_RATES,
    PLAYGROUND_ACTIVATIONS,
    REG_RATES,
    REGULARIZATION,
    Playground,
)
from .play_view import render


class Session:
    """One Playground shared by the page's requests (one at a time)."""

    def __init__(self, **settings):
        self.pg = Playground.with_settings(**settings)
        self.lock = threading.Lock()
        self.selected: tuple | None = None

    def answer(self, started: float) -> dict:
        return {**self.pg.state(), "svg": render(self.pg, self.selected), "seconds": time.perf_counter() - started}

    def step(self, epochs: int) -> dict:
        with self.lock:
            started = time.perf_counter()
            for _ in range(max(1, min(int(epochs), 100))):
                self.pg.epoch()
            return self.answer(started)

    def settings(self, changes: dict) -> dict:
        with self.lock:
            started = time.perf_counter()
            for key in ("features", "hidden"):
                if key in changes:
                    changes[key] = tuple(changes[key])
            self.pg.update(**changes)
            self.selected = None
            return self.answer(started)

    def reset(self) -> dict:
        with self.lock:
            started = time.perf_counter()
            self.pg.reset()
            return self.answer(started)

    def neuron(self, layer: int, unit: int, sample: int) -> str:
        with self.lock:
            self.selected = (layer, unit)
            svg = self.pg.neuron_graph(layer, unit, sample).pipe(format="svg", encoding="utf-8")
            return svg[svg.index("<svg") :]


def _options(values, chosen) -> str:
    return "".join(f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>' for v in values)


def page(session: Session) -> str:
    """The HTML page: controls, the picture, the chosen unit's graph."""
    s = session.pg.settings
    features = "".join(
        f'<label><input type="checkbox" name="feature" value="{k}"{" checked" if k in s.features else ""}>'
        f"{FEATURE_LABELS[k]}</label> "
        for k in FEATURES
    )
    return PAGE.format(
        datasets=_options(DATASETS, s.dataset),
        noise=s.noise,
        ratio=s.train_ratio,
        features=features,
        hidden=", ".join(map(str, s.hidden)),
        activations=_options(PLAYGROUND_ACTIVATIONS, s.activation),
        rates=_options(LEARNING_RATES, s.lr),
        regs=_options(REGULARIZATION, s.regularization),
        reg_rates=_options(REG_RATES, s.reg_rate),
        batch=s.batch_size,
        svg=render(session.pg),
    )


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>chainrule playground</title>
<style>
body {{ font: 13px Helvetica, Arial, sans-serif; margin: 12px; }}
.controls {{ display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin-bottom: 8px; }}
.controls label {{ white-space: nowrap; }} button {{ font-size: 14px; min-width: 64px; }}
#graph svg {{ max-width: 100%; height: auto; }} #status {{ color: #555; }}
</style></head><body>
<div class="controls">
 <button id="reset" title="new weights">&#8634; reset</button>
 <button id="play">&#9654; play</button>
 <button id="step">step</button>
 <span id="status">epoch 0</span>
</div>
<div class="controls">
 <label>data <select name="dataset">{datasets}</select></label>
 <label>noise <input type="range" name="noise" min="0" max="0.5" step="0.05" value="{noise}"></label>
 <label>train share <input type="range" name="train_ratio" min="0.1" max="0.9" step="0.1" value="{ratio}"></label>
 <label>batch <input type="number" name="batch_size" min="1" max="400" value="{batch}" style="width:4em"></label>
</div>
<div class="controls"><span>features</span> {features}</div>
<div class="controls">
 <label>hidden layers <input name="hidden" value="{hidden}" style="width:7em" title="units per layer: 6, 6"></label>
 <label>activation <select name="activation">{activations}</select></label>
 <label>learning rate <select name="lr">{rates}</select></label>
 <label>regularisation <select name="regularization">{regs}</select></label>
 <label>rate <select name="reg_rate">{reg_rates}</select></label>
</div>
<div id="view">{svg}</div>
<p>Click a unit of the network to draw its computation graph for one training point.</p>
<div id="graph"></div>
<script>
var playing = false, busy = false;
function $(q) {{ return document.querySelector(q); }}
function show(state) {{
  $("#view").innerHTML = state.svg;
  $("#status").textContent = "epoch " + state.epoch + " · train loss " + state.train_loss.toFixed(3) +
    " · test loss " + state.test_loss.toFixed(3);
}}
function post(path, body) {{
  return fetch(path, {{method: "POST", body: JSON.stringify(body || {{}})}}).then(function (r) {{ return r.json(); }});
}}
function loop() {{
  if (!playing || busy) return;
  busy = true;
  post("/api/step", {{epochs: 1}}).then(function (state) {{ busy = false; show(state); setTimeout(loop, 0); }},
                                      function () {{ busy = false; playing = false; }});
}}
$("#play").addEventListener("click", function () {{
  playing = !playing;
  this.innerHTML = playing ? "&#10074;&#10074; pause" : "&#9654; play";
  loop();
}});
$("#step").addEventListener("click", function () {{ if (!playing) post("/api/step", {{epochs: 1}}).then(show); }});
$("#reset").addEventListener("click", function () {{ post("/api/reset").then(show); }});
function settings() {{
  var hidden = $("[name=hidden]").value.split(",").map(function (v) {{ return parseInt(v, 10); }})
    .filter(function (v) {{ return v > 0; }});
  var features = Array.prototype.map.call(document.querySelectorAll("[name=feature]:checked"),
                                          function (c) {{ return c.value; }});
  return {{dataset: $("[name=dataset]").value, noise: +$("[name=noise]").value,
          train_ratio: +$("[name=train_ratio]").value, batch_size: +$("[name=batch_size]").value,
          hidden: hidden, features: features, activation: $("[name=activation]").value, lr: +$("[name=lr]").value,
          regularization: $("[name=regularization]").value, reg_rate: +$("[name=reg_rate]").value}};
}}
document.querySelectorAll(".controls select, .controls input").forEach(function (el) {{
  el.addEventListener("change", function () {{
    post("/api/settings", settings()).then(function (state) {{
      if (state.error) {{ $("#status").textContent = state.error; }} else {{ show(state); }}
    }});
  }});
}});
$("#view").addEventListener("click", function (e) {{
  var unit = e.target.closest("[data-unit]");
  if (!unit) return;
  fetch("/api/neuron?layer=" + unit.getAttribute("data-layer") + "&unit=" + unit.getAttribute("data-unit") +
        "&sample=0").then(function (r) {{ return r.text(); }}).then(function (svg) {{ $("#graph").innerHTML = svg; }});
}});
</script></body></html>
"""


def handler(session: Session) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def send(self, body: str, kind: str = "application/json", status: int = 200) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/":
                return self.send(page(session), "text/html")
            if url.path == "/api/neuron":
                query = {k: int(v[0]) for k, v in parse_qs(url.query).items()}
                try:
                    return self.send(
                        session.neuron(query["layer"], query["unit"], query.get("sample", 0)), "image/svg+xml"
                    )
                except (KeyError, ValueError) as error:
                    return self.send(json.dumps({"error": str(error)}), status=400)
            return self.send(json.dumps({"error": "not found"}), status=404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            path = urlparse(self.path).path
            try:
                if path == "/api/step":
                    answer = session.step(body.get("epochs", 1))
                elif path == "/api/settings":
                    answer = session.settings(body)
                elif path == "/api/reset":
                    answer = session.reset()
                else:
                    return self.send(json.dumps({"error": "not found"}), status=404)
            except (TypeError, ValueError) as error:
                return self.send(json.dumps({"error": str(error)}))
            self.send(json.dumps(answer))

    return Handler


def start(port: int = 8765, host: str = "127.0.0.1", **settings) -> ThreadingHTTPServer:
    """Serve the Playground in a background thread; `server.server_address` has the port (0 = any free one)."""
    server = ThreadingHTTPServer((host, port), handler(Session(**settings)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.play_server", description="chainrule's Playground page")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), handler(Session()))
    print(f"chainrule playground on http://{args.host}:{server.server_address[1]}/  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
