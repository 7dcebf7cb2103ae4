# Two commands set up a fresh clone: `make run` and `make test`.
# Both create .venv on first use; nothing is installed outside this folder.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval lint typecheck check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
