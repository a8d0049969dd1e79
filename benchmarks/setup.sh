#!/usr/bin/env bash
# Benchmark: how long the setup takes, and how big it is, from empty
# caches: `make setup` (uv) and then the README's plain pip path, one after
# the other, each in a fresh clone of this checkout's HEAD; then `make
# setup` again in the first clone after a change of requirements (psutil
# pinned to another version), with uv's cache warm. Where uv is not
# installed, make fetches it with pip first, and that is timed too.
# Goals: make setup within half the pip path's time; again, within 10 s.
#
#   benchmarks/setup.sh          # minutes, and about 18 GB of disk
#
# The environments' Python: $PYTHON_BASE if set, else python3.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
export UV_CACHE_DIR="${work}/uv-cache" PIP_CACHE_DIR="${work}/pip-cache"
python="${PYTHON_BASE:-python3}"

timed() {  # timed NAME LABEL COMMAND...: run it in clone NAME, print a row
  local name="$1" label="$2" start end
  shift 2
  [ -d "${work}/${name}" ] || git clone -q "${here}" "${work}/${name}"
  start="$(date +%s.%N)"
  if ! (cd "${work}/${name}" && "$@") > "${work}/${name}.log" 2>&1; then
    tail -n 5 "${work}/${name}.log" >&2
    echo "setup.sh: ${name} failed" >&2
    exit 1
  fi
  end="$(date +%s.%N)"
  printf '  %-44s %6.1f s  %s\n' "${label}" "$(echo "${end} - ${start}" | bc)" \
    "$(du -sh "${work}/${name}/.venv" | cut -f1)"
}

pip_path() {
  "${python}" -m venv .venv
  .venv/bin/python -m pip install -r requirements.txt
  .venv/bin/python -m pip install --no-deps d2l==1.0.3
}

echo "setup from empty caches, $("${python}" --version), one after the other:"
uv="$(command -v uv >/dev/null && echo installed || echo fetched by pip)"
timed uv "make setup (uv ${uv})" make setup PYTHON="${python}"
timed pip "the README's plain pip path" pip_path
echo "again, after a change of requirements, with uv's cache warm:"
(cd "${work}/uv" && export PATH="${PWD}/.venv/bin:${PATH}" &&
  uv lock -q --upgrade-package psutil==7.1.0 && make -s lock > /dev/null)
timed uv "make setup (psutil pinned to 7.1.0)" make setup PYTHON="${python}"
