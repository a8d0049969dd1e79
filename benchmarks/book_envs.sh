#!/usr/bin/env bash
# The two environments of the book's install page, built with uv, and in
# each: both chapter scripts, their --help, and every exercise script, as
# a learner who set up the book's `d2l` env runs them; then, from a copy of
# this checkout with no .venv and that env's python3 first on PATH, as the
# README tells such a learner, ./compare.sh on the book's pair and on a
# pair typed along the chapter, and `python -m bench`.
#
#   benchmarks/book_envs.sh          # minutes; or benchmarks/record.sh book-envs
#
#   zh 2.0: torch 1.12.0, torchvision 0.13.0, d2l 0.17.6, and
#           matplotlib-inline<0.2, which d2l 0.17.6 needs and does not pin
#   en 1.0: torch 2.0.0, torchvision 0.15.1, d2l 1.0.3
#
# Python 3.9, the book's, else 3.10; exit 3 where neither is found. The
# environments live in ${BOOK_ENVS:-/tmp/book-envs} and are reused.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
uv="${UV:-$(command -v uv || echo .venv/bin/uv)}"
root="${BOOK_ENVS:-/tmp/book-envs}"
mkdir -p "${root}"

# Python 3.9, the book's, else 3.10 (torch 1.12.0 has no wheel past it):
# on PATH, under pyenv (whose shims run only the versions it has
# selected), or one uv finds
python=""
for version in 3.9 3.10; do
  for candidate in "$(command -v "python${version}" || true)" \
      "$(pyenv root 2>/dev/null || true)"/versions/"${version}".*/bin/python3 \
      "$("${uv}" python find --no-python-downloads "${version}" \
         2>/dev/null || true)"; do
    if [ -n "${candidate}" ] && "${candidate}" -c \
        "import sys; assert sys.version_info[:2] == (${version/./, })" \
        2>/dev/null; then
      python="${candidate}"
      break 2
    fi
  done
done
if [ -z "${python}" ]; then
  echo "book_envs.sh: no Python 3.9 or 3.10 here, which torch 1.12.0 needs" >&2
  exit 3
fi

build() {  # build NAME PACKAGES...: an environment, unless it is there
  local env="${root}/$1"
  shift
  if [ ! -x "${env}/bin/python" ] || [ ! -e "${env}/.built" ]; then
    rm -rf "${env}"
    local start="${SECONDS}"
    "${uv}" venv -q --python "${python}" "${env}"
    "${uv}" pip install -q --python "${env}/bin/python" "$@"
    echo "$((SECONDS - start))" > "${env}/.built"
  fi
}

run() {  # run LABEL COMMAND...: one line, what it printed first
  local label="$1" out status line
  shift
  if out="$("$@" 2>&1)"; then
    status=ok
  else
    status="failed: $(echo "${out}" | tail -1)"
  fi
  line="$(echo "${out}" | grep -m1 -E \
    '^epoch 1,|^usage:|^learned|^log T|^problem 1|^\| |^1 ' || true)"
  printf '  %-48s %s  %s\n' "${label}" "${status}" "${line:0:40}"
}

check() {  # check NAME LABEL: every command in that environment
  local env="${root}/$1" copy
  echo "$2: $("${env}/bin/python" -c 'import platform, torch, d2l
print(f"Python {platform.python_version()}, torch {torch.__version__}, "
      f"d2l {d2l.__version__}")' 2>&1 | tail -1)" \
    "(built in $(cat "${env}/.built") s)"
  for command in "linreg_scratch.py" "linreg_concise.py" \
      "linreg_scratch.py --help" "linreg_concise.py --help" \
      "exercises/ohm.py" "exercises/planck.py" \
      "exercises/second_derivatives.py" "exercises/remove_it.py" \
      "-m bench linreg_concise.py --lr 0.003"; do
    # shellcheck disable=SC2086  # the command's words
    run "python ${command}" "${env}/bin/python" ${command}
  done
  copy="$(mktemp -d)"
  git ls-files | tar -cf - -T - | tar -xf - -C "${copy}"
  local pairs=("--repeats 1"
    "tests/typed_along/scratch.py tests/typed_along/concise.py --repeats 1")
  [ "$1" = zh ] || pairs+=(  # d2l 1.0's classes: not in d2l 0.17.6
    "tests/typed_along_1_0/scratch.py tests/typed_along_1_0/concise.py")
  for command in "${pairs[@]}"; do
    # shellcheck disable=SC2086  # the command's words
    run "./compare.sh ${command:0:36}" env -u PYTHON \
      PATH="${env}/bin:${PATH}" "${copy}/compare.sh" ${command}
  done
  rm -rf "${copy}"
}

build zh 'torch==1.12.0' 'torchvision==0.13.0' 'd2l==0.17.6' \
  'matplotlib-inline<0.2'
build en 'torch==2.0.0' 'torchvision==0.15.1' 'd2l==1.0.3'
check zh 'zh 2.0'
check en 'en 1.0'
