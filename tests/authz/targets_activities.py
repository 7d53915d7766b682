"""Targets for the activities rows: an activity organized by the relation's org (own = a union in
the personas' subtree, ancestor = their province …), addressed to that org, 报名中 with one
session, unless the URL needs another state."""

from __future__ import annotations

from typing import Any

from gonghui.activities import services
from gonghui.activities.models import Activity
from gonghui.activities.tests.helpers import lecture, make_activity

S = Activity.Status


def build(t: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if not (
        name.startswith("activities:") or name.startswith("api-v1:activit") or name.startswith("api-v1:registration") or name == "api-v1:session_add"
    ):
        return None
    w, org = t.w, t.org
    if name in ("activities:create",):
        return {"org_id": org.pk}, {"title": "新活动", "activity_type": lecture().pk}
    if name == "api-v1:activity_create":
        return {}, {"organizer_id": org.pk, "title": "新活动", "activity_type_id": lecture().pk}
    if name == "api-v1:activity_list":
        return {}, {"org_id": org.pk}
    editable = name in ("activities:edit", "activities:session_add", "api-v1:session_add")
    a = make_activity(org, status=S.PUBLISHED if editable else S.REGISTERING)
    session = a.sessions.get()
    match name:
        case "activities:detail" | "api-v1:activity_detail":
            return {"pk" if name.startswith("activities") else "activity_id": a.pk}, {}
        case "activities:edit":
            return {"pk": a.pk}, {"title": "改名", "activity_type": lecture().pk, "audience": ""}
        case "activities:transition":
            return {"pk": a.pk}, {"to_status": "ongoing"}
        case "api-v1:activity_transition":
            return {"activity_id": a.pk}, {"to_status": "ongoing"}
        case "activities:session_add":
            return {"pk": a.pk}, {"starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T11:00", "place": "礼堂"}
        case "api-v1:session_add":
            return {"activity_id": a.pk}, {"starts_at": "2030-05-01T09:00:00+08:00", "ends_at": "2030-05-01T11:00:00+08:00", "place": "礼堂"}
        case "activities:session_cancel":
            return {"pk": session.pk}, {}
        case "activities:register":
            return {"pk": session.pk}, {}
        case "activities:register_bulk":
            return {"pk": session.pk}, {"people": [w.people["own"].pk]}
        case "api-v1:registration_create":
            return {"session_id": session.pk}, {"person_ids": [w.people["own"].pk]}
        case "activities:registration_cancel" | "api-v1:registration_cancel":
            # own and ancestor: the personas' own member, registered for that union's activity
            person = w.people["own"] if t.rel in ("own", "ancestor") else t.person
            r = services.registration_create(actor=None, session=session, person=person)
            return {"pk" if name.startswith("activities") else "registration_id": r.pk}, {}
    return None
