# Two commands for a new user: `make run` and `make test`. Both set up .venv first (once per pyproject change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WS_SDK_STAMP := contract_tests/ws_sdk/node_modules/.package-lock.json

.PHONY: run test tools bench soak model fuzz lint lock clean module package

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: the Webitel emulator (:8090) and the connector (:8080) together, seeded, on SQLite
## (other ports: make run PORT=8180 EMULATOR_PORT=8190)
PORT          ?= 8080
EMULATOR_PORT ?= 8090
run: $(STAMP)
	$(BIN)/webitel-connector demo --port $(PORT) --emulator-port $(EMULATOR_PORT)

## module: the Creatio package's remote module (Angular, in creatio-package/remote-module), built into
## creatio-package/Files/src/js/webitel_users; `npm ci` first when package-lock.json changed
MODULE := creatio-package/remote-module
$(MODULE)/node_modules/.package-lock.json: $(MODULE)/package-lock.json
	cd $(MODULE) && npm ci --no-audit --no-fund --loglevel=error
module: $(MODULE)/node_modules/.package-lock.json
	cd $(MODULE) && npx tsc -p tsconfig.json --noEmit && node build.mjs

## package: dist/WebitelConnector.zip, the Creatio package ready to install (docs/creatio.md)
package: module $(STAMP)
	$(BIN)/python creatio-package/pack.py --out dist/WebitelConnector.zip

## test: the type checks (mypy over connector/, emulator/, tests/, bench/ and contract_tests/; tsc over
## the remote module), the remote module's component tests (Jest), then every pytest suite (unit,
## integration, property, contract, end-to-end, the dashboard and the remote module in headless
## Chromium); starts PostgreSQL itself. Two pytest-xdist workers by default (TEST_WORKERS=1: one process).
TEST_WORKERS ?= 2
test: tools $(STAMP) $(WS_SDK_STAMP) module
	$(BIN)/mypy
	cd $(MODULE) && npx jest --ci
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# webitel-sdk and ws for the WebSocket test (tests/emulator/test_websocket_sdk.py), from the lock file
$(WS_SDK_STAMP): contract_tests/ws_sdk/package-lock.json
	cd contract_tests/ws_sdk && npm ci --no-audit --no-fund --loglevel=error

## tools: what the tests need beyond Python (PostgreSQL, nginx, Node.js and npm, Chromium), installed
## with apt-get when missing and run as root on Debian
tools:
	scripts/install-test-tools

## bench: every benchmark, one table of figures, floors, ratios and targets (bench/last-run.md)
bench: $(STAMP)
	$(BIN)/python -m bench

## lock: requirements.lock (the image's pinned dependencies) from pyproject.toml; commit the result
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --extra postgres --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml

## soak: thousands of random operations with random Webitel faults, then zero drift (CONNECTOR_RANDOM_OPS)
soak: $(STAMP)
	CONNECTOR_RANDOM_OPS=$${CONNECTOR_RANDOM_OPS:-1000} $(BIN)/python -m pytest -q -s \
		tests/connector/e2e/faults/test_e2e_random.py

## model: the model-based test (random operations and faults, connector and emulator) at length
model: $(STAMP)
	CONNECTOR_MODEL_STEPS=$${CONNECTOR_MODEL_STEPS:-3000} $(BIN)/python -m pytest -q -s \
		tests/connector/integration/test_model.py

## fuzz: Schemathesis against the connector's OpenAPI document, far longer than in `make test` and with
## new examples each run (CONNECTOR_SCHEMATHESIS_EXAMPLES an operation, _SCENARIOS stateful runs)
fuzz: $(STAMP)
	CONNECTOR_SCHEMATHESIS_EXAMPLES=$${CONNECTOR_SCHEMATHESIS_EXAMPLES:-1000} \
	CONNECTOR_SCHEMATHESIS_SCENARIOS=$${CONNECTOR_SCHEMATHESIS_SCENARIOS:-300} \
	CONNECTOR_SCHEMATHESIS_RANDOM=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) \
		tests/connector/integration/test_schemathesis.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info dist $(MODULE)/node_modules creatio-package/Files/src/js/webitel_users
