# The two commands of the README: `make run` and `make test`. Both bootstrap .venv themselves.
# The Python that builds .venv: the distribution's own where it is 3.11 or newer and can make a
# venv (Debian and Ubuntu build it with profile-guided and link-time optimisation: the UI flow
# takes about an eighth fewer instructions on it than on pyenv's default build, bench/README.md,
# eighteenth session), else the first python3 on the PATH. `make install PYTHON=...` chooses.
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench bench-timers bench-scale bench-http diagrams translations clean
MO := web/translations/en/LC_MESSAGES/messages.mo
PO := web/translations/en/LC_MESSAGES/messages.po

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

$(MO): $(PO) | $(STAMP)
	$(BIN)/pybabel -q compile -d web/translations -D messages

# Source strings are Vietnamese (the default language); English is the translation.
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k gettext -k ngettext -k _l -k lazy_gettext -o web/translations/messages.pot .
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel -q compile -d web/translations -D messages

run: install $(MO)
	$(BIN)/pheduyet db upgrade
	$(BIN)/pheduyet demo
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and log in as one of the people above (another port or address: make run PORT=5001 HOST=0.0.0.0)"
	@echo "gunicorn serves the UI and a background worker fires the timers; Ctrl-C stops both"
	$(BIN)/pheduyet serve --host $(HOST) --port $(PORT)

diagrams: install
	$(BIN)/python -m tools.make_diagrams

# Tests are isolated (a SQLite file or PostgreSQL schema each, ports chosen free): one worker a core.
PYTEST_ARGS ?= -n auto
test: install $(MO)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check engine workflows web cli tests bench tools
	$(BIN)/ruff format --check engine workflows web cli tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/engine_actions.py

# make bench-timers BENCH_DB=postgresql+psycopg://postgres@127.0.0.1:5432/bench_timers (a database
# named bench* is created if missing, then emptied; without BENCH_DB a SQLite file in /tmp).
# make bench-scale BENCH_SCALE_ARGS="--db both --sizes 10k,100k" (see bench/README.md).
BENCH_DB ?=
bench-timers: install
	$(BIN)/python bench/timers.py $(if $(BENCH_DB),--db $(BENCH_DB))

bench-scale: install
	$(BIN)/python bench/scale.py $(BENCH_SCALE_ARGS)

# make bench-http BENCH_HTTP_ARGS="--instances 30 --clients 1,4 --db sqlite,pg" (drops and
# creates the PostgreSQL database bench_http; see bench/http_flow.py).
bench-http: install
	$(BIN)/python bench/http_flow.py $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache test-output
