from __future__ import annotations

from gonghui.people import services as people_services
from gonghui.people.models import Membership, Person
from tests.factories import L, make_org, make_person, new_id

NOT_FOUND = {"code": "not_found", "message": "未找到该对象或无权查看", "field": None}
FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}


def masked(p: Person) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "birth_year": p.birth_date.year,
        "age": p.age(),
        "id_masked": p.id_number()[:3] + "*" * 11 + p.id_number()[-4:],
        "phone_masked": p.phone()[:3] + "****" + p.phone()[-4:],
        "org_id": p.org_id,
        "ethnicity": "",
        "political_status": "",
        "education": "",
        "is_migrant_worker": False,
    }


def test_the_roll_is_scoped_and_masked(world, api, django_assert_num_queries) -> None:
    own = world.people["own"]
    m = Membership.objects.get(person=own)
    client = api("cadre")
    client.get("/api/v1/me")
    # token, grants, scope roots, one page of the roll (people and orgs joined)
    with django_assert_num_queries(4):
        r = client.get("/api/v1/people")
    assert r.status_code == 200
    membership = {"id": m.pk, "person_id": own.pk, "org_id": world.unit_a1.pk, "org_name": "合肥甲公司工会", "status": "active"}
    membership |= {"joined_on": m.joined_on.isoformat(), "ended_on": None}
    assert r.json() == {"items": [masked(own) | {"membership": membership}], "next_cursor": None}
    assert own.birth_date.isoformat() not in r.content.decode()


def test_the_roll_of_an_org_outside_scope_is_404(world, api) -> None:
    r = api("cadre").get("/api/v1/people", {"org_id": world.city_a2.pk})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)
    assert api("coord").get("/api/v1/people").json() == {"items": [], "next_cursor": None}


def test_cursor_pages_follow_the_roll_order_without_gaps(world, api) -> None:
    town = make_org(world.city_a1, "街道总工会", L.TOWN)
    for org in (world.city_a1, world.unit_a1, town, world.unit_a1, town, world.city_a1):
        make_person(org, "会员")
    expected = list(Membership.objects.filter(org_path__startswith=world.city_a1.path).order_by("org_path", "id").values_list("person_id", flat=True))
    assert len(expected) == 7
    client = api("viewer")
    seen, cursor = [], None
    while True:
        data = client.get("/api/v1/people", {"limit": 3} | ({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in data["items"]]
        if not (cursor := data["next_cursor"]):
            break
    assert seen == expected


def test_the_roll_filters_like_the_page(world, api) -> None:
    # The ID tail must be one nobody else in the world has: generated numbers can share four digits.
    taken = {p.id_number()[-4:] for p in Person.objects.all()}
    a_id = next(i for i in iter(lambda: new_id(world.unit_a1.region_code), None) if i[-4:] not in taken)
    a = make_person(world.unit_a1, "王小明", phone="13800001111", id_number=a_id)
    b = make_person(world.unit_a1, "王大明")
    m = Membership.objects.get(person=b)
    people_services.membership_transition(actor=None, membership=m, to_status="withdrawn", reason="离职")
    client = api("cadre")

    def names(**params) -> list[str]:
        return [i["name"] for i in client.get("/api/v1/people", params).json()["items"]]

    assert names(name="王") == ["王小明"]
    assert names(name="王", status="all") == ["王小明", "王大明"]
    assert names(status="withdrawn") == ["王大明"]
    assert names(id_tail=a.id_number()[-4:]) == ["王小明"]
    assert names(phone="138 0000 1111") == ["王小明"]
    assert names(phone="12") == []


def test_a_worker_reads_their_own_record_and_no_other(world, api) -> None:
    own = world.people["own"]
    client = api("worker")
    r = client.get(f"/api/v1/people/{own.pk}")
    body = r.json()
    assert r.status_code == 200
    assert {k: body[k] for k in masked(own)} == masked(own)
    assert (body["org_name"], [m["status"] for m in body["memberships"]], body["permissions"]) == ("合肥甲公司工会", ["active"], {"operate": False})
    assert set(body) == {*masked(own), "org_name", "memberships", "permissions"}
    assert client.get(f"/api/v1/people/{world.people['sibling'].pk}").status_code == 404
    r = client.patch(f"/api/v1/people/{own.pk}", {"name": "改名"})
    assert (r.status_code, r.json()) == (403, FORBIDDEN)
    assert Person.objects.get(pk=own.pk).name == own.name


def test_register_answers_masked_and_ignores_undeclared_fields(world, api) -> None:
    number = new_id("340100")
    body = {"org_id": world.unit_a1.pk, "name": "新会员", "id_number": number, "phone": "13912340000", "ethnicity": "回族"}
    body |= {"org_path": "/9/", "birth_date": "2000-01-01", "id_masked": "x"}
    r = api("cadre").post("/api/v1/people", body)
    assert r.status_code == 201
    person = Person.objects.get(name="新会员")
    assert (person.org, person.org_path, person.ethnicity, person.id_number()) == (world.unit_a1, world.unit_a1.path, "回族", number)
    assert r.json()["id_masked"] == number[:3] + "*" * 11 + number[-4:]
    assert r.json()["phone_masked"] == "139****0000"
    assert number not in r.content.decode() and "13912340000" not in r.content.decode()
    assert [m["status"] for m in r.json()["memberships"]] == ["active"]


def test_a_duplicate_outside_scope_answers_409_revealing_nothing(world, api) -> None:
    before = Person.objects.count()
    body = {"org_id": world.unit_a1.pk, "name": "重复", "id_number": world.people["other"].id_number()}
    r = api("cadre").post("/api/v1/people", body)
    assert (r.status_code, r.json()) == (
        409,
        {"code": "person_exists", "message": "该人员已在其他工会登记，不能重复建档；可以向其所在工会发起转会申请", "field": "id_number"},
    )
    assert Person.objects.count() == before
    body["id_number"] = world.people["own"].id_number()
    r = api("cadre").post("/api/v1/people", body)
    assert (r.status_code, r.json()) == (409, {"code": "person_exists", "message": "该身份证号已登记，请勿重复添加", "field": "id_number"})


def test_an_invalid_id_number_answers_400_on_its_field(world, api) -> None:
    r = api("cadre").post("/api/v1/people", {"org_id": world.unit_a1.pk, "name": "某", "id_number": "340100198001010000"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "invalid", "id_number")


def test_update_changes_only_the_fields_sent(world, api) -> None:
    own = world.people["own"]
    client = api("cadre")
    r = client.patch(f"/api/v1/people/{own.pk}", {"education": "大学本科"})
    assert (r.status_code, r.json()["education"], r.json()["phone_masked"]) == (200, "大学本科", own.phone_masked)
    r = client.patch(f"/api/v1/people/{own.pk}", {"phone": "13600002222"})
    assert (r.status_code, r.json()["phone_masked"]) == (200, "136****2222")
    assert Person.objects.get(pk=own.pk).phone() == "13600002222"
    r = client.patch(f"/api/v1/people/{own.pk}", {"phone": ""})
    assert r.json()["phone_masked"] == ""
    r = client.patch(f"/api/v1/people/{own.pk}", {"ethnicity": "火星族"})
    assert r.status_code == 422
    assert api("viewer").patch(f"/api/v1/people/{own.pk}", {"education": "研究生"}).status_code == 403
    assert Person.objects.get(pk=own.pk).education == "大学本科"


def test_membership_transitions_follow_the_state_machine(world, api) -> None:
    m = Membership.objects.get(person=world.people["own"])
    client = api("cadre")
    r = client.post(f"/api/v1/memberships/{m.pk}/transition", {"to_status": "retained", "reason": "退休"})
    assert (r.status_code, r.json()["status"]) == (200, "retained")
    r = client.post(f"/api/v1/memberships/{m.pk}/transition", {"to_status": "expelled", "reason": "违纪"})
    assert (r.status_code, r.json()) == (400, {"code": "invalid", "message": "会籍状态“保留会籍”不能变更为“已除名”", "field": "status"})
    r = client.post(f"/api/v1/memberships/{m.pk}/transition", {"to_status": "withdrawn"})
    assert (r.status_code, r.json()["message"]) == (400, "退会或除名须填写原因")
    r = client.post(f"/api/v1/memberships/{m.pk}/transition", {"to_status": "transferred"})
    assert r.status_code == 422
    r = client.post(f"/api/v1/memberships/{m.pk}/transition", {"to_status": "withdrawn", "reason": "离职", "on": "2026-02-01"})
    assert (r.status_code, r.json()["status"], r.json()["ended_on"]) == (200, "withdrawn", "2026-02-01")
    r = client.post(f"/api/v1/people/{world.people['own'].pk}/rejoin")
    assert (r.status_code, r.json()["status"], r.json()["org_id"]) == (201, "applied", world.unit_a1.pk)


def test_memberships_list_by_person_and_by_org(world, api) -> None:
    own = world.people["own"]
    m = Membership.objects.get(person=own)
    people_services.membership_transition(actor=None, membership=m, to_status="withdrawn", reason="离职")
    rejoined = people_services.membership_rejoin(actor=None, person=own, org=own.org)
    client = api("viewer")
    r = client.get("/api/v1/memberships", {"person_id": own.pk})
    assert [(i["id"], i["status"]) for i in r.json()["items"]] == [(m.pk, "withdrawn"), (rejoined.pk, "applied")]
    r = client.get("/api/v1/memberships", {"person_id": own.pk, "status": ""})
    assert [i["id"] for i in r.json()["items"]] == [rejoined.pk]
    r = client.get("/api/v1/memberships", {"org_id": world.city_a1.pk, "status": "withdrawn"})
    assert [i["id"] for i in r.json()["items"]] == [m.pk]
    assert client.get("/api/v1/memberships", {"person_id": world.people["ancestor"].pk}).status_code == 404
    worker = api("worker").get("/api/v1/memberships", {"person_id": own.pk})
    assert [i["id"] for i in worker.json()["items"]] == [m.pk, rejoined.pk]
