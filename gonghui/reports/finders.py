"""A staticfiles finder for the few files taken from ``node_modules`` (installed by ``npm ci``
from the pinned package-lock.json, never committed). Only the listed files are exposed, so
``collectstatic`` copies one minified script, not the 50 MB of a package's ``dist`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class NodeModulesFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # {static path: file under node_modules}, e.g. {"vendor/echarts.min.js": "echarts/dist/echarts.min.js"}
        self.files: dict[str, str] = dict(getattr(settings, "NODE_STATIC_FILES", {}))
        self.root = Path(settings.NODE_MODULES_DIR)

    def check(self, **kwargs: Any) -> list[Error]:
        missing = [src for src in self.files.values() if not (self.root / src).is_file()]
        return [Error(f"node_modules/{m} is missing", hint="Run `npm ci` (make install).", id="reports.E001") for m in missing]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        src = self.files.get(path)
        found = str(self.root / src) if src and (self.root / src).is_file() else None
        if find_all:
            return [found] if found else []
        return found or []

    def list(self, ignore_patterns: Any) -> Any:
        for path, src in self.files.items():
            full = self.root / src
            if full.is_file():
                storage = FileSystemStorage(location=str(full.parent))
                storage.prefix = str(Path(path).parent)  # type: ignore[attr-defined]
                yield full.name, storage
