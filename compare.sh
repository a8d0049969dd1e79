#!/usr/bin/env bash
# Run linreg_scratch.py and linreg_concise.py (or A.py B.py) on the same
# data and print their losses, errors and training times side by side.
#
#   ./compare.sh                      # the book's defaults
#   ./compare.sh --lr 1               # flags go to both: one diverges
#   ./compare.sh my_scratch.py my_concise.py
#
# Python: $PYTHON if set, else this checkout's .venv (made by `make
# compare`), else python3. Without bash: `python compare.py` does the same.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

# The folder of this file, through any symbolic links to it
src="${BASH_SOURCE[0]}"
while [ -L "${src}" ]; do
  dir="$(cd -P "$(dirname "${src}")" && pwd)"
  src="$(readlink "${src}")"
  [[ "${src}" == /* ]] || src="${dir}/${src}"
done
here="$(cd -P "$(dirname "${src}")" && pwd)"

if [ -z "${PYTHON:-}" ]; then
  if [ -x "${here}/.venv/bin/python" ]; then
    PYTHON="${here}/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi

# compare.py checks every flag before importing torch, then does the work
# in one process: both scripts' chapter code, then the alternating timing.
# A Python without torch is one line from it, naming `make setup`.
exec "${PYTHON}" "${here}/compare.py" "$@"
