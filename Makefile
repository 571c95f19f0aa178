# sotclinic — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench setup clean messages

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
	@# The background worker (messages, reminders, follow-ups) beside the web server; Ctrl-C
	@# stops the server, and the shell then stops the worker. Both put their own address in links.
	@export SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/sotclinic worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/sotclinic serve

# The whole suite also measures coverage of src/sotclinic and then applies the coverage gate
# (tools/check_coverage.py). With PYTEST_ARGS (a subset: `make test PYTEST_ARGS=tests/scheduling`)
# or COVERAGE=off, pytest runs alone: a subset cannot reach the whole suite's figures.
COVERAGE ?= on
ifneq ($(strip $(PYTEST_ARGS)),)
COVERAGE := off
endif

test: $(STAMP)
ifeq ($(COVERAGE),off)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
else
	rm -f .coverage .coverage.*
	$(BIN)/python -m pytest --cov --cov-report=
	$(BIN)/python tools/check_coverage.py
endif

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports
	$(BIN)/python tools/check_template_strings.py

# Translations: extract new strings into the catalogues (needs GNU gettext's xgettext:
# `apt-get install gettext`), translate them in src/sotclinic/locale/*/LC_MESSAGES/django.po,
# then `make messages` again to compile the .mo files (pure Python) that are committed.
messages: $(STAMP)
	cd src/sotclinic && SOTCLINIC_VAR_DIR=../../var ../../$(BIN)/sotclinic manage makemessages \
		-l de -l en_US -e html,txt,py --no-wrap --no-location --ignore 'static/*' --ignore 'migrations/*'
	$(BIN)/python tools/compile_messages.py

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

# BENCH_SIZE=tiny: the smoke run CI does (a few rows, one round, no figure to judge).
# BENCH_ARGS=--large: the pages also at 10× the practice (meant for PostgreSQL).
bench: $(STAMP)
ifeq ($(BENCH_SIZE),tiny)
	$(BIN)/python bench/run.py --rounds 1 --repeat 1
else
	$(BIN)/python bench/run.py
endif
	$(BIN)/python bench/pages.py $(BENCH_ARGS)
# Booking writers beside chart readers, always on SQLite (its one write lock is the question).
ifeq ($(BENCH_SIZE),tiny)
	$(BIN)/python bench/writers.py --scale 0.002 --writers 2 --readers 1 --seconds 1 --solo 2
else
	$(BIN)/python bench/writers.py
endif

clean:
	rm -rf $(VENV) var build src/*.egg-info .coverage .coverage.*
