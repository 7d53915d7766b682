from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.hardship import services
from gonghui.hardship.models import DedupeConflict
from gonghui.lib.errors import ServiceError
from gonghui.lib.money import yuan
from tests.factories import make_person, make_user

from .conftest import member


def _conflict(hs: Any) -> tuple[Any, Any]:
    """青海's union lists a spouse already on a 合肥 file: the submit is refused, a conflict recorded."""
    hs.w.unit_a1.contact = "0551-62345678 工会办公室"
    hs.w.unit_a1.save()
    held = hs.on_file(accident_event="2025年12月工伤", other_expense="1234.56")
    spouse = held.members.get(relation="spouse")
    holder_b = make_person(hs.w.unit_b, "马福")
    draft = hs.draft(
        holder_b, actor="other_cadre",
        members=[member("self", "马福", holder_b.id_number(), wage="20000"), member("spouse", "李秀英", spouse.id_number(), work="unemployed")],
    )  # fmt: skip
    with pytest.raises(ServiceError):
        services.file_submit(actor=hs.users["other_cadre"], file=draft)
    return held, draft


def test_the_raising_side_sees_only_the_holding_unions_name_and_route(hs, login) -> None:
    held, draft = _conflict(hs)
    c = DedupeConflict.objects.get()
    r = login("other_cadre").get(reverse("hardship:conflicts"))
    body = r.content.decode()
    assert r.status_code == 200
    assert [row["c"] for row in r.context["rows"]] == [
        {
            "id": c.pk, "status": "open", "raised_at": c.raised_at, "resolution": "", "file_id": draft.pk, "member_name": "李秀英",
            "member_id_tail": c.member.id_tail, "holding_org_name": "合肥甲公司工会", "holding_org_contact": "0551-62345678 工会办公室",
        }
    ]  # fmt: skip
    assert draft.number in body and "合肥甲公司工会" in body and "0551-62345678 工会办公室" in body
    # nothing of the held file: its number, holder, other members, category, level, amounts, events
    others = [m.name for m in held.members.exclude(relation="spouse")]
    amounts = [yuan(held.medical_expense_fen), yuan(held.other_expense_fen), yuan(2_000_000), "1234.56", "1,234.56"]
    secrets = [held.number, held.holder.name, *others, held.get_category_display(), "2025年12月工伤", held.holder.id_tail, *amounts]
    assert others == ["张建国", "张小明"]
    assert [s for s in secrets if s in body] == []
    assert reverse("hardship:detail", kwargs={"pk": held.pk}) not in body


def test_the_holding_side_sees_the_conflict_against_its_own_file(hs, login) -> None:
    held, draft = _conflict(hs)
    r = login("unit_cadre").get(reverse("hardship:conflicts"))
    body = r.content.decode()
    assert r.context["rows"][0]["c"]["held_file_id"] == held.pk
    assert held.number in body and "西宁丙公司工会" in body and "请经共同的上级工会联系" in body
    assert draft.number not in body and "马福" not in body


def test_either_side_records_the_resolution_once(hs, login) -> None:
    _conflict(hs)
    c = DedupeConflict.objects.get()
    url = reverse("hardship:conflict_resolve", kwargs={"pk": c.pk})
    client = login("unit_cadre")
    audits = AuditEvent.objects.count()
    r = client.post(url, {"resolution": ""})
    assert (r.status_code, r.context["rows"][0]["form"].errors) == (200, {"resolution": ["请填写协调结果"]})
    assert (DedupeConflict.objects.get().status, AuditEvent.objects.count()) == ("open", audits)
    r = client.post(url, {"resolution": "李秀英已与张建国离婚，由合肥甲公司工会调整档案"})
    assert (r.status_code, r["Location"]) == (302, reverse("hardship:conflicts"))
    c.refresh_from_db()
    assert (c.status, c.resolved_by, c.resolution) == ("resolved", hs.users["unit_cadre"], "李秀英已与张建国离婚，由合肥甲公司工会调整档案")
    assert AuditEvent.objects.filter(action="hardship.dedupe_resolved").count() == 2
    # resolved conflicts leave the default (open) list and offer no form
    page = client.get(reverse("hardship:conflicts"))
    assert "已登记协调结果" in page.content.decode() and page.context["rows"] == []
    rows = login("other_cadre").get(reverse("hardship:conflicts"), {"show": "resolved"}).context["rows"]
    assert [(row["c"]["resolution"], row["form"]) for row in rows] == [("李秀英已与张建国离婚，由合肥甲公司工会调整档案", None)]
    r = login("other_cadre").post(url, {"resolution": "重复"})
    assert [row["form"].non_field_errors() for row in r.context["rows"]] == [["该比对问题已协调完毕"]]


def test_a_read_only_user_sees_but_cannot_resolve_and_a_stranger_gets_404(hs, login) -> None:
    _conflict(hs)
    c = DedupeConflict.objects.get()
    url = reverse("hardship:conflict_resolve", kwargs={"pk": c.pk})
    r = login("viewer").get(reverse("hardship:conflicts"))
    assert [row["form"] for row in r.context["rows"]] == [None]
    assert login("viewer").post(url, {"resolution": "x"}).status_code == 403
    hs.users["stranger"] = make_user("stranger", "cadre", org=hs.w.unit_a2)
    assert login("stranger").post(url, {"resolution": "x"}).status_code == 404
    assert login("stranger").get(reverse("hardship:conflicts")).context["rows"] == []
    assert DedupeConflict.objects.get().status == "open"
