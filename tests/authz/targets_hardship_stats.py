"""Target builders for the hardship statistics rows (tests/authz/matrix_hardship_stats.txt)."""

from __future__ import annotations

from typing import Any

from gonghui.hardship import services
from gonghui.hardship.services import MemberInput

STATIC_KWARGS: dict[str, dict[str, Any]] = {}


def _file(targets: Any) -> None:
    """A draft file of the relation's person, so the pages have something in scope or out of it."""
    p = targets.person
    services.file_create(
        actor=None, org=p.org, holder=p, data={"cause_main": "illness"},
        members=[MemberInput(relation="self", name=p.name, id_number=p.id_number(), work_status="employed", wage="20000")],
    )  # fmt: skip


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    org_kw = {"org_id": targets.org.pk}
    match name:
        case "hardship:stats" | "hardship:stats_export" | "hardship:stats_coverage" | "hardship:stats_coverage_export":
            _file(targets)
            return org_kw, {}
        case "hardship:stats_id_lookup":
            _file(targets)
            return org_kw, {"id_number": targets.person.id_number()}
        case "hardship:stats_query" | "hardship:stats_query_export":
            _file(targets)
            return org_kw | {"kind": "unchanged"}, {}
    return None
