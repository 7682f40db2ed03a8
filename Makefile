# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch must come before anything that depends on it: a bare `torch` requirement
# pulls a multi-GB CUDA build, torch==2.13.0 takes the CPU build.
TORCH  ?= torch==2.13.0

.PHONY: demo test test-real test-lowest lint bench clean venv venv-test mutate coverage package-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The base install has no torch (CTranslate2 only); the test environment adds it.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[serve]"  # mtalign serve runs after make demo
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet $(TORCH)
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

demo: venv
	$(BIN)/python -m mtalign.cli.demo

test: venv-test
	$(BIN)/python -m pytest -q

# The real-weights tier: MTALIGN_REAL_MODELS=DIR (downloaded OPUS-MT checkpoints) make test-real.
# Optional: MTALIGN_REAL_COMET=Unbabel/wmt22-comet-da (with mtalign[comet]). docs/real-models.md.
test-real: venv-test
	@test -n "$(MTALIGN_REAL_MODELS)" || { echo "make test-real: set MTALIGN_REAL_MODELS=DIR (a folder of downloaded OPUS-MT checkpoints; docs/real-models.md)" >&2; exit 2; }
	MTALIGN_REAL_MODELS="$(MTALIGN_REAL_MODELS)" $(BIN)/python -m pytest -q -rs -m real_model tests/test_real_models.py

# Mutation testing of the pure modules ([tool.mutmut] in pyproject.toml); scores and the
# surviving mutants that are equivalent are listed in docs/development.md.
mutate: venv-test
	rm -rf mutants
	$(BIN)/mutmut run || true
	$(BIN)/mutmut results

# The whole suite with line coverage of mtalign/ (the lines no test runs are listed).
coverage: venv-test
	$(BIN)/python -m pytest -q --cov=mtalign --cov-report=term-missing:skip-covered

lint: venv-test
	$(BIN)/ruff check mtalign tests benchmarks
	$(BIN)/ruff format --check mtalign tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

# Wheel + sdist: build, twine check, install into a clean venv without torch, run --help,
# a smoke test and the offline demo from the installed package (.ci/package-check).
package-check: venv-test
	.ci/package-check $(BIN)/python


# The declared floors, proven: a separate venv with every direct dependency at the lowest
# version pyproject allows (uv's lowest-direct resolution; torch stays $(TORCH), installed
# first without its dependencies so that uv resolves those too), the test tools at their
# floors (Ray, the `test` extra's, is left out: its pandas needs numpy 2), then the tests
# of LOWEST_TESTS. docs/development.md#lowest-versions.
LOWEST       ?= .venv-lowest
LOWEST_TESTS ?= tests/test_engines.py tests/test_models.py tests/test_langs_aliases.py \
	tests/test_arabic.py tests/test_glossary_check.py tests/test_align.py tests/test_langid.py \
	tests/test_evaluate.py tests/test_api.py tests/test_translate_e2e.py tests/test_segment.py \
	tests/test_usefast_shim.py

$(LOWEST)/.installed: pyproject.toml
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet uv
	$(LOWEST)/bin/pip install --quiet --no-deps $(TORCH)
	echo '$(TORCH)' > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/uv pip install --python $(LOWEST)/bin/python --resolution lowest-direct \
		--constraint $(LOWEST)/constraints.txt -e '.[torch]' 'pytest>=8' 'hypothesis>=6.100' 'pysbd>=0.3.4'
	touch $@

test-lowest: $(LOWEST)/.installed
	$(LOWEST)/bin/python -m pip list --format=freeze > $(LOWEST)/versions.txt
	$(LOWEST)/bin/python -m pytest -q $(filter $(wildcard tests/*.py),$(LOWEST_TESTS))

clean:
	rm -rf $(VENV) $(LOWEST) out .pytest_cache build *.egg-info mutants .coverage
