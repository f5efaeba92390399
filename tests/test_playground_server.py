"""The Playground server as a boundary: hostile requests from a bounded client on 127.0.0.1.

Every refusal is a 4xx JSON answer naming the problem, a refused request changes no setting,
the server's threads and memory stay bounded, and it still answers afterwards. The client
sends a bounded number of requests and never waits more than a few seconds for one.
"""

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request

import pytest

from viz.play import server as play_server
from viz.play.model import FEATURES, MAX_LAYERS, MAX_POINTS, MAX_UNITS, Playground, Settings
from viz.play.picture import render
from viz.play.server import MAX_ANSWER, MAX_BODY, MAX_CONNECTIONS, MAX_EPOCHS, start

WAIT = 20.0  # seconds a client waits for any one answer before the test fails (never reached when all is well)


@pytest.fixture(scope="module")
def server():
    running = start(port=0, hidden=(3,), points=40)
    yield running
    running.shutdown()
    running.server_close()


def exchange(port: int, raw: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the answer (at most 4 MB) until the server closes: (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as conn:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(raw)  # the server may refuse before reading everything; its answer is still there
            conn.shutdown(socket.SHUT_WR)  # all sent: a body shorter than announced ends here
        data = b""
        while len(data) < 4 << 20:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def request(port, method, path, body=b"", **headers) -> bytes:
    """An HTTP request as the page sends it; a header given as None is left out."""
    fields = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/json", "Content-Length": str(len(body))}
    fields.update({k.replace("_", "-"): v for k, v in headers.items()})
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in fields.items() if v is not None)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def call(port, method, path, body=b"", **headers) -> tuple[int, dict | str]:
    status, answer = exchange(port, request(port, method, path, body, **headers))
    try:
        return status, json.loads(answer)
    except ValueError:
        return status, answer.decode()


def settings_of(port) -> dict:
    status, state = call(port, "GET", "/api/state")
    assert status == 200
    return state["settings"]


def refused(port, status, answer, expected_status, words):
    """A 4xx JSON answer whose message holds `words`."""
    assert status == expected_status, answer
    assert isinstance(answer, dict) and words in answer["error"], answer


def test_the_page_and_the_api_answer_their_own_page(server):
    port = server.port
    status, page = call(port, "GET", "/")
    assert status == 200 and '<script src="/static/app.js">' in page
    status, script = call(port, "GET", "/static/app.js")
    assert status == 200 and "hiddenSizes" in script
    status, state = call(port, "POST", "/api/step", b'{"epochs": 2}', Origin=f"http://127.0.0.1:{port}")
    assert status == 200 and state["epoch"] == 2 and state["svg"].startswith("<svg")
    status, state = call(port, "POST", "/api/settings", b'{"hidden": [4, 2]}', Host=f"localhost:{port}")
    assert status == 200 and state["settings"]["hidden"] == [4, 2]


def test_a_link_from_another_site_opens_the_page_but_cannot_use_the_api(server):
    port = server.port
    status, page = call(port, "GET", "/", Sec_Fetch_Site="cross-site")
    assert status == 200 and "app.js" in page
    status, answer = call(port, "GET", "/api/neuron?layer=0&unit=0", Sec_Fetch_Site="cross-site")
    refused(port, status, answer, 403, "cross-site request refused")


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({"Origin": "http://evil.example"}, "cross-origin"),  # any web page the learner visits
        ({"Origin": "null"}, "cross-origin"),  # a sandboxed frame or a file:// page
        ({"Content_Type": "text/plain"}, "Content-Type must be application/json"),  # a form's simple POST
        ({"Host": "evil.example:{port}"}, "Host must be"),  # DNS rebinding: evil.example now points here
        ({"Host": "127.0.0.1:1"}, "Host must be"),
        ({"Host": None}, "Host must be"),
        ({"Sec_Fetch_Site": "cross-site"}, "cross-site"),
    ],
)
def test_requests_from_elsewhere_are_refused_and_change_nothing(server, headers, words):
    port = server.port
    before = settings_of(port)
    headers = {k: v.format(port=port) if isinstance(v, str) else v for k, v in headers.items()}
    status, answer = call(port, "POST", "/api/settings", b'{"hidden": [1], "lr": 10}', **headers)
    assert 400 <= status < 500 and words in answer["error"], answer
    if "Host" not in headers:  # a request with the page's own Host may ask how things are
        assert status in (403, 415)
    assert settings_of(port) == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"points": 1e9}', "points must be an integer, got float"),
        (b'{"points": 1000000000}', f"points must be between 10 and {MAX_POINTS}"),
        (b'{"hidden": [100000, 100000]}', f"between 1 and {MAX_UNITS}"),
        (b'{"hidden": [2, 2, 2, 2, 2, 2, 2]}', f"at most {MAX_LAYERS} layer sizes"),
        (b'{"hidden": "abc"}', "hidden must be a list"),
        (b'{"noise": 0.7}', "noise must be between 0 and 0.5"),
        (b'{"noise": 0.7, "hidden": [2]}', "noise must be between 0 and 0.5"),  # nothing of it is applied
        (b'{"dataset": "../x"}', "dataset must be one of"),
        (b'{"lr": NaN}', "NaN is not a number JSON allows"),
        (b'{"batch_size": Infinity}', "Infinity is not a number JSON allows"),
        (b'{"colour": "red"}', "unknown settings"),
        (b"[1, 2]", "must be a JSON object"),
        (b"null", "must be a JSON object"),
        (b'"hidden"', "must be a JSON object"),
        (b'{"hidden": [1,', "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (b"[" * 5000 + b"]" * 5000, "invalid JSON"),
    ],
)
def test_a_refused_setting_is_a_400_and_is_never_stored(server, body, words):
    port = server.port
    before = settings_of(port)
    status, answer = call(port, "POST", "/api/settings", body)
    refused(port, status, answer, 400, words)
    assert settings_of(port) == before
    status, _ = call(port, "POST", "/api/reset")  # the Reset button still works
    assert status == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"epochs": 1000000000}', f"epochs must be between 1 and {MAX_EPOCHS}"),
        (b'{"epochs": Infinity}', "Infinity"),
        (b'{"epochs": 0}', "epochs must be a positive integer"),
        (b'{"epochs": 1.5}', "epochs must be an integer, got float"),
        (b'{"epochs": true}', "epochs must be an integer, got bool"),
        (b'{"epochs": 1, "more": 2}', "unknown fields"),
    ],
)
def test_steps_are_bounded(server, body, words):
    epoch = call(server.port, "GET", "/api/state")[1]["epoch"]
    status, answer = call(server.port, "POST", "/api/step", body)
    refused(server.port, status, answer, 400, words)
    assert call(server.port, "GET", "/api/state")[1]["epoch"] == epoch


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("layer=x&unit=0", "layer must be one whole number"),
        ("layer=0", "needs unit"),
        ("layer=0&unit=0&sample=100000", "sample must be a training point from 0 to 19"),
        ("layer=0&unit=7", "no unit 7 in layer 0"),
        ("layer=9&unit=0", "no unit 0 in layer 9"),
        ("layer=-1&unit=0", "layer must be one whole number"),
        ("layer=0&unit=0&unit=1", "unit must be one whole number"),
        ("layer=0&unit=0&colour=red", "unknown parameters ['colour']"),
        ("layer=0&unit=0&sample=0&x=1", "bad query string"),  # more fields than /api/neuron takes
        ("layer=0&unit=0&x", "bad query string"),
        ("layer=99999999999999999999&unit=0", "at most 6 digits"),
    ],
)
def test_bad_neuron_queries_are_400(server, query, words):
    status, answer = call(server.port, "GET", f"/api/neuron?{query}")
    refused(server.port, status, answer, 400, words)


def test_sizes_and_shapes_of_requests_are_bounded(server):
    port = server.port
    before = settings_of(port)
    cases = [
        (request(port, "POST", "/api/settings", Content_Length="4000000000"), 413, f"at most {MAX_BODY}"),
        (request(port, "POST", "/api/settings", Content_Length="-1"), 400, "Content-Length must be a whole"),
        (request(port, "POST", "/api/settings", Content_Length=None), 411, "Content-Length is required"),
        (request(port, "POST", "/api/settings", b" " * (MAX_BODY + 1)), 413, f"at most {MAX_BODY}"),
        (request(port, "POST", "/api/settings", b'{"noise": 0.1}', Content_Length="20"), 400, "ended after 14 of 20"),
        (request(port, "POST", "/api/reset", b'{"x": 1}'), 400, "takes no fields"),
        (request(port, "POST", "/api/nothing"), 404, "not found"),
        (request(port, "GET", "/static/../server.py"), 404, "not found"),
        (request(port, "PUT", "/api/settings"), 405, "Unsupported method"),
        (b"GARBAGE\r\n\r\n", 400, "Bad request"),
        (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n", 431, "Too many headers"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "Request-URI Too Long"),
        (b"GET / HTTP/1.1\r\nX: " + b"y" * 70_000 + b"\r\n\r\n", 431, "Line too long"),
    ]
    for raw, expected, words in cases:
        status, body = exchange(port, raw)
        refused(port, status, json.loads(body), expected, words)
    assert settings_of(port) == before


def test_the_largest_network_answers_within_the_bound():
    pg = Playground(Settings(points=MAX_POINTS, hidden=(MAX_UNITS,) * MAX_LAYERS, features=tuple(FEATURES)))
    assert len(render(pg).encode()) < MAX_ANSWER / 2


def _half_open(port: int, count: int) -> list[socket.socket]:
    """Connections that send half a request line and then nothing."""
    held = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        conn.sendall(b"POST /api/settings HTTP/1.1\r\nHost: 127.0.0.1:")
        held.append(conn)
    return held


def test_many_slow_connections_hold_bounded_threads_and_are_cut_off(server, monkeypatch):
    port = server.port
    monkeypatch.setattr(play_server, "REQUEST_SECONDS", 1.0)
    threads_before = threading.active_count()
    held = _half_open(port, 3 * MAX_CONNECTIONS)
    try:
        turned_away = 0
        for conn in held:  # the connections beyond the bound are answered 429 and closed
            conn.settimeout(WAIT)
            data = conn.recv(4096)
            if data.startswith(b"HTTP/1.0 429"):
                assert b"at most %d" % MAX_CONNECTIONS in data
                turned_away += 1
            else:  # a held one: cut off by the deadline, with nothing or an error answered
                assert data == b"" or data.startswith(b"HTTP/1.0 4"), data
        assert turned_away >= 2 * MAX_CONNECTIONS - 2
        assert threading.active_count() - threads_before <= MAX_CONNECTIONS
    finally:
        for conn in held:
            conn.close()
    status, _ = call(port, "GET", "/api/state")  # and the server still answers
    assert status == 200


def test_a_trickling_client_is_cut_off_at_the_deadline(server, monkeypatch):
    """A client that sends a byte at a time (each read is quick, the whole is not) is closed."""
    monkeypatch.setattr(play_server, "REQUEST_SECONDS", 1.0)
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as conn:
        sent = 0
        try:
            for byte in request(server.port, "GET", "/api/state", X_Pad="y" * 10_000):
                conn.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert sent < 10_000  # cut off long before the request was whole
    assert call(server.port, "GET", "/api/state")[0] == 200


def test_hostile_requests_leave_memory_bounded(server):
    port = server.port
    tracemalloc.start()
    try:
        for _ in range(3):
            exchange(port, request(port, "POST", "/api/settings", b"x" * 1024, Content_Length="300000000"))
            exchange(port, request(port, "POST", "/api/settings", b'{"points": 1e9, "hidden": [100000, 100000]}'))
            exchange(port, request(port, "POST", "/api/settings", b"[" * 60000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert call(port, "GET", "/api/state")[0] == 200


def test_the_server_serves_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        start(port=0, host="0.0.0.0")


def test_python_m_viz_play_serves_the_page_on_loopback(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    refused_host = subprocess.run(
        [sys.executable, "-m", "viz.play", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60, env=env
    )
    assert refused_host.returncode == 2 and "invalid choice: '0.0.0.0'" in refused_host.stderr
    process = subprocess.Popen(
        [sys.executable, "-m", "viz.play", "--port", "0"], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url, timeout=WAIT) as page:
            assert b'src="/static/app.js"' in page.read()
    finally:
        process.terminate()
        process.wait(timeout=WAIT)
