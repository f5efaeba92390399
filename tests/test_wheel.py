"""Leaving the repository: the wheel `python -m build` makes installs into a clean virtual
environment and works there, far from the source tree.

The wheel is built without build isolation (setuptools comes from the test environment, so
nothing is downloaded) and installed with --no-deps into a new virtual environment whose
dependencies (numpy, graphviz, safetensors, ...) are the test environment's, reached
through a .pth file. Everything then runs from an empty directory with no PYTHONPATH: only
what the wheel holds can be imported.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

pytest.importorskip("build")
pytest.importorskip("setuptools")

CHECK = """
import importlib.resources, numpy as np
import autograd, nn, viz, chainrule
import chainrule as torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()
assert x.grad.tolist() == [2.0, 4.0]
model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
assert model(np.ones((4, 2))).shape == (4, 1)
static = importlib.resources.files("viz.play") / "static"
assert (static / "index.html").is_file() and (static / "app.js").is_file(), "the Playground's page is missing"
assert autograd.__file__.startswith(r"{prefix}"), autograd.__file__
print("ok")
"""


def run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_wheel_installs_into_a_clean_environment_and_runs_the_walkthrough(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT), cwd=ROOT)
    (wheel,) = dist.glob("chainrule-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for package in ("autograd/", "nn/", "nn/optim/", "viz/", "viz/play/static/", "chainrule/", "chainrule/nn/"):
        assert any(name.startswith(package) for name in names), f"the wheel lacks {package}"
    assert not any(name.startswith("tests/") for name in names)

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    pip = (sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel))
    run(*pip, env=clean)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run(str(python), "-c", CHECK.format(prefix=env_dir), cwd=elsewhere, env=clean).strip() == "ok"
    run(str(python), "-m", "viz.walkthrough", "--out", str(tmp_path / "out"), cwd=elsewhere, env=clean)
    assert any((tmp_path / "out").iterdir())
