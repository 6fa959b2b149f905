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

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(PY) -m gitops_templates.demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check gitops_templates tests benchmarks
	$(BIN)/ruff format --check gitops_templates tests benchmarks
	$(BIN)/mypy

unit: $(VENV)/.installed-test
	$(BIN)/pytest -q

test: lint unit

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

wheel: $(VENV)/.installed-test
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache benchmarks/.work

readme: $(VENV)/.installed
	$(PY) -m gitops_templates.cli._reference README.md
