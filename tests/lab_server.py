"""A real JupyterLab for browser tests: a server on 127.0.0.1 with a token, its own config,
data and runtime directories under a temporary folder, nothing fetched from the internet
(no news, no update check, no extension catalogue), and headless Chromium showing a notebook.

    with JupyterLab(tmp_path) as lab:
        lab.put("t.ipynb", notebook)            # an nbformat notebook
        page = lab.open("t.ipynb")              # a DevTools page with the notebook open
        lab.run_all(page); ...
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from browser import DevTools, free_port

ROOT = Path(__file__).resolve().parent.parent


class JupyterLab:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.notebooks = self.folder / "notebooks"
        self.notebooks.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.pages: list[DevTools] = []
        self.log = open(self.folder / "jupyterlab.log", "wb")  # noqa: SIM115 (closed in close())
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(self.folder / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.folder / "runtime"),
            "IPYTHONDIR": str(self.folder / "ipython"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.notebooks}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.disable_check_xsrf=True",
            *(["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []),
        ]
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.time() + 90
        while True:
            try:
                self.api("GET", "api/status")
                break
            except OSError as error:
                if self.process.poll() is not None or time.time() > deadline:
                    self.close()
                    raise RuntimeError(
                        "JupyterLab did not start: " + (self.folder / "jupyterlab.log").read_text()[-2000:]
                    ) from error
                time.sleep(0.3)

    def api(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def put(self, name: str, notebook) -> None:
        """Save an nbformat notebook under the server's root."""
        import nbformat

        (self.notebooks / name).write_text(nbformat.writes(notebook), encoding="utf-8")

    def read(self, name: str):
        import nbformat

        return nbformat.read(self.notebooks / name, as_version=4)

    def open(self, name: str) -> DevTools:
        """Chromium showing the notebook, once JupyterLab has opened it (kernel not yet necessarily idle)."""
        # `reset`: a clean workspace, not the notebooks an earlier page left open (JupyterLab keeps them server-side)
        url = f"http://127.0.0.1:{self.port}/lab/tree/{name}?reset&token={self.token}"
        page = DevTools(url, self.folder / f"profile{len(self.pages)}", size="1280,1000")
        self.pages.append(page)
        page.wait(
            "window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.content"
            " && window.jupyterapp.shell.currentWidget.content.widgets !== undefined",
            120,
        )
        return page

    @staticmethod
    def wait_kernel(page: DevTools, seconds: float = 120) -> None:
        page.wait(
            "(() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;"
            " return s && s.session && s.session.kernel && s.session.kernel.status === 'idle'; })()",
            seconds,
        )

    def run_all(self, page: DevTools, seconds: float = 240) -> None:
        """Run every cell (as Run ▸ Run All Cells) and wait until each has finished."""
        self.wait_kernel(page)
        page.run("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        done = (
            "(() => { const cells = window.jupyterapp.shell.currentWidget.content.widgets;"
            " return cells.every(c => c.model.type !== 'code' || (c.model.executionCount !== null"
            " && !c.node.querySelector('.jp-InputArea-prompt').textContent.includes('*'))); })()"
        )
        try:
            page.wait(done, seconds)
        except AssertionError:
            state = page.run(
                "(() => { const w = window.jupyterapp.shell.currentWidget; return {kernel: w.sessionContext.session"
                " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status, prompts:"
                " w.content.widgets.map(c => c.node.querySelector('.jp-InputArea-prompt').textContent)}; })()"
            )
            raise AssertionError(f"the cells did not finish: {state}; log: {self.log_tail()}") from None
        self.wait_kernel(page)

    def log_tail(self) -> str:
        self.log.flush()
        return (self.folder / "jupyterlab.log").read_text(errors="replace")[-1500:]

    @staticmethod
    def output(page: DevTools, cell: int, expression: str = "node.innerText"):
        """`expression` evaluated on the output area node of code cell `cell` (counting every cell)."""
        return page.run(
            f"(() => {{ const node = window.jupyterapp.shell.currentWidget.content.widgets[{cell}]"
            f".node.querySelector('.jp-OutputArea'); return node && {expression}; }})()"
        )

    def finish(self) -> None:
        """Close every page opened so far and shut their kernels down (between tests)."""
        for page in self.pages:
            page.close()
        self.pages = []
        for session in self.api("GET", "api/sessions") or []:
            with contextlib.suppress(urllib.error.HTTPError):  # already shutting down
                self.api("DELETE", f"api/sessions/{session['id']}")

    def close(self) -> None:
        for page in self.pages:
            page.close()
        self.pages = []
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def __enter__(self) -> JupyterLab:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
