#!/usr/bin/env bash
# CPU against a CUDA GPU, on one machine: the book-sized pair, and 1e6
# examples, through compare.sh (medians of alternating runs). Needs a CUDA
# GPU.
#
#   benchmarks/devices.sh          # Python: $PYTHON, else .venv, else python3
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# As compare.sh finds it: $PYTHON if set, else this checkout's .venv
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then
    PYTHON="${PWD}/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi

if ! "${PYTHON}" -c 'import sys, torch
sys.exit(not torch.cuda.is_available())' 2>/dev/null
then
  echo "devices.sh: ${PYTHON} sees no CUDA GPU (or cannot import torch);" \
       "run it on a machine with one" >&2
  exit 1
fi
"${PYTHON}" -c 'import torch; print("#", torch.cuda.get_device_name(), "torch", torch.__version__)'

for device in cpu cuda; do
  for size in 1000 1000000; do
    echo "== ./compare.sh --device ${device} --num-examples ${size}"
    PYTHON="${PYTHON}" ./compare.sh --device "${device}" \
      --num-examples "${size}" --batch-size $((size / 100)) --repeats 5
  done
done
