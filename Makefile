# vocmatch — the two commands a newcomer needs:
#   make run    create .venv, install, migrate the SQLite file, load the sample, serve on :8000
#   make test   create .venv, install with test extras, run the whole suite (SQLite and PostgreSQL)
# and for the inner loop:
#   make test-fast   the suite without the slow tests, on SQLite only
#   make coverage    the whole suite under coverage.py, with the line-coverage report
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint coverage install bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/vocmatch run

# -n auto: one pytest worker per core (pytest-xdist); each worker has its own databases and servers.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

# the checks CI runs before the tests: lint, format, types, import layers (tests/test_style.py, test_types.py and
# test_layers.py hold them too); mypy's cache lives in the venv
lint: $(STAMP)
	$(BIN)/ruff check service matching scrapers vocab tests bench
	$(BIN)/ruff format --check service matching scrapers vocab tests bench
	$(BIN)/mypy --cache-dir $(VENV)/.mypy_cache
	$(BIN)/lint-imports

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -m "not slow" -k "not postgresql"

coverage: $(STAMP)
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest -n auto
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage report --sort=cover | tail -25

bench: $(STAMP)
	$(BIN)/python bench/bench_content_ranker.py

clean:
	rm -rf $(VENV) var .pytest_cache
