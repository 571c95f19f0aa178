# sotclinic — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench setup clean

setup: $(STAMP)

# Reinstall only when the dependency list changes, so a second run is fast.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sotclinic manage migrate --noinput --verbosity 0
	$(BIN)/sotclinic manage collectstatic --noinput --verbosity 0
	$(BIN)/sotclinic demo
	@echo "Serving sotclinic at http://$(HOST):$(PORT)/  (staff log-in: http://$(HOST):$(PORT)/accounts/login/)"
	HOST=$(HOST) PORT=$(PORT) $(BIN)/sotclinic serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build src/*.egg-info
