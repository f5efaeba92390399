"""Debian's Chromium, headless, as the browser tests start it (no network, a throwaway profile),
and `DevTools`: one page of it driven over the DevTools protocol (tornado's websocket client)."""

import asyncio
import json
import shutil
import socket
import subprocess
import time
import urllib.request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(profile, *extra: str) -> list:
    """The command line that starts headless Chromium with its own profile directory and nothing
    that reaches for the internet (background networking, component updates, sync)."""
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *extra,
    ]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevTools:
    """Headless Chromium showing `url`, driven over the DevTools protocol: `run` evaluates
    JavaScript (awaiting promises), `wait` polls an expression, `console` holds the page's errors."""

    def __init__(self, url: str, profile, size: str = "1100,900"):
        from tornado import websocket

        port = free_port()
        self.process = subprocess.Popen(
            chromium_command(
                profile, f"--remote-debugging-port={port}", "--remote-allow-origins=*", f"--window-size={size}", url
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 30
        while True:
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
                page = next(t for t in targets if t["type"] == "page")
                break
            except (OSError, StopIteration):
                if time.time() > deadline:
                    self.process.kill()
                    raise
                time.sleep(0.2)
        self.loop = asyncio.new_event_loop()

        async def connect():
            return await websocket.websocket_connect(page["webSocketDebuggerUrl"], max_message_size=1 << 27)

        self.ws = self.loop.run_until_complete(connect())
        self.ids = 0
        self.console: list[str] = []
        self.send("Runtime.enable")

    def send(self, method: str, **params):
        """One DevTools command; returns its result (events that arrive meanwhile are kept in `console`)."""
        self.ids += 1
        ident = self.ids

        async def call():
            await self.ws.write_message(json.dumps({"id": ident, "method": method, "params": params}))
            while True:
                message = json.loads(await self.ws.read_message())
                if message.get("id") == ident:
                    return message
                if message.get("method") == "Runtime.exceptionThrown":
                    self.console.append(message["params"]["exceptionDetails"].get("text", "exception"))
                elif message.get("method") == "Runtime.consoleAPICalled" and message["params"]["type"] == "error":
                    self.console.append(
                        " ".join(str(a.get("value", a.get("description", ""))) for a in message["params"]["args"])
                    )

        message = self.loop.run_until_complete(call())
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    def run(self, expression: str):
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(
                f"{expression[:80]}: {result['exceptionDetails'].get('exception', {}).get('description')}"
            )
        return result["result"].get("value")

    def wait(self, expression: str, seconds: float = 60):
        """Poll until `expression` is truthy; returns its value."""
        deadline = time.time() + seconds
        while True:
            value = self.run(expression)
            if value:
                return value
            assert time.time() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.2)

    def click(self, selector: str, index: int = 0) -> None:
        """A real mouse click (pressed and released) at the middle of the matching element."""
        box = self.run(
            f"(() => {{ const r = document.querySelectorAll({json.dumps(selector)})[{index}].getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        self.mouse("mouseMoved", *box)
        self.mouse("mousePressed", *box)
        self.mouse("mouseReleased", *box)

    def mouse(self, kind: str, x: float, y: float, **extra) -> None:
        params = {"button": "left", "clickCount": 1} if kind != "mouseMoved" else {}
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **params, **extra)

    def key(self, key: str, code: str, keycode: int) -> None:
        """Press and release one key (ArrowRight: key 'ArrowRight', code 'ArrowRight', 39)."""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=keycode)

    def close(self) -> None:
        self.ws.close()
        self.loop.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
