# cnplan: two commands. `make plan` and `make test` each create .venv if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: plan test test-slow lint bench clean venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

plan: $(STAMP)
	$(BIN)/cnplan validate sites/sunderland.yaml sites/tochigi.yaml
	$(BIN)/cnplan show sites/sunderland.yaml --out out/sunderland/summary.txt
	$(BIN)/cnplan show sites/tochigi.yaml --out out/tochigi/summary.txt

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out
