# Two commands do all the set-up on a fresh machine (README, Quick start):
#   make book   build the book into _build/html
#   make test   ruff (lint + format check), unit tests, every notebook under nbval, the built book in a browser
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# One thread per process: tests run two notebooks at once on two cores, and checked notebook
# outputs are produced under the same setting.
export OMP_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0
export MPLBACKEND := agg

NB_DIRS := notebooks exercises solutions
PYTEST_NB := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: book test chromium lint format lab unit nbval notebooks bench bench-convergence clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

book: $(VENV)/.installed
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: chromium $(VENV)/.installed lint book
	$(PY) -m pytest tests $(NB_DIRS) $(PYTEST_NB) -n 2 --dist loadfile -q

# The browser test (tests/book/test_browser.py) drives Debian's Chromium and its driver: installed here
# when missing and the machine allows it (root with apt), else make test stops before anything runs.
chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "installing chromium and chromium-driver (apt)"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	    else \
	        echo "make test needs Chromium and its driver: install them (Debian/Ubuntu: sudo apt-get install chromium chromium-driver)" >&2; \
	        exit 1; \
	    fi; \
	fi

# ruff's rules and format (pyproject.toml) over the package, tests, bench, tools and nbsrc/.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Apply the format, then copy the re-laid-out code into the executed notebooks (no re-run).
format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(PY) tools/notebooks.py restyle

# JupyterLab in the course environment, opened on the repository (chapters in notebooks/, exercises/).
lab: $(VENV)/.installed
	env -u MPLBACKEND $(VENV)/bin/jupyter lab --notebook-dir=.

# The tests that do not read the built book (those, marked "book", need `make book` first).
unit: $(VENV)/.installed
	$(PY) -m pytest tests -q -m "not book"

nbval: $(VENV)/.installed
	$(PY) -m pytest $(NB_DIRS) $(PYTEST_NB) -n 2 --dist loadfile -q

# Regenerate and execute notebooks from nbsrc/ (all, or NAMES="01_memory 02_writing"). Without the
# MPLBACKEND=agg exported above: the kernels must use Jupyter's inline backend, or every figure is lost.
notebooks: $(VENV)/.installed
	env -u MPLBACKEND $(PY) tools/notebooks.py build $(NAMES)

bench: $(VENV)/.installed
	$(PY) bench/step.py

# Minutes per setting: never part of `make test`.
bench-convergence: $(VENV)/.installed
	$(PY) bench/convergence.py

clean:
	rm -rf _build
