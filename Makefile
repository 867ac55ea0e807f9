# Two commands a fresh machine with Python 3.11 needs: `make demo` and `make test`.
# Each creates .venv if missing and installs what it needs (again when pyproject.toml changes).
# The test install adds the test tools and the optional openai-whisper backend (CPU torch), so that
# backend's loading path is tested too; the demo needs neither.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: demo test lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,whisper]'
	@touch $@

demo: $(VENV)/.installed-run
	$(VENV)/bin/selecta demo

# pytest exits 5 when it collects no tests; that is not a failure of the suite.
test: $(VENV)/.installed-test
	$(VENV)/bin/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .selecta .pytest_cache .ruff_cache
