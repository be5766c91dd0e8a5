# Ashyq Auyl — the two commands: `make run` (demo site) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
MESSAGE_IGNORES := -i ".venv/*" -i "tests/*" -i "media/*" -i "staticfiles/*" -i "build/*"

.PHONY: run test install install-dev messages bench benchmark clean

# pip comes from the Python's own pip (--python: pip 22.3 or newer) rather than from ensurepip,
# which compiles every file of pip twice (ensurepip, then the upgrade): 10.8 s -> 2.6 s of CPU.
# Without such a pip, ensurepip as before.
$(PY):
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(PY) install --quiet --no-compile --upgrade pip 2>/dev/null \
	  || { $(PY) -m ensurepip && $(PY) -m pip install --quiet --upgrade pip; }

# --no-compile: Python compiles each module on its first import instead of pip compiling every
# installed file (boto3, moto, hypothesis...): measured, the dev install's CPU 95 s -> 41 s.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --no-compile -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --no-compile -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Quick start: install, migrate, import every place of Kazakhstan, load the demo, build the
## downloads at /data/, serve. (tests/projects/test_quick_start.py runs these same lines.)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_places
	$(PY) manage.py seed_demo
	$(PY) manage.py build_open_data
	@echo "Serving http://$(HOST):$(PORT)/ — stop with Ctrl+C"
	$(PY) manage.py runserver $(HOST):$(PORT)

## Whole test suite: ruff, migrations check, pytest on a throwaway PostgreSQL (see scripts/test).
test: install-dev
	scripts/test

## Regenerate the translation catalogues after changing strings, then translate and compile.
messages: install-dev
	$(PY) manage.py makemessages --locale kk --locale ru --locale en --no-obsolete --no-location $(MESSAGE_IGNORES)
	$(PY) manage.py makemessages --domain djangojs --locale kk --locale ru --locale en --no-obsolete --no-location $(MESSAGE_IGNORES)
	$(PY) manage.py compilemessages

## Country-scale benchmark: gunicorn + PostgreSQL + wrk on 250,000 contributions (scripts/bench).
bench: install-dev
	scripts/bench

benchmark: bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
