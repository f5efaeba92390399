"""The Playground as a local web page: `python -m viz.play [--port 8765]` (`make playground`).

A small server on the loopback interface only (the standard library's http.server; nothing
is fetched from the internet). The page is static files (static/index.html, app.js,
style.css); it asks the server to train and redraw:

    GET  /                  the page (and /static/app.js, /static/style.css)
    GET  /api/state         the settings, their choices, the picture and the losses
    POST /api/step          {"epochs": n}: train n epochs; the picture and the losses
    POST /api/settings      any of viz.play.model.Settings' fields: start over with them
    POST /api/reset         new weights, same settings
    GET  /api/neuron?layer=L&unit=U&sample=S   that unit's computation graph (SVG) for one point

The server is a boundary: any web page the learner visits can send requests to it. It answers
only requests addressed to its own loopback name and port (Host) from its own page (Origin,
when sent), bounds every size and wait (see the constants below), and answers every refusal
with a 4xx JSON `{"error": ...}` that names the bound; a refused request changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from .model import CHOICES, Playground, Settings, integer_in
from .picture import render

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_BODY = 64 * 1024  # bytes in a request body
MAX_EPOCHS = 20  # epochs per /api/step request
MAX_CONNECTIONS = 16  # connections served at once (one thread each); more get 429
REQUEST_SECONDS = 10.0  # time a client has to send its whole request
MAX_ANSWER = 2 * 1024 * 1024  # bytes in an answer (the largest network's picture is about 0.6 MB)
LINGER, LINGER_SECONDS = 1024 * 1024, 1.0  # what is read and dropped after a refusal, at most
STATIC = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}


class RefusedError(Exception):
    """A request the server will not serve: its HTTP status and the reason, sent as JSON."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Session:
    """One Playground shared by the page's requests, one at a time."""

    def __init__(self, settings: Settings):
        self.pg = Playground(settings)
        self.lock = threading.Lock()
        self.selected: tuple[int, int] | None = None

    def answer(self, started: float) -> dict:
        return {**self.pg.state(), "svg": render(self.pg, self.selected), "seconds": time.perf_counter() - started}

    def state(self) -> dict:
        with self.lock:
            return {**self.answer(time.perf_counter()), "choices": CHOICES}

    def step(self, epochs: int) -> dict:
        with self.lock:
            started = time.perf_counter()
            for _ in range(epochs):
                self.pg.epoch()
            return self.answer(started)

    def settings(self, changes: dict) -> dict:
        with self.lock:
            started = time.perf_counter()
            self.pg.update(**changes)  # checks every change before applying any
            self.selected = None
            return self.answer(started)

    def reset(self) -> dict:
        with self.lock:
            started = time.perf_counter()
            self.pg.reset()
            return self.answer(started)

    def neuron(self, layer: int, unit: int, sample: int) -> str:
        with self.lock:
            svg = self.pg.neuron_graph(layer, unit, sample).pipe(format="svg", encoding="utf-8")
            self.selected = (layer, unit)
            return svg[svg.index("<svg") :]


def _json_object(body: bytes) -> dict:
    """The request body as a JSON object: empty means {}; a list, null, NaN or Infinity is refused."""
    if not body.strip():
        return {}

    def refuse_constant(name: str):
        raise RefusedError(400, f"invalid JSON: {name} is not a number JSON allows")

    try:
        value = json.loads(body, parse_constant=refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise RefusedError(400, f"invalid JSON: {error}") from None
    if not isinstance(value, dict):
        raise RefusedError(400, f"the body must be a JSON object {{...}}, got {type(value).__name__}")
    return value


def _epochs(body: dict) -> int:
    unknown = sorted(set(body) - {"epochs"})
    if unknown:
        raise RefusedError(400, f"unknown fields {unknown}: /api/step takes only 'epochs'")
    return integer_in("epochs", body.get("epochs", 1), 1, MAX_EPOCHS)


def _query(query: str) -> dict[str, int]:
    """/api/neuron's parameters: layer and unit (required), sample (default 0), whole numbers."""
    try:
        pairs = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query), max_num_fields=3)
    except ValueError as error:
        raise RefusedError(400, f"bad query string: {error}") from None
    unknown = sorted(set(pairs) - {"layer", "unit", "sample"})
    if unknown:
        raise RefusedError(400, f"unknown parameters {unknown}: /api/neuron takes layer, unit and sample")
    values = {"sample": ["0"], **pairs}
    for name in ("layer", "unit"):
        if name not in values:
            raise RefusedError(400, f"/api/neuron needs {name}=<whole number>")
    parsed = {}
    for name, given in values.items():
        text = given[0]
        if len(given) != 1 or not text.isascii() or not text.isdigit() or len(text) > 6:
            raise RefusedError(400, f"{name} must be one whole number (at most 6 digits), got {given!r}")
        parsed[name] = int(text)
    return parsed


class Handler(BaseHTTPRequestHandler):
    """One request: checked (address, size, shape) before anything runs; refusals are 4xx JSON."""

    session: Session  # set on the subclass PlaygroundServer makes
    server: PlaygroundServer
    timeout = REQUEST_SECONDS  # no single read waits longer (the server's deadline bounds the whole request)
    server_version = "chainrule-playground"
    sys_version = ""
    default_request_version = "HTTP/1.0"  # a malformed request line is still answered with a status line

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def send_error(self, code, message=None, explain=None) -> None:
        """http.server's own refusals (a malformed request line, an unknown method) as JSON too."""
        status = 405 if code == 501 else code  # a method the server does not serve
        self.send(json.dumps({"error": message or self.responses.get(code, ("error",))[0]}), status=status)

    def send(self, body: str, kind: str = "application/json", status: int = 200) -> None:
        data = body.encode()
        if len(data) > MAX_ANSWER:
            status, data = 500, json.dumps({"error": f"the answer would exceed {MAX_ANSWER} bytes"}).encode()
            kind = "application/json"
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.close_connection = True

    def check_address(self) -> None:
        """Only this server's own loopback name:port (no DNS rebinding), only from its own page."""
        port = self.server.port
        host = self.headers.get("Host", "")
        names = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
        if host not in names:
            raise RefusedError(403, f"Host must be this server's own address (127.0.0.1:{port} or localhost:{port})")
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            raise RefusedError(403, f"cross-origin request refused: Origin must be http://{host}, got {origin!r}")
        site = self.headers.get("Sec-Fetch-Site")  # a link from another site may open the page, not use the API
        if urlsplit(self.path).path.startswith("/api/") and site not in (None, "same-origin", "none"):
            raise RefusedError(403, f"cross-site request refused (Sec-Fetch-Site: {site})")

    def body(self) -> dict:
        """The JSON object sent, at most MAX_BODY bytes, as application/json."""
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise RefusedError(415, f"Content-Type must be application/json, got {kind or 'none'!r}")
        length = self.headers.get("Content-Length")
        if length is None:
            raise RefusedError(411, "Content-Length is required")
        if not (length.isascii() and length.isdigit()):
            raise RefusedError(400, f"Content-Length must be a whole number of bytes, got {length!r}")
        if int(length) > MAX_BODY:
            raise RefusedError(413, f"the body is {int(length)} bytes; at most {MAX_BODY} are accepted")
        data = self.rfile.read(int(length))
        if len(data) < int(length):
            raise RefusedError(400, f"the body ended after {len(data)} of {int(length)} bytes")
        return _json_object(data)

    def serve(self, work) -> None:
        """Check the address, run `work` (which returns the answer's body and type), refuse cleanly."""
        try:
            self.check_address()
            body, kind = work()
        except RefusedError as refusal:
            return self.send(json.dumps({"error": str(refusal)}), status=refusal.status)
        except (TypeError, ValueError) as error:  # a setting refused by Settings or the model
            return self.send(json.dumps({"error": str(error)}), status=400)
        except OSError:
            raise  # the connection is gone: nobody to answer
        except Exception as error:  # a bug: still an answer, not a dropped connection
            return self.send(json.dumps({"error": f"internal error: {type(error).__name__}"}), status=500)
        self.send(body, kind)

    def do_GET(self) -> None:
        self.server.read_in_time(self.request)  # a GET is read once its headers are
        self.serve(self.get)

    def do_POST(self) -> None:
        self.serve(self.post)

    def get(self) -> tuple[str, str]:
        url = urlsplit(self.path)
        name = "index.html" if url.path == "/" else url.path.removeprefix("/static/")
        if name in STATIC and not url.query:
            return (resources.files(__package__) / "static" / name).read_text("utf-8"), STATIC[name]
        if url.path == "/api/state" and not url.query:
            return json.dumps(self.session.state()), "application/json"
        if url.path == "/api/neuron":
            query = _query(url.query)
            return self.session.neuron(query["layer"], query["unit"], query["sample"]), "image/svg+xml"
        raise RefusedError(404, f"not found: {url.path}")

    def post(self) -> tuple[str, str]:
        path = urlsplit(self.path).path
        if path not in ("/api/step", "/api/settings", "/api/reset"):
            raise RefusedError(404, f"not found: {path}")
        body = self.body()
        self.server.read_in_time(self.request)  # the request is in: no more deadline
        if path == "/api/step":
            answer = self.session.step(_epochs(body))
        elif path == "/api/settings":
            answer = self.session.settings(body)
        else:
            if body:
                raise RefusedError(400, "/api/reset takes no fields")
            answer = self.session.reset()
        return json.dumps(answer), "application/json"


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server on a loopback address: at most MAX_CONNECTIONS connections (one
    thread each) at once, and REQUEST_SECONDS for each client to send its whole request — a
    slow or half-open client is cut off by the serving loop, which checks the deadlines."""

    daemon_threads = True
    request_queue_size = 4 * MAX_CONNECTIONS  # the listen backlog: connections waiting to be accepted

    def __init__(self, address: tuple[str, int], session: Session):
        host = address[0]
        if host not in LOOPBACK:
            raise ValueError(f"the Playground serves only on a loopback address ({', '.join(LOOPBACK)}), got {host!r}")
        if host == "::1":
            self.address_family = socket.AF_INET6
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.deadlines: dict[int, tuple[float, socket.socket]] = {}  # id(connection) -> (deadline, connection)
        self.deadlines_lock = threading.Lock()
        self.closing: list[tuple[float, socket.socket]] = []  # turned-away connections and when to close them
        super().__init__(address, type("SessionHandler", (Handler,), {"session": session}))
        self.port: int = self.socket.getsockname()[1]

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            self.turn_away(request)
            return
        with self.deadlines_lock:
            self.deadlines[id(request)] = (time.monotonic() + REQUEST_SECONDS, request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.read_in_time(request)
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.read_in_time(request)
            self.slots.release()

    def read_in_time(self, request) -> None:
        """The request has been read (or the connection is over): no deadline any more."""
        with self.deadlines_lock:
            self.deadlines.pop(id(request), None)

    def turn_away(self, request) -> None:
        """Answer 429 without a thread; the socket closes at a later poll, once what the client
        sent has been read, so the answer is not reset away."""
        message = json.dumps({"error": f"too many connections: at most {MAX_CONNECTIONS} at once"})
        try:
            request.sendall(
                b"HTTP/1.0 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(message)}\r\n\r\n{message}".encode()
            )
            request.shutdown(socket.SHUT_WR)
            request.setblocking(False)
        except OSError:
            self.close_request(request)
            return
        if len(self.closing) >= 4 * MAX_CONNECTIONS:  # keep that list bounded too
            self.close_request(self.closing.pop(0)[1])
        self.closing.append((time.monotonic() + LINGER_SECONDS, request))

    def shutdown_request(self, request) -> None:
        """Close after the answer: stop sending, then read (and drop) what the client still sends,
        at most LINGER bytes for LINGER_SECONDS, so a refused request's answer is not reset away."""
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            request.settimeout(LINGER_SECONDS)
            left, until = LINGER, time.monotonic() + LINGER_SECONDS
            while left > 0 and time.monotonic() < until:
                chunk = request.recv(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        self.close_request(request)

    def handle_error(self, request, client_address) -> None:
        """A connection the client (or the deadline) broke needs no traceback."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def service_actions(self) -> None:
        """Between two polls of the serving loop: close the connections whose client is too slow."""
        now = time.monotonic()
        with self.deadlines_lock:
            overdue = [key for key, (deadline, _) in self.deadlines.items() if deadline <= now]
            late = [self.deadlines.pop(key)[1] for key in overdue]
        for request in late:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
        for close_at, request in list(self.closing):  # turned away: drop what they sent, close in time
            with contextlib.suppress(OSError):
                request.recv(MAX_BODY)
            if close_at <= now:
                self.closing.remove((close_at, request))
                self.close_request(request)


def start(port: int = 8765, host: str = "127.0.0.1", **settings) -> PlaygroundServer:
    """Serve the Playground in a background thread; `server.server_address` has the port (0 = any free one)."""
    server = PlaygroundServer((host, port), Session(Settings(**settings)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.play", description="chainrule's Playground page")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK, help="a loopback address (default 127.0.0.1)")
    args = parser.parse_args(argv)
    server = PlaygroundServer((args.host, args.port), Session(Settings()))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"chainrule playground on http://{shown}:{server.server_address[1]}/  (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
