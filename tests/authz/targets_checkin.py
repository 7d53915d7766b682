"""Targets of the check-in URLs: a session organized by the relation's union."""

from __future__ import annotations

from typing import Any

from gonghui.activities import codes
from gonghui.activities.tests.test_checkin_services import make_session

STATIC_KWARGS: dict[str, dict[str, Any]] = {}
STATIC_PAYLOADS: dict[str, dict[str, Any]] = {}


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if not name.startswith("checkin:"):
        return None
    session = make_session(targets.org)
    kwargs = {"pk": session.pk}
    match name:
        case "checkin:scan":
            return {"pk": session.pk, "token": codes.poster_token(session)}, {}
        case "checkin:sync":
            return kwargs, {"code": codes.member_code(targets.person), "nonce": "matrix-1"}
        case "checkin:walkin":
            return kwargs, {"count": "3", "note": ""}
        case _:
            return kwargs, {}
