"""Targets for the hardship API rows (tests/authz/matrix_hardship_api.txt): a file of the
relation's person at the relation's union, submitted (so ``return`` is a valid transition)."""

from __future__ import annotations

from typing import Any

from gonghui.hardship import services
from gonghui.hardship.models import HardshipFile
from gonghui.hardship.services import MemberInput

STATIC_KWARGS: dict[str, dict[str, Any]] = {}


def _file(t: Any) -> HardshipFile:
    for region in ("340000", "630000"):
        services.standard_set(actor=None, region_code=region, year=services._today().year, area="urban", monthly="800")
    holder = t.person
    f = services.file_create(
        actor=None, org=t.org, holder=holder, data={"cause_main": "illness", "medical_expense": "6000"},
        members=[MemberInput(relation="self", name=holder.name, id_number=holder.id_number(), work_status="employed", wage="20000")],
    )  # fmt: skip
    return services.file_submit(actor=None, file=f)


def build(t: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    match name:
        case "api-v1:hardship_file_list":
            _file(t)
            return {}, {"org_id": t.org.pk}
        case "api-v1:hardship_file_detail":
            return {"file_id": _file(t).pk}, {}
        case "api-v1:hardship_file_transition":
            return {"file_id": _file(t).pk}, {"action": "return", "reason": "材料不全"}
    return None
