from __future__ import annotations

import json

from django.test import Client

from gonghui.activities.models import Registration
from gonghui.activities.tests.helpers import lecture, make_activity
from gonghui.api.services import token_create
from tests.factories import make_person


def api(world, role: str) -> Client:
    _, plaintext = token_create(actor=None, user=world.users[role], name="t")
    return Client(headers={"authorization": f"Bearer {plaintext}"})


def post(client: Client, url: str, body: dict) -> tuple[int, dict]:
    r = client.post(url, json.dumps(body), content_type="application/json")
    return r.status_code, r.json()


def test_it_creates_publishes_and_registers_through_the_api_with_chinese_refusals(world) -> None:
    c = api(world, "cadre")
    status, body = post(c, "/api/v1/activities", {"organizer_id": world.city_a1.pk, "activity_type_id": lecture().pk, "title": "宣讲"})
    assert (status, body["status"], body["audience_org_ids"]) == (201, "draft", [world.city_a1.pk])
    aid = body["id"]
    status, body = post(c, f"/api/v1/activities/{aid}/transition", {"to_status": "published"})
    assert (status, body) == (400, {"code": "no_sessions", "message": "请先添加至少一个场次", "field": "sessions"})
    status, s = post(
        c,
        f"/api/v1/activities/{aid}/sessions",
        {"starts_at": "2030-05-01T09:00:00+08:00", "ends_at": "2030-05-01T11:00:00+08:00", "place": "礼堂", "capacity": 1},
    )
    assert (status, s["capacity"], s["registered"]) == (201, 1, 0)
    for to in ("published", "registering"):
        assert post(c, f"/api/v1/activities/{aid}/transition", {"to_status": to})[0] == 200
    p = make_person(world.unit_a1, "甲")
    status, regs = post(c, f"/api/v1/sessions/{s['id']}/registrations", {"person_ids": [world.people["own"].pk, p.pk]})
    assert (status, [r["status"] for r in regs]) == (201, ["registered", "waitlisted"])
    status, body = post(c, f"/api/v1/sessions/{s['id']}/registrations", {"person_ids": [p.pk]})
    assert (status, body) == (400, {"code": "duplicate", "message": "以下人员已报名该场次：「甲」", "field": "people"})
    status, body = post(c, f"/api/v1/registrations/{regs[0]['id']}/cancel", {})
    assert (status, body["status"]) == (200, "cancelled")
    assert Registration.objects.get(pk=regs[1]["id"]).status == "registered"
    detail = c.get(f"/api/v1/activities/{aid}").json()
    assert [(x["registered"], x["waitlisted"]) for x in detail["sessions"]] == [(1, 0)]
    assert [e["to_status"] for e in detail["events"] if e["session_id"] is None] == ["draft", "published", "registering"]


def test_it_lists_visible_activities_with_a_cursor(world) -> None:
    for i in range(3):
        make_activity(world.unit_a1, title=f"活动{i}")
    make_activity(world.unit_b, title="外省")
    c = api(world, "worker")
    first = c.get("/api/v1/activities", {"limit": 2}).json()
    second = c.get("/api/v1/activities", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["title"] for a in first["items"] + second["items"]] == ["活动0", "活动1", "活动2"]
    assert second["next_cursor"] is None
