from __future__ import annotations

from gonghui.alliances.models import Alliance, AllianceMember
from gonghui.audit.models import AuditEvent

FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}


def names(response) -> list[str]:
    return [a["name"] for a in response.json()["items"]]


def test_each_role_lists_the_alliances_it_may_see(world, api) -> None:
    for role in ("fed_admin", "org_admin", "cadre", "viewer", "coord"):
        assert names(api(role).get("/api/v1/alliances")) == ["合肥工会联盟"], role
    assert names(api("worker").get("/api/v1/alliances")) == []


def test_detail_shows_aggregates_of_member_unions(world, api) -> None:
    r = api("coord").get(f"/api/v1/alliances/{world.alliance.pk}")
    body = r.json()
    assert r.status_code == 200
    assert [(m["org_name"], m["is_founder"], m["members"]) for m in body["members"]] == [("合肥甲公司工会", True, 1), ("芜湖乙公司工会", False, 1)]
    assert (body["figures"], body["seats"], body["can_manage"], body["charter_form"]) == ({"unions": 2, "members": 2}, [], True, "1+000")
    assert api("cadre").get(f"/api/v1/alliances/{world.alliance.pk}").json()["can_manage"] is False
    assert api("cadre").get(f"/api/v1/alliances/{world.alliance_b.pk}").status_code == 404


def test_the_coordinator_sets_the_charter_and_a_cadre_may_not(world, api) -> None:
    url = f"/api/v1/alliances/{world.alliance.pk}"
    r = api("cadre").patch(url, {"purpose": "服务职工"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    r = api("coord").patch(url, {"purpose": "服务职工", "mechanisms": ["轮值", "联席会议"], "platforms": ["法律援助", "技能培训", "心理咨询"]})
    assert (r.status_code, r.json()["charter_form"], r.json()["mechanisms"]) == (200, "1+230", ["轮值", "联席会议"])
    r = api("coord").patch(url, {"brands": ["健步走"]})  # the rest of the charter is kept
    assert (r.json()["purpose"], r.json()["charter_form"]) == ("服务职工", "1+231")
    r = api("coord").patch(f"/api/v1/alliances/{world.alliance_b.pk}", {"purpose": "x"})
    assert r.status_code == 404


def test_create_join_and_leave(world, api) -> None:
    client = api("org_admin")
    r = client.post("/api/v1/alliances", {"host_org_id": world.city_a1.pk, "name": "新联盟", "founded_on": "2024-05-01"})
    assert (r.status_code, r.json()["host_org_id"], r.json()["members"]) == (201, world.city_a1.pk, [])
    alliance = Alliance.objects.get(name="新联盟")
    r = client.post(f"/api/v1/alliances/{alliance.pk}/members", {"org_code": world.unit_b.code, "joined_on": "2024-04-01"})
    assert (r.status_code, r.json()) == (400, {"code": "invalid", "message": "加入日期不能早于联盟成立日期", "field": "joined_on"})
    r = client.post(f"/api/v1/alliances/{alliance.pk}/members", {"org_code": "NO-SUCH-CODE", "joined_on": "2024-06-01"})
    assert (r.status_code, r.json()["field"]) == (400, "org_code")
    r = client.post(f"/api/v1/alliances/{alliance.pk}/members", {"org_code": world.unit_b.code, "joined_on": "2024-06-01", "is_founder": True})
    assert (r.status_code, r.json()["org_id"], r.json()["is_founder"]) == (201, world.unit_b.pk, True)
    member = AllianceMember.objects.get(alliance=alliance)
    r = client.post(f"/api/v1/alliances/{alliance.pk}/members/{member.pk}/leave", {"left_on": "2025-01-01"})
    assert (r.status_code, r.json()["left_on"]) == (200, "2025-01-01")
    other = AllianceMember.objects.filter(alliance=world.alliance).first()
    r = client.post(f"/api/v1/alliances/{alliance.pk}/members/{other.pk}/leave", {"left_on": "2025-01-01"})
    assert r.status_code == 404  # a member of another alliance, addressed through this one
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="alliances.").order_by("id")][-3:] == [
        "alliances.create",
        "alliances.member_join",
        "alliances.member_leave",
    ]
