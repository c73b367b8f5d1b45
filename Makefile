# The README's two commands: `make quiz` and `make test`. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# A plain path entry instead of setuptools' import hook: the hook costs ~15 ms at every start,
# and drill finds its bundled decks in the checkout either way.
EDITABLE := --config-settings editable_mode=compat
# setuptools >= 80 warns (a dozen lines) that compat mode is transitional; a new user's install
# stays quiet. When compat goes, a plain `pip install -e .` is the fallback (slower start).
QUIET_BUILD := PYTHONWARNINGS="ignore:Compat editable installs"

.PHONY: quiz test install install-test lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make reinstalls happen only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(BIN)/python -m pip install --quiet -e . $(EDITABLE)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(BIN)/python -m pip install --quiet -e '.[test]' $(EDITABLE)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

quiz: install
	$(BIN)/drill quiz $(QUIZ_ARGS)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed goals as ratios against references run side by side; writes build/bench.json.
# Not part of `make test`, and never fails the build. BENCH=full: more repeats and answers.
bench: install-test
	-$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The README's CLI reference and docs/cli.md, from the commands' help (tests check they are current).
docs: install
	$(BIN)/python -m drill.ui.docs

clean:
	rm -rf build dist src/*.egg-info .pytest_cache
