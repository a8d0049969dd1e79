# The README's two commands:  `make compare` and `make test`; `make check`
# runs only the tests marked slow (the Ctrl-C sweep, the documents' check
# with two CPUs' kernels, the book's environments), which CI runs too.
# Both set up a virtual environment the first time (VENV, default .venv),
# then reuse it until requirements.txt or the d2l version changes.
PYTHON ?= python3
VENV ?= .venv
ifneq ($(word 2,$(VENV)),)
$(error VENV='$(VENV)' holds a space, and make cannot name its stamp file there; choose a folder without one)
endif
D2L := d2l==1.0.3
# uv, if installed; `make setup UV=` sets up as where it is not
UV ?= $(shell command -v uv 2>/dev/null)
# Keyed by what is installed, so a changed requirements.txt reinstalls;
# Python computes the key, since not every system has sha256sum.
REQ_KEY := $(shell $(PYTHON) -c "import hashlib; print(hashlib.sha256(\
	open('requirements.txt', 'rb').read()).hexdigest()[:12])" 2>/dev/null)-$(D2L)
STAMP := $(VENV)/.installed-$(REQ_KEY)

.PHONY: setup compare test check lock messages

# Before an environment is set up: a Python outside 3.10-3.13 is refused in
# one line, before a .venv exists; a .venv left with one by an earlier try
# cannot be used, and is removed
SUPPORTED := import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))
usable = $(shell "$(1)" -c '$(SUPPORTED)' 2>/dev/null && echo yes)
there = $(shell [ -x "$(VENV)/bin/python" ] && echo yes)
ifeq ($(wildcard $(STAMP)),)
ifneq ($(filter-out lock messages,$(or $(MAKECMDGOALS),setup)),)
ifeq ($(there)$(call usable,$(VENV)/bin/python),yes)
$(info make: $(VENV) holds $(shell "$(VENV)/bin/python" --version 2>&1), left by an earlier setup; removing it)
$(shell rm -rf "$(VENV)")
endif
ifeq ($(there)$(call usable,$(PYTHON)),)
$(error $(PYTHON) is $(if $(shell command -v $(PYTHON)),$(shell $(PYTHON) --version 2>&1 | head -1),not found); the environment needs Python 3.10 to 3.13: name one, as in make compare PYTHON=python3.11)
endif
endif
endif
setup: $(STAMP)

# uv installs uv.lock in seconds, and compiles it to bytecode, which pip
# does too: without it every import of torch compiles it again where
# PYTHONDONTWRITEBYTECODE is set. Where uv is not installed, pip fetches it
# into the environment first (seconds); only if that fails does pip install
# requirements.txt, the same pins (minutes). d2l pins numpy==1.23.5 and
# jupyter, which do not build on Python 3.12+: it goes in with --no-deps,
# and what it really imports is in the lock.
$(STAMP):
	@[ -x "$(VENV)/bin/python" ] || { set -x; $(PYTHON) -m venv "$(VENV)"; }
	@uv="$(UV)"; [ -n "$$uv" ] || [ ! -x "$(VENV)/bin/uv" ] || \
	  uv="$(VENV)/bin/uv"; \
	if [ -z "$$uv" ] && "$(VENV)/bin/python" -m pip install -q uv; then \
	  uv="$(VENV)/bin/uv"; fi; \
	if [ -n "$$uv" ]; then set -x; \
	  UV_PROJECT_ENVIRONMENT="$(VENV)" "$$uv" sync --locked --inexact \
	    --no-install-project --compile-bytecode \
	    --python "$(VENV)/bin/python" && \
	  "$$uv" pip install --python "$(VENV)/bin/python" --compile-bytecode \
	    --no-deps "$(D2L)"; \
	else set -x; \
	  "$(VENV)/bin/python" -m pip install -r requirements.txt && \
	  "$(VENV)/bin/python" -m pip install --no-deps "$(D2L)"; \
	fi
	"$(VENV)/bin/python" -c "from d2l import torch"
	rm -f "$(VENV)"/.installed-*
	touch "$@"

compare: $(STAMP)
	PYTHON="$(VENV)/bin/python" ./compare.sh $(ARGS)

test: $(STAMP)
	"$(VENV)/bin/python" -m pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	"$(VENV)/bin/python" -m pytest -q -m check $(PYTEST_ARGS)

# After an edit of pyproject.toml: pin again, and write the same pins for
# pip; with the uv that make setup uses, the environment's where none is
# installed
LOCK_UV = $(or $(UV),$(VENV)/bin/uv)
lock:
	"$(LOCK_UV)" lock
	{ echo "# The pins of uv.lock, for pip; made by \`make lock\` from"; \
	  echo "# pyproject.toml: edit that, not this. d2l goes in after these,"; \
	  echo "# with --no-deps (see the Makefile)."; \
	  "$(LOCK_UV)" export --format requirements-txt --no-hashes --no-emit-project \
	    --no-annotate --no-header; } > requirements.txt

# After an edit of a message, in the runners or in bench.po: extract them
# again, merge them into bench.po (a new one shows in English until it is
# translated there) and compile bench.mo, which the runners read (no _()
# stands inside an f-string, which xgettext 0.21 does not read). argparse's
# words are the runners' too (--help,
# a bad flag), and differ by version (3.9's "optional arguments", 3.13's
# " (default: ...)"): taken from each of ARGPARSE_PYTHONS, and kept as in
# argparse.pot where one of them is not installed
LOCALE := bench/locale
PO := $(LOCALE)/zh/LC_MESSAGES/bench.po
MESSAGE_SOURCES := $(sort $(wildcard bench/*.py)) compare.py sweep.py \
	exercises/remove_it.py
XGETTEXT := xgettext --language=Python --from-code=UTF-8 --add-comments \
	--sort-by-file
ARGPARSE_PYTHONS ?= python3.9 python3.10 python3.11 python3.12 python3.13
STDLIB := import sysconfig; print(sysconfig.get_path("stdlib"))
messages:
	$(XGETTEXT) --keyword=_ --keyword=_n:1,2 -o $(LOCALE)/bench.pot \
	  $(MESSAGE_SOURCES)
	@set -e; folders=; files=; for python in $(ARGPARSE_PYTHONS); do \
	  stdlib=$$($$python -c '$(STDLIB)' 2>/dev/null) || { \
	    echo "make: no $$python here (ARGPARSE_PYTHONS names them):" \
	      "$(LOCALE)/argparse.pot stays as it is"; \
	    exit 0; }; \
	  folders="$$folders -D $${stdlib%/*}"; \
	  files="$$files $${stdlib##*/}/argparse.py"; done; \
	set -x; $(XGETTEXT) --keyword=_ --keyword=ngettext:1,2 $$folders \
	  -o $(LOCALE)/argparse.pot $$files
	msgcat --use-first -o $(LOCALE)/messages.pot $(LOCALE)/bench.pot \
	  $(LOCALE)/argparse.pot
	msgmerge --update --backup=none $(PO) $(LOCALE)/messages.pot
	rm -f $(LOCALE)/messages.pot
	msgfmt --check -o $(PO:.po=.mo) $(PO)
