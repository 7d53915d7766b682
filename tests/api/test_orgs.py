from __future__ import annotations

from gonghui.audit.models import AuditEvent
from gonghui.orgs.models import Org
from tests.factories import L, make_org

NOT_FOUND = {"code": "not_found", "message": "未找到该对象或无权查看", "field": None}
FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_it_lists_the_callers_subtree_with_the_scope_roots_parent_hidden(world, api, django_assert_num_queries) -> None:
    client = api("cadre")
    client.get("/api/v1/me")  # the token's last use is recorded once a minute: keep it out of the count
    # token, grants, one page of orgs
    with django_assert_num_queries(3):
        r = client.get("/api/v1/orgs")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(o["id"], o["parent_id"], o["name"]) for o in items] == [
        (world.city_a1.pk, None, "合肥市总工会"),
        (world.unit_a1.pk, world.city_a1.pk, "合肥甲公司工会"),
    ]
    assert r.json()["next_cursor"] is None
    assert items[1] == {
        "id": world.unit_a1.pk,
        "parent_id": world.city_a1.pk,
        "name": "合肥甲公司工会",
        "short_name": "",
        "code": world.unit_a1.code,
        "level": "grassroots",
        "org_type": "single",
        "region_code": "340100",
        "unit_name": "",
        "unit_credit_code": "",
        "unit_category": "",
        "established_on": None,
        "contact": "",
        "status": "open",
        "closed_on": None,
        "close_reason": "",
        "depth": 3,
        "member_count": 1,
    }


def test_coordinators_and_workers_list_no_orgs(world, api) -> None:
    for role in ("coord", "worker"):
        assert api(role).get("/api/v1/orgs").json() == {"items": [], "next_cursor": None}


def test_it_filters_by_parent_level_and_name(world, api) -> None:
    town = make_org(world.city_a1, "瑶海区街道总工会", L.TOWN)
    client = api("viewer")
    assert ids(client.get("/api/v1/orgs", {"parent_id": world.city_a1.pk})) == [world.unit_a1.pk, town.pk]
    assert ids(client.get("/api/v1/orgs", {"level": "town"})) == [town.pk]
    assert ids(client.get("/api/v1/orgs", {"q": "甲公司"})) == [world.unit_a1.pk]
    r = client.get("/api/v1/orgs", {"parent_id": world.prov_a.pk})  # outside the scope: not confirmed to exist
    assert (r.status_code, r.json()) == (404, NOT_FOUND)


def test_cursor_pages_walk_every_org_once(world, api) -> None:
    made = [make_org(world.city_a1, f"基层工会{i}", L.GRASSROOTS).pk for i in range(7)]
    client = api("org_admin")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        data = client.get("/api/v1/orgs", params).json()
        seen += [o["id"] for o in data["items"]]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([world.city_a1.pk, world.unit_a1.pk, *made])
    assert pages == 5  # 9 orgs, two a page


def test_bad_paging_input_answers_json_errors(world, api) -> None:
    client = api("cadre")
    r = client.get("/api/v1/orgs", {"cursor": "bm90LWpzb24"})
    assert (r.status_code, r.json()) == (400, {"code": "invalid_cursor", "message": "分页游标无效", "field": "cursor"})
    r = client.get("/api/v1/orgs", {"limit": 201})
    assert r.status_code == 422
    body = r.json()
    assert (body["code"], body["message"], [d["loc"] for d in body["detail"]]) == ("invalid", "请求数据格式不正确", [["query", "limit"]])


def test_detail_has_totals_and_the_callers_permissions(world, api) -> None:
    r = api("org_admin").get(f"/api/v1/orgs/{world.city_a1.pk}")
    body = r.json()
    assert r.status_code == 200
    assert (body["subtree_member_total"], body["subtree_org_count"], body["member_count"]) == (1, 2, 0)
    assert body["permissions"] == {"manage": True, "move": False, "operate": True}
    assert api("fed_admin").get(f"/api/v1/orgs/{world.unit_a1.pk}").json()["permissions"] == {"manage": True, "move": True, "operate": True}
    r = api("cadre").get(f"/api/v1/orgs/{world.city_a2.pk}")
    assert (r.status_code, r.json()) == (404, NOT_FOUND)


def test_create_binds_only_the_declared_fields(world, api) -> None:
    body = {
        "parent_id": world.city_a1.pk,
        "name": "新建基层工会",
        "level": "grassroots",
        "org_type": "single",
        "region_code": "340102",
        "unit_category": "110",
        # not part of the input: ignored
        "status": "closed",
        "path": "/1/",
        "member_count": 99,
        "depth": 0,
    }
    r = api("org_admin").post("/api/v1/orgs", body)
    assert r.status_code == 201
    org = Org.objects.get(name="新建基层工会")
    assert (org.parent, org.path, org.status, org.member_count, org.depth) == (world.city_a1, f"{world.city_a1.path}{org.pk}/", "open", 0, 3)
    assert (org.region_code, org.unit_category, org.code.startswith("GH")) == ("340102", "110", True)
    assert r.json()["id"] == org.pk and r.json()["parent_id"] == world.city_a1.pk
    assert AuditEvent.objects.get(action="orgs.create", target_id=org.pk).actor_id == world.users["org_admin"].pk


def test_a_cadre_may_not_create_and_nothing_changes(world, api) -> None:
    before = Org.objects.count()
    body = {"parent_id": world.city_a1.pk, "name": "x", "level": "grassroots", "org_type": "single", "region_code": "340100"}
    r = api("cadre").post("/api/v1/orgs", body)
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    assert Org.objects.count() == before


def test_update_changes_only_the_fields_sent(world, api) -> None:
    client = api("org_admin")
    r = client.patch(f"/api/v1/orgs/{world.unit_a1.pk}", {"short_name": "甲工会", "contact": "0551-1234567"})
    assert r.status_code == 200
    org = Org.objects.get(pk=world.unit_a1.pk)
    assert (org.name, org.short_name, org.contact, org.level) == ("合肥甲公司工会", "甲工会", "0551-1234567", "grassroots")
    assert AuditEvent.objects.get(action="orgs.update").data == {"short_name": ["", "甲工会"], "contact": ["", "0551-1234567"]}
    r = client.patch(f"/api/v1/orgs/{world.unit_a1.pk}", {"name": None})
    assert (r.status_code, r.json()["detail"][0]["loc"]) == (422, ["body", "payload", "name"])
    r = client.patch(f"/api/v1/orgs/{world.unit_a1.pk}", {"region_code": "3401"})
    assert (r.status_code, r.json()) == (400, {"code": "invalid", "message": "行政区划代码应为6位数字（GB/T 2260）", "field": "region_code"})
    assert Org.objects.get(pk=world.unit_a1.pk).region_code == "340100"


def test_move_needs_a_new_parent_inside_the_movers_scope(world, api) -> None:
    client = api("fed_admin")
    r = client.post(f"/api/v1/orgs/{world.unit_a1.pk}/move", {"new_parent_id": world.city_a2.pk})
    assert (r.status_code, r.json()) == (400, {"code": "invalid", "message": "在您的管理范围内没有找到该组织", "field": "new_parent_id"})
    town = make_org(world.city_a1, "街道总工会", L.TOWN)
    r = client.post(f"/api/v1/orgs/{world.unit_a1.pk}/move", {"new_parent_id": town.pk, "reason": "区划调整"})
    assert (r.status_code, r.json()["parent_id"], r.json()["depth"]) == (200, town.pk, 4)
    assert Org.objects.get(pk=world.unit_a1.pk).path == f"{town.path}{world.unit_a1.pk}/"


def test_close_refuses_an_org_with_members_and_closes_an_empty_one(world, api) -> None:
    client = api("org_admin")
    r = client.post(f"/api/v1/orgs/{world.unit_a1.pk}/close", {"closed_on": "2026-01-01", "reason": "单位注销"})
    assert (r.status_code, r.json()) == (400, {"code": "invalid", "message": "该组织还有在册会员，请先办理转会或会籍变更", "field": "status"})
    empty = make_org(world.city_a1, "空工会", L.GRASSROOTS)
    r = client.post(f"/api/v1/orgs/{empty.pk}/close", {"closed_on": "2026-01-01", "reason": "单位注销"})
    assert (r.status_code, r.json()["status"], r.json()["closed_on"], r.json()["close_reason"]) == (200, "closed", "2026-01-01", "单位注销")
