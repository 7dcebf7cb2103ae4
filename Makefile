# Two commands set up a fresh clone: `make run` and `make test`.
# Both create .venv on first use and install the locked dependency tree into it
# (requirements-dev.lock, every file checked against its hash); nothing is installed
# outside this folder. `make lock` brings the locks in line with pyproject.toml;
# `make upgrade` moves them to the newest releases it allows.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Only `make lock` needs uv; the installs are plain pip.
UV_VERSION := 0.13.9
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: run test eval lint typecheck check bench lock upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@# Fails when pyproject.toml asks for something the lock does not hold.
	$(BIN)/pip check
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/switchboard serve --host $${HOST:-127.0.0.1} --port $${PORT:-8080}

test: $(STAMP)
	$(BIN)/pytest

eval: $(STAMP)
	$(BIN)/switchboard eval eval/golden/*.jsonl --gate eval/gate.yaml --report eval-report.html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/router.py
	$(BIN)/python -m bench.llm_stream
	$(BIN)/python -m bench.slack_ack
	$(BIN)/python -m bench.drill
	$(BIN)/python -m bench.fuzz

# The runtime lock first (production installs it through requirements.txt), then the
# development lock on top of it, so both hold the same version of every shared package.
# `make lock` follows pyproject.toml and keeps every other pin; `make upgrade` moves all
# pins to the newest releases pyproject.toml allows.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(LOCK) $(UPGRADE) -o requirements.lock
	$(LOCK) $(UPGRADE) --group dev -c requirements.lock -o requirements-dev.lock

upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
