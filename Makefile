# The README's commands. `make run` and `make test` work on a fresh machine with Python >= 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck unit schema sandbox bench bench-wrk bench-logs bench-defer bench-peer bench-freshness bench-design hit profile reliability assets screenshot clean mutation plant-bugs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

# Every file copy-assets.sh and precompress.py leave: one missing (an interrupted build, a partial copy) rebuilds them all.
VENDOR_BUNDLES := graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js \
	graphql-ws.min.js plugin-explorer.umd.js plugin-explorer.css
GRAPHIQL_VENDOR := $(foreach f,$(VENDOR_BUNDLES),$(addprefix gateway/graphiql/vendor/,$(f) $(f).br $(f).gz $(f).zst))

## assets: GraphiQL and React from the npm registry (pinned by frontend/package-lock.json), precompressed
assets: $(GRAPHIQL_VENDOR)

$(GRAPHIQL_VENDOR) &: frontend/package.json frontend/package-lock.json frontend/copy-assets.sh frontend/precompress.py | $(VENV)/.installed
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	frontend/copy-assets.sh
	$(BIN)/python frontend/precompress.py gateway/graphiql/vendor

## run: the gateway on http://127.0.0.1:8000/graphql (GraphiQL; embedded sandbox without credentials)
run: $(VENV)/.installed assets
	$(BIN)/solar-gateway serve

## test: ruff (format and lint), mypy --strict and pytest, exactly what CI runs
test: lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev assets
	$(BIN)/pytest

## screenshot: GraphiQL's first screen in headless Chromium, kept as docs/graphiql.png (the README's picture)
screenshot: $(VENV)/.installed-dev assets
	UPDATE_SCREENSHOT=1 $(BIN)/pytest -q tests/integration/test_graphiql_browser.py -k first_screen

## schema: rewrite schema/schema.graphql from the code
schema: $(VENV)/.installed
	$(BIN)/solar-gateway schema > schema/schema.graphql

## sandbox: the simulated OpenSolar and Arcadia APIs alone on :8001 (80 ms latency)
sandbox: $(VENV)/.installed
	$(BIN)/solar-gateway sandbox --port 8001 --latency-ms 80

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis mutants

## reliability: the attack catalogue and fault matrix with outcome counts; writes RELIABILITY.md
reliability: $(VENV)/.installed-dev assets
	$(BIN)/python -m benchmarks.reliability --write RELIABILITY.md

## bench: sandbox (80 ms) + gateways as processes; splices its section into BENCHMARKS.md, then the wrk table (needs wrk)
bench: $(VENV)/.installed-dev assets
	$(BIN)/python -m benchmarks.run --write BENCHMARKS.md
	$(MAKE) bench-wrk
	$(MAKE) bench-design

## bench-design: a 27,000-panel design's decode against base64 + gunzip + json.loads (issue 16, item 4); splices BENCHMARKS.md
bench-design: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.design --write BENCHMARKS.md

## bench-wrk: three ways under wrk (ceiling, response cache warm, response cache off) and the hit with
## compression on against its own ceiling, and the hit at the default INFO log level; splices BENCHMARKS.md
bench-wrk: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.wrk --accept-encoding "gzip, deflate, br, zstd" --write BENCHMARKS.md

## bench-defer: time to the first part with @defer against the whole answer (stitched ProjectPage); splices BENCHMARKS.md
bench-defer: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.defer --write BENCHMARKS.md

## bench-logs: what the INFO access line costs a hit, listener thread against log writer process (wrk); splices BENCHMARKS.md
bench-logs: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.log_cost --write BENCHMARKS.md

## bench-peer: ours against the Node peer (Mesh + Hive Gateway, npm ci from benchmarks/node_peer), interleaved rounds; splices BENCHMARKS.md
bench-peer: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.peer --write BENCHMARKS.md

## bench-freshness: 10 minutes, one upstream change a second: webhooks (ours) against a TTL (the peer); splices BENCHMARKS.md
bench-freshness: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.freshness --write BENCHMARKS.md

## hit: a response-cache hit's cost in the gateway app vs a trivial Starlette app (in process)
hit: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks.hit Portfolio

## profile: where the miss path's CPU goes (py-spy, the portfolio in process); writes profile.svg
profile: $(VENV)/.installed-dev
	CPU_RUNS=40 $(BIN)/py-spy record --rate 250 --output profile.svg -- $(BIN)/python -m benchmarks.cpu Portfolio

## mutation: mutmut over the guarded modules (one mutant at a time); the score per module into TESTING.md
mutation: $(VENV)/.installed-dev assets
	$(BIN)/python -m benchmarks.mutation --write TESTING.md

## plant-bugs: the nine bugs of issue 11, planted one at a time in a copy; which tests catch each, into TESTING.md
plant-bugs: $(VENV)/.installed-dev assets
	$(BIN)/python -m benchmarks.plant_bugs --write TESTING.md
