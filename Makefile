# Two commands for a newcomer: `make demo` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(CURDIR)/data
PORT ?= 8000
# The demo's registry service: a free port unless REGISTRY_PORT names one (refused if it is taken).
REGISTRY_PORT ?=

.PHONY: demo test test-fast test-dates browser-deps pdf-fonts schema messages bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP) pdf-fonts
	$(BIN)/yiwang demo --data-dir $(DATA_DIR) --port $(PORT)$(if $(strip $(REGISTRY_PORT)), --registry-port $(REGISTRY_PORT))

browser-deps:
	@sh scripts/ensure-browser.sh
	@sh scripts/ensure-axe.sh

pdf-fonts:
	@sh scripts/ensure-fonts.sh

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"

# The suite under faked wall-clock dates (CI runs it on SQLite): tests never read the wall clock.
test-dates: $(STAMP) browser-deps
	sh scripts/test-other-dates.sh $(BIN)/python

schema: $(STAMP)
	$(BIN)/python -m django spectacular --settings yiwang.config.settings --validate --fail-on-warn --file docs/openapi.yaml

messages: $(STAMP)
	cd src/yiwang && for app in */; do if [ -d "$$app/locale" ]; then (cd $$app && ../../../$(BIN)/django-admin makemessages -l en --no-obsolete && ../../../$(BIN)/django-admin compilemessages -l en); fi; done

bench: $(STAMP)
	$(BIN)/python benchmarks/lifecycle.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info
