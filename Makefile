# Two commands a fresh machine with Python 3.11 needs: `make demo` and `make test`.
# Each creates .venv if missing and installs what it needs (again when pyproject.toml changes).
# The test install adds the test tools and the optional backends (openai-whisper with the CPU torch, Piper,
# Rubber Band), so their code paths are tested too; the demo needs none of them.
# For development: `make lint` (ruff, ruff format, mypy strict: what CI enforces) and `make test-fast`
# (the suite without the tests marked slow: speech models, full renders, anything over ~5 s).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: demo test test-fast lint licenses browser debian-music clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,whisper,piper,rubberband]'
	@touch $@

demo: $(VENV)/.installed-run
	$(VENV)/bin/selecta demo

# pytest exits 5 when it collects no tests; that is not a failure of the suite.
pytest = $(VENV)/bin/python -m pytest -q$(if $(1), $(1)); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

test: $(VENV)/.installed-test browser debian-music
	$(call pytest)

# The listening page's browser tests drive Debian's Chromium through Playwright (a browser download is not
# reachable here, so never `playwright install`). Installed when missing and apt-get can; else they skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium is not installed: the browser tests will skip"

# Real recordings for the mixing tests (full-length game soundtracks Debian ships); installed like chromium,
# else the tests that need them skip and say so.
debian-music:
	@{ [ -d /usr/share/hyperrogue/music ] && [ -d /usr/share/games/wesnoth/1.16/data/core/music ]; } \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperrogue-music wesnoth-1.16-music >/dev/null; } \
		|| echo "hyperrogue-music / wesnoth-1.16-music are not installed: the real-recording tests will skip"

test-fast: $(VENV)/.installed-test
	$(call pytest,-m "not slow")

# All three checks run even when one fails, so one run shows every problem; any failure fails the target.
lint: $(VENV)/.installed-test
	@status=0; \
	echo "ruff check ."; $(VENV)/bin/ruff check . || status=1; \
	echo "ruff format --check ."; $(VENV)/bin/ruff format --check . || status=1; \
	echo "mypy"; $(VENV)/bin/mypy || status=1; \
	exit $$status

# The default install (no extras) must stay free of GPL/AGPL packages: Selecta is MIT.
licenses: $(VENV)/.installed-test
	$(VENV)/bin/python scripts/check_licenses.py --quiet

clean:
	rm -rf $(VENV) .selecta .pytest_cache .ruff_cache .mypy_cache
