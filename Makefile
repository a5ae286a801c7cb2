# maillage — the single entry point for developers and CI.
#   make demo    install everything, load the territory reference, seed Eure-et-Loir, serve on $(PORT)
#   make test    install, then ruff, migrations check and the test suite
#   make bench   benchmarks against naive baselines measured in the same run
#   make quality every static check (no tests)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
BIN := $(VENV)/bin
MAILLAGE := $(BIN)/maillage
PORT ?= 8000
PYTEST_ARGS ?=

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help venv migrate populate-db runserver demo test quality fix bench refresh-territories

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

# uv is bootstrapped with pip into the project's own virtualenv; it then installs the locked dependencies.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

venv: $(UV)
	@$(UV) sync --locked --quiet

migrate: venv
	$(MAILLAGE) migrate --noinput

populate-db: migrate
	$(MAILLAGE) territories load
	$(MAILLAGE) demo seed

runserver: venv
	@echo "maillage : http://127.0.0.1:$(PORT)/"
	$(MAILLAGE) runserver 127.0.0.1:$(PORT)

demo: populate-db runserver

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAILLAGE) makemigrations --check --dry-run
	@$(BIN)/pytest $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest n'a collecté aucun test : c'est une erreur." >&2; fi; exit $$code

quality: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint --check maillage
	$(MAILLAGE) check
	$(MAILLAGE) makemigrations --check --dry-run
	$(UV) lock --locked

fix: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint --reformat maillage

bench: venv
	$(BIN)/python -m benchmarks

# The only step that needs npm: turns @etalab/decoupage-administratif into maillage/territories/data/.
refresh-territories: venv
	npm ci --ignore-scripts --no-audit --no-fund --prefix tools/territories
	$(BIN)/python -m maillage.territories.refresh tools/territories/node_modules/@etalab/decoupage-administratif
