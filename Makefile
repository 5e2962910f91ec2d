# Two commands do everything on a fresh machine (Python 3.11 and pip, nothing else):
#   make demo   - the monthly job end to end on the embedded PostgreSQL, through Airflow
#   make test   - the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench venv clean stop geography

venv: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

# make demo [MONTH=2024-10] [ROWS=100000] [PROVINCE=48]: last month (or MONTH) with that month's
# geography; PROVINCE reports for another province (ISPEED_PROVINCE) in its own data folder,
# .data/province-48 (unless ISPEED_DATA_DIR is set), so Hải Phòng's demo in .data is untouched.
demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/test.sh

# ruff (pyproject.toml): lint and format check; `make format` rewrites the files
LINTED := plugins dags tests benchmarks
lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

# make bench N="100000 1000000 10000000": the benchmark (docs/performance.md); results in benchmarks/results/
N ?= 100000 1000000
bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash -c 'source scripts/airflow_env.sh && python -m ispeed.bench --rows $(N)'

stop: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash -c 'source scripts/airflow_env.sh && python -m ispeed warehouse stop'

clean:
	rm -rf .data

# The shipped geography (include/reference/provinces.csv, areas.csv) from the vietnam-provinces
# releases of each period (docs/geography.md); needs the package registry.
geography: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" PYTHONPATH=plugins python -m ispeed geography
