from __future__ import annotations

from django.urls import reverse

from gonghui.hardship import services
from gonghui.hardship.models import HardshipFile, HouseholdMember
from gonghui.people.models import Person
from tests.factories import make_person, new_id


def _url(org) -> str:  # type: ignore[no-untyped-def]
    return reverse("hardship:index", kwargs={"org_id": org.pk})


def _numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.number for f in response.context["page"].rows]


def test_it_lists_the_subtree_files_with_holder_contact_and_state_in_a_fixed_number_of_queries(hs, login, django_assert_num_queries) -> None:
    on_file = hs.on_file()
    services.contact_assign(actor=None, file=on_file, cadre=hs.users["unit_cadre"])
    draft = hs.draft(make_person(hs.w.unit_a1, "王强"))
    client = login("cadre")
    client.get(_url(hs.w.city_a1))  # warm the session
    with django_assert_num_queries(5):
        r = client.get(_url(hs.w.city_a1))
    assert r.status_code == 200
    assert _numbers(r) == [draft.number, on_file.number]
    body = r.content.decode()
    assert on_file.holder.id_masked in body and on_file.holder.id_number() not in body
    row = body[body.index(on_file.number) : body.index("</tr>", body.index(on_file.number))]
    for text in ("张建国", "深度困难", "基层", "在档", "合肥甲公司工会", "赵干事", "2026-03-09"):
        assert text in row, text
    # more files and more contacts cost no more queries
    for i in range(4):
        f = hs.on_file(holder=make_person(hs.w.unit_a1, f"职工{i}"))
        services.contact_assign(actor=None, file=f, cadre=hs.users["cadre"])
    with django_assert_num_queries(5):
        r = client.get(_url(hs.w.city_a1))
    assert len(r.context["page"].rows) == 6
    assert r.content.decode().count("<td>钱主任</td>") == 4


def test_it_filters_by_pool_category_identity_name_and_id_tail(hs, login) -> None:
    draft = hs.draft(make_person(hs.w.unit_a1, "王强"), is_migrant_worker=True, wage="40000", job_cost="6000")
    services.file_submit(actor=hs.users["unit_cadre"], file=draft)  # 相对困难, under review
    lifted = hs.on_file(holder=make_person(hs.w.unit_a1, "刘芳"))
    services.file_lift(actor=hs.users["cadre"], file=lifted, reason="再就业收入稳定")
    # The spouse's last four digits are ones no other generated number has (they can coincide).
    taken = {m.id_tail for m in HouseholdMember.objects.all()} | {p.id_tail for p in Person.objects.all()}
    spouse = next(i for i in iter(lambda: new_id("340100", sex="F"), None) if i[-4:] not in taken)
    holder = make_person(hs.w.unit_a1, "张建国")
    active = hs.on_file(holder=holder, members=hs.household(holder, spouse=spouse))
    client = login("cadre")
    numbers = lambda **q: _numbers(client.get(_url(hs.w.city_a1), q))  # noqa: E731
    assert numbers() == [lifted.number, draft.number, active.number]
    assert numbers(pool="all") == [lifted.number, draft.number, active.number]
    assert numbers(pool="on_file") == [active.number]
    assert numbers(pool="intake") == [draft.number]
    assert numbers(pool="lifted") == [lifted.number]
    assert (numbers(pool="temporary"), numbers(pool="cancelled")) == ([], [])
    assert numbers(category="relative") == [draft.number]
    assert numbers(migrant="migrant") == [draft.number]
    assert numbers(migrant="worker") == [lifted.number, active.number]
    # a name or an ID tail finds the household of any member (the spouse's name here)
    assert numbers(name="王") == [draft.number]
    assert numbers(name="李秀") == [lifted.number, draft.number, active.number]
    assert numbers(id_tail=spouse[-4:]) == [active.number]
    assert numbers(id_tail=spouse[-6:]) == [active.number]


def test_it_lists_only_the_subtree_asked_for_and_within_view(hs, login) -> None:
    mine = hs.on_file()
    a2 = hs.draft(make_person(hs.w.unit_a2, "周敏"), org=hs.w.unit_a2)
    client = login("cadre")
    assert _numbers(client.get(_url(hs.w.unit_a1))) == [mine.number]
    assert client.get(_url(hs.w.unit_a2)).status_code == 404
    assert client.get(_url(hs.w.prov_a)).status_code == 404
    assert HardshipFile.objects.filter(pk=a2.pk).exists()


def test_it_answers_an_htmx_filter_with_the_rows_only(hs, login) -> None:
    f = hs.on_file()
    r = login("viewer").get(_url(hs.w.city_a1), {"pool": "on_file"}, headers={"HX-Request": "true"})
    body = r.content.decode()
    assert (r.status_code, body.startswith('\n<div id="file-rows">'), "<html" in body, f.number in body) == (200, True, False, True)
    # the read-only user is offered no new file
    full = login("viewer").get(_url(hs.w.city_a1)).content.decode()
    assert reverse("hardship:create", kwargs={"org_id": hs.w.city_a1.pk}) not in full
    assert reverse("hardship:create", kwargs={"org_id": hs.w.city_a1.pk}) in login("cadre").get(_url(hs.w.city_a1)).content.decode()


def test_it_is_linked_from_the_navigation(hs, login) -> None:
    body = login("cadre").get(reverse("web:home"), follow=True).content.decode()
    assert f'href="{_url(hs.w.city_a1)}"' in body
