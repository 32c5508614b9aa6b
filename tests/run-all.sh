#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine, then runs all of it:
# unit tests, the notebooks under nbval, and the browser tests in headless Chromium.
# Usage: bash tests/run-all.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,postgres]'

# System packages: Debian's Chromium for the browser tests, PostgreSQL for the store tests,
# HAProxy (the replicas test) and nginx (its config is checked with nginx -t).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

.venv/bin/ruff check workshop tests benchmarks notebooks
exec .venv/bin/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider -q "$@"
