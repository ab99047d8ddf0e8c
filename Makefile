# Brisk developer commands. Everything runs inside .venv (created by `make install`).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SRC := src tests bench scripts contracts

.PHONY: install demo test coverage coverage-report lint fmt providers-test bench bench-micro bench-sweep \
        gen-fixtures interop contract release constitution-check clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv with Brisk (editable) and the dev tools

demo: $(STAMP)  ## the sample AgentOS (offline model unless a provider key is set)
	$(BIN)/brisk demo

test: $(STAMP)  ## unit + integration + contract tests, with coverage measured
	$(BIN)/pytest tests -p no:cacheprovider --cov=brisk --cov-report=term:skip-covered --cov-report=json:coverage.json -m "not providers"

coverage-report: ## print the coverage total of the last `make test`; fail under 85%
	$(BIN)/coverage report --fail-under=85 --format=total | sed 's/^/coverage total: /;s/$$/%/'

coverage: test coverage-report  ## run the tests, then fail when coverage is under 85%

lint: $(STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

fmt: $(STAMP)
	$(BIN)/ruff check --fix $(SRC)
	$(BIN)/ruff format $(SRC)

providers-test: $(STAMP)  ## real provider APIs, only for the keys that are set (not part of `make test`)
	$(BIN)/pytest tests/providers -m providers -rs -s -p no:cacheprovider

bench-micro: $(STAMP)  ## in-process micro-benchmarks, Brisk vs Agno 3.1.10 (installs .venv-agno)
	$(BIN)/python bench/micro.py

bench: $(STAMP)  ## Brisk vs Agno AgentOS under load (BENCH_USERS=100, BENCH_DURATION=120 s); report in artifacts/bench/
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-sweep: $(STAMP)  ## capacity sweep, BENCH_SWEEP_USERS=50,100,200,400 x BENCH_SWEEP_DURATION=30 s per system
	$(BIN)/python -m bench.run --sweep $(BENCH_ARGS)

gen-fixtures: $(STAMP)  ## record contract fixtures from Agno 3.1.10 (installs .venv-agno)
	$(BIN)/python -m contracts.generate

interop: $(STAMP)  ## one SQLite file written and continued by Agno 3.1.10 and Brisk in turn; report in artifacts/interop/
	$(BIN)/python -m contracts.interop

contract: $(STAMP)  ## replay the committed fixtures on Brisk; report in artifacts/contract/ (also part of `make test`)
	$(BIN)/pytest tests/contract -p no:cacheprovider

release: $(STAMP)  ## sdist and wheel into dist/ (version from src/brisk/__init__.py)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

constitution-check: $(STAMP)  ## project rules: no Agno at run time, .env.example complete, module size, coverage
	$(BIN)/python scripts/constitution_check.py

clean:
	rm -rf dist build .coverage coverage.json artifacts/contract artifacts/interop .pytest_cache
