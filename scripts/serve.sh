#!/usr/bin/env bash
# The demo server: the task worker (imports run in the background) and gunicorn, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
.venv/bin/python manage.py db_worker -v0 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/gunicorn gonghui.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile -
