# glassnet: set-up and everyday commands. Needs only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: help demo test lint bench bench-quick bench-profile dist docs docs-serve clean

help:  ## list the targets
	@awk -F':.*## ' '/^[a-z-]+:.*## /{printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras, remade when pyproject.toml changes.
$(VENV)/.demo: pyproject.toml | $(PY)
	$(PIP) -e ".[demo]"
	@touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PIP) -e ".[test]"
	@touch $@

demo: $(VENV)/.demo  ## create .venv, install glassnet with the demo extra, learn handwritten digits
	$(VENV)/bin/glassnet demo
	@echo "glassnet is installed in $(VENV): type $(VENV)/bin/glassnet, or first . $(VENV)/bin/activate"

test: $(VENV)/.test  ## ruff, mypy and the whole test suite (lessons and docs included)
	$(PY) -m ruff check .
	$(PY) -m mypy
	sh tests/install_browser.sh
	# two test workers on two cores: one BLAS thread each, so they do not fight over the cores
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile

# The peers (scikit-learn, PyTorch's CPU build) and Fashion-MNIST, for benchmarking only.
$(VENV)/.bench: pyproject.toml benchmarks/setup.sh | $(PY)
	bash benchmarks/setup.sh $(VENV)
	@touch $@

# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (set on some machines) slow a current numpy: unset for benchmarks only.
BENCH_ENV := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE

bench: $(VENV)/.bench  ## glassnet against scikit-learn and PyTorch on Fashion-MNIST
	$(BENCH_ENV) $(PY) benchmarks/bench.py

bench-quick: $(VENV)/.bench  ## a rough benchmark in about a minute
	$(BENCH_ENV) $(PY) benchmarks/bench.py --quick

# a sweep's wall time on a Dask LocalCluster with 1 and 2 workers (dask comes with the test extra)
.PHONY: bench-dask
bench-dask: $(VENV)/.test  ## a grid search's wall time on Dask with 1 and 2 workers
	$(BENCH_ENV) $(PY) benchmarks/bench_dask.py

# Where a glassnet epoch spends its time (cProfile, benchmark network and learner-sized network).
bench-profile: $(VENV)/.bench  ## where a glassnet epoch spends its time
	$(BENCH_ENV) $(PY) benchmarks/profile_epoch.py

# The documentation site (mkdocs-material): built with warnings as errors into site/, the lessons executed.
$(VENV)/.docs: pyproject.toml | $(PY)
	$(PIP) -e ".[docs,plots,sklearn]"
	@touch $@

docs: $(VENV)/.docs  ## build the documentation site into site/ (warnings are errors; lessons executed)
	GLASSNET_DOCS_EXECUTE=true NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

docs-serve: $(VENV)/.docs  ## serve the documentation site on 127.0.0.1:8000
	GLASSNET_DOCS_EXECUTE=true NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

lint: $(VENV)/.test  ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m mypy

$(VENV)/.dist: pyproject.toml | $(PY)
	$(PIP) ".[dist]"
	@touch $@

dist: $(VENV)/.dist  ## build the sdist and the wheel into dist/ and check them with twine
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*

clean:  ## remove .venv and what the build left
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
