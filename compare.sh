#!/usr/bin/env bash
# Run linreg_scratch.py and linreg_concise.py on the same data and print
# their losses, errors and training times side by side.
#
#   ./compare.sh                      # the book's defaults
#   ./compare.sh --lr 0.01 --json     # flags go to both scripts
#   PYTHON=.venv/bin/python ./compare.sh --plot losses.png
set -euo pipefail

PYTHON="${PYTHON:-python3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# find_spec is instant; importing torch here would cost seconds.
if ! "${PYTHON}" -c 'import importlib.util as u, sys
sys.exit(not all(u.find_spec(m) for m in ("torch", "d2l")))' 2>/dev/null
then
  echo "compare.sh: ${PYTHON} cannot import torch and d2l;" \
       "run 'make compare', or set PYTHON to a set-up interpreter" >&2
  exit 1
fi

# compare.py does the work in one process: both scripts' main(), then the
# alternating timing; when a script fails it says which one and why.
exec "${PYTHON}" "${here}/compare.py" "$@"
