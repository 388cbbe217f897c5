# callassist — on a fresh Debian/Ubuntu machine two commands do everything:
#   make run    system packages, .venv, the package, the verified Whisper model, then the desktop app
#   make test   the same setup, then the whole test suite
# Every step is idempotent and quick the second time (stamp files; pip runs only when pyproject.toml changed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
VPY         := $(VENV)/bin/python
VENV_OK     := $(VENV)/.created
INSTALLED   := $(VENV)/.installed
PACKAGING   := $(VENV)/.packaging
MODEL_DIR   := models/whisper-base
MODEL_STAMP := $(MODEL_DIR)/.callassist-model.json
PYTEST_ARGS ?=
# Offline: make setup PIP_ARGS='--no-index --find-links wheelhouse' FETCH_ARGS='--wheels wheelhouse'
PIP_ARGS    ?=
FETCH_ARGS  ?=

# The first python3 that is >= 3.10, looked up when .venv is created (after `system` may have installed
# it); override with make PYTHON=/path/to/python3.11 ...
PYTHON ?=
PY_CANDIDATES := python3 python3.13 python3.12 python3.11 python3.10

.PHONY: help system venv model setup run test deb smoke clean
.NOTPARALLEL:

help:
	@echo "make run     set everything up, then start the desktop app"
	@echo "make test    set everything up, then run the test suite (PYTEST_ARGS='-k foo' to select)"
	@echo "make setup   system packages + .venv + package + model (what run/test do first)"
	@echo "make deb     the Debian package dist/callassist_<version>_amd64.deb (rebuilt only when its inputs changed)"
	@echo "make smoke   make deb, then install it and run the package smoke test (root)"
	@echo "make system | venv | model | clean"

system:
	@bash scripts/setup_system.sh

# An existing working .venv is adopted as is; otherwise it is created with the chosen Python.
$(VENV_OK):
	@if [ -x $(VPY) ] && $(VPY) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then \
		touch $@; exit 0; fi; \
	py="$(PYTHON)"; \
	if [ -z "$$py" ]; then for p in $(PY_CANDIDATES); do \
		if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; \
		then py=$$(command -v $$p); break; fi; done; fi; \
	if [ -z "$$py" ] || ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then \
		echo "error: Python >= 3.10 is needed, found: $$( { $${py:-python3} --version; } 2>&1 | head -n1)" >&2; \
		echo "  Install one (Debian/Ubuntu: sudo apt-get install python3 python3-venv) or run make PYTHON=/path/to/python3.11" >&2; \
		exit 1; fi; \
	echo "creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
	"$$py" -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: '$$py -m venv' failed; on Debian/Ubuntu install python3-venv (make system does it as root)" >&2; \
		exit 1; }; \
	touch $@

$(INSTALLED): pyproject.toml $(VENV_OK)
	$(VPY) -m pip install $(PIP_ARGS) -e '.[test]'
	@touch $@

venv: $(INSTALLED)

# Explicit `make model`: always re-verifies (and repairs) the installed model.
model: $(INSTALLED)
	$(VPY) scripts/fetch_model.py $(FETCH_ARGS)

# As a prerequisite: only when no verified install has been recorded yet.
$(MODEL_STAMP): | $(INSTALLED)
	$(VPY) scripts/fetch_model.py $(FETCH_ARGS)

setup: system venv $(MODEL_STAMP)

run: setup
	@if [ "$$(uname -s)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "No graphical display here (DISPLAY/WAYLAND_DISPLAY unset), so the desktop app cannot open."; \
		echo "Everything is installed. Without a display, analyse a recording or check sentences:"; \
		echo "  $(VENV)/bin/callassist analyze CALL.wav"; \
		echo "  $(VENV)/bin/callassist check '我们会上门找你家人'"; \
		echo "  $(VENV)/bin/callassist --help"; \
	else \
		exec $(VENV)/bin/callassist; \
	fi

# ruff (lint + import order, [tool.ruff] in pyproject.toml) first, then the suite either way, so one run shows
# both; a lint finding fails the target like a failed test. Qt tests run offscreen; pytest's exit status 5
# (nothing collected) is reported, not hidden.
test: setup
	@lint=0; $(VPY) -m ruff check . || { lint=$$?; \
		echo "error: ruff check found problems (listed above); '$(VPY) -m ruff check --fix .' fixes the simple ones" >&2; }; \
	rc=0; QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(VPY) -m pytest -q $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests (exit 5): tests/ is missing or PYTEST_ARGS selects nothing" >&2; fi; \
	if [ $$rc -eq 0 ] && [ $$lint -ne 0 ]; then rc=$$lint; fi; \
	exit $$rc

# PyInstaller (the `packaging` extra) for `make deb`; not part of the runtime install.
$(PACKAGING): pyproject.toml $(INSTALLED)
	$(VPY) -m pip install $(PIP_ARGS) -e '.[test,packaging]'
	@touch $@

# The frozen app (dist/callassist/) and its Debian package. Cached: build_deb.py compares the hash of its inputs
# (code, resources, packaging/, the venv's packages, the model) with the stamp beside the .deb.
deb: setup $(PACKAGING)
	$(VPY) packaging/build_deb.py

# The package smoke test alone (as root: it installs and removes the package). `make test` runs it too
# whenever a current .deb is there.
smoke: deb
	CALLASSIST_REQUIRE_DEB=1 QT_QPA_PLATFORM=offscreen $(VPY) -m pytest -q -s -m deb tests/packaging

# Keeps models/ (a 145 MB download); remove models/whisper-base by hand to re-fetch from scratch.
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
	find assist app tests scripts bench -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
