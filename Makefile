# The two set-up commands a new user runs: `make demo` and `make test`.
# Each creates .venv on first use and installs what it needs; only Python 3 is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo docs test test-long lint bench notebooks executed-notebooks graphviz chromium playground clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebooks,dev]'
	touch $@

# Graphviz's `dot` is a system program: install it when we may, else say how.
graphviz:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing graphviz (apt-get install -y graphviz)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "Graphviz's 'dot' is not installed; pictures are written as .dot source instead."; \
		echo "  Debian/Ubuntu: sudo apt-get install graphviz"; \
		echo "  Fedora:        sudo dnf install graphviz"; \
		echo "  macOS:         brew install graphviz"; \
	fi

# Headless Chromium drives the browser tests (step-through page, Playground); without it they skip.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium (apt-get install -y chromium) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Chromium is not installed: the browser tests are skipped"; fi

demo: $(INSTALLED) graphviz
	$(BIN)/python -m viz.walkthrough --out out

# The demo's pictures that the README shows, committed under docs/demo.
docs: $(INSTALLED) graphviz
	$(BIN)/python -m viz.walkthrough --out docs/demo

test: $(INSTALLED) graphviz chromium
	$(BIN)/python -m pytest -q

# Style and types: ruff (lint and format) over the code and its tests, mypy over the library's packages.
# Installs only the `lint` extra (linters, and the typed libraries mypy reads): no PyTorch, no Jupyter.
LINTED := autograd nn viz chainrule tests benchmarks notebooks/exercises
LINT_INSTALLED := $(VENV)/.lint-installed

$(LINT_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lint]'
	touch $@

lint: $(LINT_INSTALLED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy autograd nn viz chainrule

# Long property runs (20,000 generated cases) and memory soaks.
test-long: $(INSTALLED) graphviz
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q -m "slow or not slow"

# Speed and memory ratios against micrograd, PyTorch and plain numpy (one BLAS thread).
bench: $(INSTALLED)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks

# The Playground as a standalone page on http://localhost:8765 (nothing is fetched from the internet).
playground: $(INSTALLED)
	$(BIN)/python -m viz.play --port 8765

# JupyterLab over the notebooks; as root (a container) Jupyter needs --allow-root.
notebooks: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:
	rm -rf $(VENV) out build *.egg-info

# Execute every notebook and save it with its outputs (commit the result).
executed-notebooks: $(INSTALLED) graphviz
	WRITE_NOTEBOOKS=1 $(BIN)/python -m pytest -q tests/test_notebooks.py
