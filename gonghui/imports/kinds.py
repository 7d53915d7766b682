"""What an import kind provides, and the registry of kinds (explicit, no discovery magic)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .reading import Column, Sheet


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def text(self) -> str:
        if self.column:
            return _("第%(row)d行 %(column)s：%(reason)s") % {"row": self.row, "column": self.column, "reason": self.reason}
        return _("第%(row)d行：%(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass
class Preview:
    counts: dict[str, int]
    errors: list[RowError] = field(default_factory=list)
    rejected: dict[int, list[Any]] = field(default_factory=dict)  # row number → original cells


class Kind(Protocol):
    key: str
    title: str
    sheet_name: str
    columns: list[Column]

    def preview(self, *, job: Any, sheet: Sheet, progress: Callable[[int], None]) -> Preview: ...

    def apply(self, *, job: Any) -> dict[str, int]: ...

    def discard(self, *, job: Any) -> None: ...


def registry() -> dict[str, Kind]:
    from gonghui.orgs.imports import OrgKind
    from gonghui.people.imports import PeopleKind

    return {k.key: k for k in (PeopleKind(), OrgKind())}


def get(key: str) -> Kind:
    kinds = registry()
    if key not in kinds:
        from gonghui.lib.errors import ServiceError

        raise ServiceError(_("不支持的导入类型"), field="kind")
    return kinds[key]
