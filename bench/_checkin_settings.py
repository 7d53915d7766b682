"""bench/checkin: the app's settings with the bench URLconf (bench/_checkin_baseline.py)."""

from __future__ import annotations

from gonghui.settings import *  # noqa: F403 - a settings override module

ROOT_URLCONF = "bench._checkin_baseline"
