# The README's two commands:  `make compare` and `make test`.
# Both set up a virtual environment the first time (VENV, default .venv),
# then reuse it until requirements.txt or the d2l version changes.
PYTHON ?= python3
VENV ?= .venv
ifneq ($(word 2,$(VENV)),)
$(error VENV='$(VENV)' holds a space, and make cannot name its stamp file there; choose a folder without one)
endif
D2L := d2l==1.0.3
# Keyed by what is installed, so a changed requirements.txt reinstalls;
# Python computes the key, since not every system has sha256sum.
REQ_KEY := $(shell $(PYTHON) -c "import hashlib; print(hashlib.sha256(\
	open('requirements.txt', 'rb').read()).hexdigest()[:12])")-$(D2L)
STAMP := $(VENV)/.installed-$(REQ_KEY)

.PHONY: setup compare test
setup: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv "$(VENV)"
	"$(VENV)/bin/python" -m pip install -r requirements.txt
	@# d2l pins numpy==1.23.5 and jupyter, which do not build on Python
	@# 3.12+; what it really imports is in requirements.txt instead.
	"$(VENV)/bin/python" -m pip install --no-deps "$(D2L)"
	"$(VENV)/bin/python" -c "from d2l import torch"
	rm -f "$(VENV)"/.installed-*
	touch "$@"

compare: $(STAMP)
	PYTHON="$(VENV)/bin/python" ./compare.sh $(ARGS)

test: $(STAMP)
	"$(VENV)/bin/python" -m pytest -q $(PYTEST_ARGS)
