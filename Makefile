# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
DEBIAN_PACKAGES := chromium zbar-tools poppler-utils gettext fonts-noto-core wrk nginx
DEBIAN_COMMANDS := chromium zbarimg pdftotext msgfmt wrk nginx

.PHONY: demo cluster test install install-test system-packages bench clean messages lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every library at the version and hash the lock files name (requirements/*.txt, made by `make lock`), then the
# project itself, built with the locked setuptools. pip --require-hashes refuses anything else.
install: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/main.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

install-test: $(BIN)/python system-packages
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .

# Upgrade the libraries on purpose: resolve pyproject.toml's ranges again for Python 3.11 on every platform,
# with the hashes of every file of each release. uv resolves in a second and needs no pip internals; pip installs.
UV_VERSION := 0.13.9
lock: $(BIN)/python
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.11 --generate-hashes \
	    pyproject.toml requirements/build.in -o requirements/main.txt
	$(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.11 --generate-hashes \
	    pyproject.toml requirements/build.in --extra test -c requirements/main.txt -o requirements/test.txt

# Debian packages the tests use (a real browser, QR decoder, PDF tools); installed only when missing.
system-packages:
	@missing=""; for c in $(DEBIAN_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; \
	  else \
	    echo "Missing commands:$$missing. Run as root, or: sudo apt-get install $(DEBIAN_PACKAGES)"; exit 1; \
	  fi; \
	fi

demo: install
	$(BIN)/prachum demo --port $(PORT)

# The production shape on this machine (docs/operations.md): nginx, two gunicorn nodes, Celery worker and beat,
# on the running PostgreSQL and Redis (`prachum cluster --help` for the options).
cluster: install
	@test -x /usr/sbin/nginx || { echo "nginx is missing: sudo apt-get install nginx"; exit 1; }
	$(BIN)/prachum cluster --port $(PORT)

# Apps depend downward only (pyproject.toml's [tool.importlinter], docs/architecture.md), then every test.
test: install-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Every benchmark, one after another, each printing its figures (bench/README.md); `make bench ONLY="run checkin"`
# runs some of them, BENCH_ARGS goes to each.
BENCHMARKS := production api run registrations checkin join badges organizer_list exchange reports emails
ONLY ?= $(BENCHMARKS)
bench: install-test
	@status=0; for name in $(ONLY); do \
	    echo "==== bench/$$name.py"; $(BIN)/python bench/$$name.py $(BENCH_ARGS) || status=1; \
	done; exit $$status

# Refresh the Lao catalog from the code and templates (then translate the new entries; docs/translating.md).
# Run inside src/prachum so every app's .py/.html/.txt is read and .venv is not; the data folder stays outside.
messages: install
	cd src/prachum && PRACHUM_DATA_DIR="$${PRACHUM_DATA_DIR:-$(CURDIR)/var}" $(abspath $(BIN))/prachum makemessages -l lo --no-obsolete --no-location --ignore "tests/*" --ignore "testing/*"
	sed -i '/^"POT-Creation-Date: /d' src/prachum/locale/lo/LC_MESSAGES/django.po
	cd src/prachum && PRACHUM_DATA_DIR="$${PRACHUM_DATA_DIR:-$(CURDIR)/var}" $(abspath $(BIN))/prachum compilemessages -l lo
	@cd src/prachum && PRACHUM_DATA_DIR="$${PRACHUM_DATA_DIR:-$(CURDIR)/var}" $(abspath $(BIN))/prachum lao-catalog status

clean:
	rm -rf $(VENV) var
