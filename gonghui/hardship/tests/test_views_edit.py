from __future__ import annotations

from typing import Any

from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.hardship.models import FileEvent, HardshipFile, HouseholdMember
from gonghui.people.models import Person
from tests.factories import make_person, new_id

from .conftest import members_of

FILE_FIELDS = {"kind": "formal", "level": "grassroots", "region_code": "", "area": "urban", "cause_main": "illness", "medical_expense": "6000"}


def row(relation: str, name: str, number: str = "", *, wage: str = "0", work: str = "employed", **kw: Any) -> dict[str, Any]:
    return {"relation": relation, "name": name, "id_number": number, "health": "healthy", "work_status": work, "wage": wage} | kw


def form_data(rows: list[dict[str, Any]], *, holder: Any = None, initial: int = 0, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = FILE_FIELDS | fields
    data |= {"members-TOTAL_FORMS": len(rows), "members-INITIAL_FORMS": initial, "members-MIN_NUM_FORMS": 0, "members-MAX_NUM_FORMS": 20}
    for i, r in enumerate(rows):
        data |= {f"members-{i}-{k}": "" if v is None else v for k, v in r.items()}
    if holder is not None:
        data["holder"] = holder.pk
    return data


def household(spouse: str, child: str, *, wage: str = "20000") -> list[dict[str, Any]]:
    """The holder's row leaves the ID number blank: it comes from the roll."""
    return [row("self", "张建国", wage=wage), row("spouse", "李秀英", spouse, work="unemployed"), row("child", "张小明", child, work="student")]


def written() -> tuple[int, int, int, int]:
    return HardshipFile.objects.count(), HouseholdMember.objects.count(), FileEvent.objects.count(), AuditEvent.objects.count()


def create_url(org: Any) -> str:
    return reverse("hardship:create", kwargs={"org_id": org.pk})


def test_it_picks_the_holder_by_name_or_id_tail_among_people_the_user_may_operate_on(hs, login) -> None:
    # a number whose last four digits no other generated number has (they can coincide)
    taken = {p.id_tail for p in Person.objects.all()}
    zhang = make_person(hs.w.unit_a1, "张建国", id_number=next(i for i in iter(new_id, None) if i[-4:] not in taken))
    make_person(hs.w.unit_a2, "张伟")  # outside the cadre's scope
    make_person(hs.w.unit_a1, "王强")
    client = login("cadre")
    r = client.get(create_url(hs.w.city_a1))
    assert (r.status_code, r.context["found"]) == (200, None)
    r = client.get(create_url(hs.w.city_a1), {"name": "张"})
    assert [p.name for p in r.context["found"]] == ["张建国"]
    body = r.content.decode()
    assert f'href="?holder={zhang.pk}"' in body and zhang.id_masked in body and zhang.id_number() not in body
    assert [p.pk for p in client.get(create_url(hs.w.city_a1), {"id_tail": zhang.id_number()[-4:]}).context["found"]] == [zhang.pk]
    # the holder must be on the roll of the page's subtree and in the user's scope
    r = client.get(create_url(hs.w.city_a1), {"holder": zhang.pk})
    assert (r.status_code, r.context["holder"], r.context["org"]) == (200, zhang, hs.w.unit_a1)
    assert client.get(create_url(hs.w.city_a1), {"holder": hs.w.people["sibling"].pk}).status_code == 404
    assert login("unit_cadre").get(create_url(hs.w.unit_a1), {"holder": hs.w.people["ancestor"].pk}).status_code == 404


def test_it_creates_a_draft_at_the_holders_union_with_the_household(hs, login) -> None:
    holder = make_person(hs.w.unit_a1, "张建国")
    spouse, child = new_id(sex="F"), new_id()
    data = form_data(household(spouse, child), holder=holder, bank_account="6222 0210 0112 3456 789", accident_event="")
    client = login("cadre")
    r = client.post(create_url(hs.w.city_a1), data)
    file = HardshipFile.objects.get()
    assert (r.status_code, r["Location"]) == (302, reverse("hardship:detail", kwargs={"pk": file.pk}))
    assert (file.org, file.holder, file.status, file.medical_expense_fen, file.bank_tail) == (hs.w.unit_a1, holder, "draft", 600_000, "6789")
    assert file.bank_account() == "6222021001123456789"
    assert members_of(file) == [("self", "张建国", 2_000_000), ("spouse", "李秀英", 0), ("child", "张小明", 0)]
    assert [m.id_number() for m in file.members.all()] == [holder.id_number(), spouse, child]
    assert [e.action for e in FileEvent.objects.filter(file=file)] == ["create"]
    page = client.get(r["Location"]).content.decode()
    assert f"已保存档案 {file.number}" in page


def test_it_names_the_member_row_and_field_of_a_refusal_and_writes_nothing(hs, login) -> None:
    holder = make_person(hs.w.unit_a1, "张建国")
    spouse, child = new_id(sex="F"), new_id()
    client = login("unit_cadre")
    before = written()
    # the service's check: a wage that is not a number, on the second row
    rows = household(spouse, child)
    rows[1]["wage"] = "五千"
    r = client.post(create_url(hs.w.unit_a1), form_data(rows, holder=holder))
    assert r.status_code == 200
    assert r.context["formset"].summary() == ["第2位家庭成员（李秀英）工资收入：金额不是有效的数字"]
    assert r.context["formset"].forms[1].errors == {"wage": ["第2位家庭成员（李秀英）工资收入：金额不是有效的数字"]}
    # a number repeated on another row
    rows = household(spouse, spouse)
    r = client.post(create_url(hs.w.unit_a1), form_data(rows, holder=holder))
    assert r.context["formset"].forms[2].errors == {"id_number": ["第3位家庭成员（张小明）的身份证号与第2位重复"]}
    # the form's own check: a row without a name
    rows = household(spouse, child)
    rows[1]["name"] = ""
    r = client.post(create_url(hs.w.unit_a1), form_data(rows, holder=holder))
    assert r.context["formset"].summary() == ["第2位家庭成员 · 姓名：这个字段是必填项。"]
    assert "第2位家庭成员 · 姓名：这个字段是必填项。" in r.content.decode()
    # a file field
    r = client.post(create_url(hs.w.unit_a1), form_data(household(spouse, child), holder=holder, cause_main=""))
    assert r.context["form"].errors == {"cause_main": ["请选择主要致困原因"]}
    assert written() == before


def test_it_adds_and_removes_household_rows_without_javascript(hs, login) -> None:
    holder = make_person(hs.w.unit_a1, "张建国")
    spouse, child = new_id(sex="F"), new_id()
    client = login("unit_cadre")
    before = written()
    rows = [*household(spouse, child), row("", "", wage="0", health="healthy", work="")]  # the empty extra row as a browser sends it
    rows[-1] |= {"pension": "0", "relief": "0", "other_income": "0"}
    r = client.post(create_url(hs.w.unit_a1), {**form_data(rows, holder=holder), "add_row": "1"})
    formset = r.context["formset"]
    # the three filled rows and the empty one on screen come back (unbound, no errors yet) with
    # one empty row more: every press of 增加一行 shows one row more
    assert (r.status_code, formset.is_bound, len(formset.forms), formset.summary()) == (200, False, 5, [])
    assert [f.initial.get("name") for f in formset.forms] == ["张建国", "李秀英", "张小明", None, None]
    assert written() == before
    # with htmx the same button asks for the same page; the section it swaps is there
    r = client.post(create_url(hs.w.unit_a1), {**form_data(rows, holder=holder), "add_row": "1"}, headers={"HX-Request": "true"})
    assert '<div id="members">' in r.content.decode()
    # a row ticked 删除 is left out; the empty extra row is ignored
    rows[2]["DELETE"] = "on"
    r = client.post(create_url(hs.w.unit_a1), form_data(rows, holder=holder))
    file = HardshipFile.objects.get()
    assert (r.status_code, members_of(file)) == (302, [("self", "张建国", 2_000_000), ("spouse", "李秀英", 0)])


def test_it_shows_the_category_arithmetic_of_the_typed_figures_without_saving(hs, login) -> None:
    holder = make_person(hs.w.unit_a1, "张建国")
    client = login("unit_cadre")
    before = written()
    data = {**form_data(household(new_id(sex="F"), new_id(), wage="40000"), holder=holder, job_cost="6000"), "preview": "1"}
    r = client.post(create_url(hs.w.unit_a1), data)
    assert r.context["lines"] == [
        "（家庭年度可支配收入 ¥40,000.00 − 因困支出 ¥6,000.00） ÷ 12 ÷ 3人 = ¥944.44/人·月，> 低保 ¥800.00",
        "（家庭年度可支配收入 ¥40,000.00 − 因困支出 ¥6,000.00 − 必要就业成本 ¥6,000.00） ÷ 12 ÷ 3人 = ¥777.78/人·月，≤ 2 × 低保 ¥1,600.00",
        "结论：相对困难",
    ]
    assert "结论：相对困难" in r.content.decode()
    r = client.post(create_url(hs.w.unit_a1), {**data, "region_code": "650100"})
    assert r.context["preview_error"] == "没有650100（或其所属市、省）2026年城市低保标准，请先在“低保标准”中录入"
    r = client.post(create_url(hs.w.unit_a1), {**data, "members-1-name": ""})
    assert (r.context["lines"], r.context["preview_error"]) == ([], "请先改正表中的错误再测算")
    assert written() == before


def test_it_edits_a_draft_keeping_numbers_and_bank_account_it_never_shows(hs, login) -> None:
    file = hs.draft(bank_account="6222021001123456789")
    numbers = [m.id_number() for m in file.members.all()]
    client = login("unit_cadre")
    url = reverse("hardship:edit", kwargs={"pk": file.pk})
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 200
    assert [n for n in [*numbers, "6222021001123456789"] if n in body] == []
    assert [m.id_masked in body for m in file.members.all()] == [True, True, True]
    assert r.context["lines"][2] == "结论：深度困难"
    # the page's rows as posted back: the ID numbers blank, the wage changed
    rows = [{**f.initial, "id_number": ""} for f in r.context["formset"].forms if f.initial]
    rows = [{k: v for k, v in x.items() if k != "masked"} for x in rows]
    rows[0]["wage"] = "30000"
    r = client.post(url, form_data(rows, initial=3))
    assert (r.status_code, r["Location"]) == (302, reverse("hardship:detail", kwargs={"pk": file.pk}))
    file.refresh_from_db()
    assert [m.id_number() for m in file.members.all()] == numbers
    assert members_of(file) == [("self", "张建国", 3_000_000), ("spouse", "李秀英", 0), ("child", "张小明", 0)]
    assert file.bank_account() == "6222021001123456789"
    # a member id of another file does not lend its number
    other = hs.draft(make_person(hs.w.unit_a1, "王强"))
    rows[1]["member"] = other.members.get(relation="spouse").pk
    before = written()
    r = client.post(url, form_data(rows, initial=3))
    assert r.context["formset"].forms[1].errors == {"id_number": ["第2位家庭成员（李秀英）：身份证号不能为空"]}
    assert written() == before


def test_it_refuses_to_edit_a_file_on_record_with_the_services_message(hs, login) -> None:
    file = hs.on_file()
    client = login("unit_cadre")
    url = reverse("hardship:edit", kwargs={"pk": file.pk})
    r = client.get(url)
    assert "只有草稿或退回的档案可以修改" in r.content.decode()
    rows = [{k: v for k, v in f.initial.items() if k != "masked"} for f in r.context["formset"].forms if f.initial]
    before = (written(), file.changed_at)
    r = client.post(url, form_data(rows, initial=3))
    assert r.status_code == 200
    assert r.context["form"].non_field_errors() == ["档案当前状态为“在档”，不能修改；在档档案请使用“调整”"]
    file.refresh_from_db()
    assert (written(), file.changed_at) == before
