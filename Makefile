# pandadmin: `make demo` shows it working, `make test` proves it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export QT_API := pyside6

.PHONY: test demo lint bench package package-test clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[test,bench]"
	touch $@

system-deps:
	@bash scripts/system-deps.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check pandadmin tests benchmarks packaging scripts
	$(BIN)/ruff format --check pandadmin tests benchmarks packaging scripts
	$(BIN)/mypy pandadmin

test: $(BIN)/.installed system-deps lint
	QT_QPA_PLATFORM=offscreen bash scripts/with-secret-service.sh $(BIN)/python -m pytest -q -p no:cacheprovider

demo: $(BIN)/.installed system-deps
	@# Use the desktop's own Secret Service when there is one, else a private one.
	if [ -n "$${DBUS_SESSION_BUS_ADDRESS:-}" ]; then $(BIN)/pandadmin demo; \
	else bash scripts/with-secret-service.sh $(BIN)/pandadmin demo; fi

bench: $(BIN)/.installed system-deps
	QT_QPA_PLATFORM=offscreen bash scripts/with-secret-service.sh $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info

include packaging/package.mk
