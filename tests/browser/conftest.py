"""Browser tests: Debian's Chromium (via Playwright) against the app served by gunicorn.

No pytest-django live_server and no test database: the audit log's append-only trigger refuses
the flush a transactional test case needs. Instead one session builds a throw-away SQLite file
with ``migrate`` + ``load_demo`` and serves it with gunicorn, exactly as ``make run`` does
(DEBUG off, GONGHUI_TESTING on so WhiteNoise serves static files through the finders).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _server_env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The served app must use our throw-away SQLite file and nothing else.
    for name in ("DATABASE_URL", "GONGHUI_VAR_DIR", "DJANGO_ENV", "GONGHUI_SECURE_COOKIES", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env |= {
        "SQLITE_PATH": str(db_path),
        "DJANGO_DEBUG": "0",
        "GONGHUI_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}", pytrace=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode} before answering:\n{log.read_text(errors='replace')}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - our own local server
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"gunicorn did not answer {url} within {timeout}s:\n{log.read_text(errors='replace')}", pytrace=False)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_app() -> Iterator[str]:
    """Base URL (no trailing slash) of the demo app served by gunicorn over a fresh SQLite file."""
    tmp = Path(tempfile.mkdtemp(prefix="gonghui-browser-"))
    env = _server_env(tmp / "db.sqlite3")
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "load_demo")
    port = _free_port()
    log = tmp / "gunicorn.log"
    with log.open("wb") as log_fh:
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "gonghui.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"],
            cwd=REPO,
            env=env,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/accounts/login/", proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


@pytest.fixture
def new_page(chromium_browser, live_app) -> Iterator[Callable[..., object]]:
    """``new_page(**context_options)``: a page in a fresh browser context (own cookies), closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        context = chromium_browser.new_context(base_url=live_app, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        return page

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()
