#!/usr/bin/env bash
# Run one benchmark and record what it prints in docs/figures/NAME.txt,
# after a first line that names the command, the machine and the day;
# `python docs/generate.py` then pastes the record into BENCHMARKS.md.
#
#   benchmarks/record.sh startup          # minutes: the suite
#   benchmarks/record.sh compare-timing   # compare.sh's timing rows
#   benchmarks/record.sh setup            # minutes: fresh installs
#   benchmarks/record.sh book-envs        # minutes: the book's environments
#   benchmarks/record.sh fast-loader      # the exercise's 1e3 ... 1e6 rows
#
# Python: $PYTHON if set, else this checkout's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-.venv/bin/python}"
case "${1:-}" in
  startup) shown="python benchmarks/startup.py --repeats 3"
           cmd=("${py}" benchmarks/startup.py --repeats 3) ;;
  compare-timing) shown="./compare.sh"; cmd=(./compare.sh) ;;
  setup) shown="benchmarks/setup.sh"; cmd=(benchmarks/setup.sh) ;;
  book-envs) shown="benchmarks/book_envs.sh"; cmd=(benchmarks/book_envs.sh) ;;
  fast-loader) shown="python exercises/fast_loader.py"
               cmd=("${py}" exercises/fast_loader.py) ;;
  *) echo "record.sh: name one of startup, compare-timing, setup," \
       "book-envs, fast-loader" >&2
     exit 2 ;;
esac
machine="$(getconf _NPROCESSORS_ONLN)-core $(uname -s) $(uname -m), $(
  "${py}" -c 'import platform, torch
print(f"Python {platform.python_version()}, torch {torch.__version__}")'
), $(date +%F)"
out="docs/figures/$1.txt"
{ echo "\$ ${shown}   # ${machine}"; PYTHON="${py}" "${cmd[@]}"; } > "${out}.tmp"
mv "${out}.tmp" "${out}"
echo "record.sh: wrote ${out}"
