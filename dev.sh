#!/usr/bin/env bash
# Development entry point: creates/updates .venv, then runs development/launch.py.
#   ./dev.sh up                  services, migrations, admin/admin, example sync, worker, http://localhost:8080
#   ./dev.sh test [pytest args]  services, migrated template database, pytest
#   ./dev.sh manage <command>    any nautobot-server command (e.g. nbshell) with the same services
#   ./dev.sh setup               only create/update .venv
# .venv has the newest Nautobot the app supports. `./dev.sh --nautobot 3.1 <command>` runs a command with the newest
# Nautobot 3.1.x instead, in .venv-nautobot-3.1 (its own test template database), e.g. `test -m compat` as CI does.
set -euo pipefail
cd "$(dirname "$0")"

venv=.venv
series=
if [ "${1:-}" = "--nautobot" ]; then
    series=${2:-}
    if ! [[ "$series" =~ ^[0-9]+\.[0-9]+$ ]]; then
        echo "--nautobot needs a Nautobot release series, e.g. --nautobot 3.1" >&2
        exit 1
    fi
    venv=".venv-nautobot-$series"
    shift 2
fi

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11 python3.10; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$venv/bin/python" ]; then
    if ! python=$(find_python); then
        echo "Python 3.10 or newer is required; install it (or set PYTHON=/path/to/python3)." >&2
        exit 1
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        echo "$python cannot create virtualenvs. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
        exit 1
    fi
    echo "Creating $venv with $python ..."
    "$python" -m venv "$venv"
fi

# (Re)install the app and its dev dependencies whenever pyproject.toml changed since the last install.
stamp="$venv/.dev-install-stamp"
digest=$("$venv/bin/python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "Installing nautobot-app-data-sync and its dev dependencies into $venv${series:+ (Nautobot $series.x)} ..."
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -e ".[dev]" ${series:+"nautobot==$series.*"}
    echo "$digest" >"$stamp"
fi

if [ "${1:-}" = "setup" ]; then
    exit 0
fi
exec "$venv/bin/python" -m development.launch "$@"
