# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch must come before anything that depends on it: a bare `torch` requirement
# pulls a multi-GB CUDA build, torch==2.13.0 takes the CPU build.
TORCH  ?= torch==2.13.0

.PHONY: demo test lint bench clean venv venv-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

demo: venv
	$(BIN)/python -m mtalign.cli.demo

test: venv-test
	$(BIN)/python -m pytest -q

lint: venv-test
	$(BIN)/ruff check mtalign tests benchmarks
	$(BIN)/ruff format --check mtalign tests benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) out .pytest_cache build *.egg-info
