# glassnet: set-up and everyday commands. Needs only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint bench bench-quick clean docs docs-serve

$(PY):
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras, remade when pyproject.toml changes.
$(VENV)/.demo: pyproject.toml | $(PY)
	$(PIP) -e ".[demo]"
	@touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PIP) -e ".[test]"
	@touch $@

demo: $(VENV)/.demo
	$(VENV)/bin/glassnet demo

test: $(VENV)/.test
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

bench: $(VENV)/.bench
	$(BENCH_ENV) $(PY) benchmarks/bench.py

bench-quick: $(VENV)/.bench
	$(BENCH_ENV) $(PY) benchmarks/bench.py --quick

# The documentation site (mkdocs-material): built with warnings as errors into site/, the lessons executed.
$(VENV)/.docs: pyproject.toml | $(PY)
	$(PIP) -e ".[docs,plots,sklearn]"
	@touch $@

docs: $(VENV)/.docs
	GLASSNET_DOCS_EXECUTE=true NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

docs-serve: $(VENV)/.docs
	GLASSNET_DOCS_EXECUTE=true NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

lint: $(VENV)/.test
	$(PY) -m ruff check .
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
