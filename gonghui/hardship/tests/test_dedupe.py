from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.hardship import dedupe, queries, services
from gonghui.hardship.models import DedupeConflict, HardshipFile, HouseholdClaim
from gonghui.lib.errors import ServiceError
from tests.factories import make_person, new_id


def test_a_conflict_names_only_the_holding_union_and_both_sides_see_and_audit_it(hs) -> None:
    w, u = hs.w, hs.users
    w.unit_a1.contact = "0551-62345678 工会办公室"
    w.unit_a1.save()
    held = hs.on_file()
    spouse = held.members.get(relation="spouse")
    # A worker in 青海 lists the same spouse (e.g. a remarriage not yet recorded)
    draft = hs.foreign_draft(held, "spouse")
    audits = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with pytest.raises(ServiceError) as e:
        services.file_submit(actor=u["other_cadre"], file=draft)
    assert e.value.code == "dedupe_conflict"
    assert e.value.message == (
        f"比对发现重复建档，暂不能提交：李秀英（身份证尾号{spouse.id_tail}）已在合肥甲公司工会建档（联系方式：0551-62345678 工会办公室）。请与对方工会协调后再提交"
    )
    draft.refresh_from_db()
    assert (draft.status, HouseholdClaim.objects.filter(file=draft).count()) == (HardshipFile.Status.DRAFT, 0)
    c = DedupeConflict.objects.get()
    # what the raising side reads, compared with everything the held file carries
    seen = queries.conflict_view(u["other_cadre"], c)
    assert seen == {
        "id": c.pk, "status": "open", "raised_at": c.raised_at, "resolution": "", "file_id": draft.pk, "member_name": "李秀英",
        "member_id_tail": spouse.id_tail, "holding_org_name": "合肥甲公司工会", "holding_org_contact": "0551-62345678 工会办公室",
    }  # fmt: skip
    # (the raising side's own values — its file, its member's name and tail — are left out: a
    # generated tail of theirs may equal one of the held household's by chance)
    own_side = {"id", "file_id", "member_name", "member_id_tail"}
    leaked = {str(v) for k, v in seen.items() if k not in own_side} & {
        str(held.pk), held.number, held.holder.name, held.category, held.get_category_display(), held.status, held.level,
        str(held.medical_expense_fen), *(m.name for m in held.members.exclude(pk=spouse.pk)), held.holder.id_number()[-4:],
    }  # fmt: skip
    assert leaked == set()
    # the holding side sees it against its own file, with the raising union and its route
    assert queries.conflict_view(u["cadre"], c) == {
        "id": c.pk, "status": "open", "raised_at": c.raised_at, "resolution": "", "held_file_id": held.pk,
        "raised_org_name": "西宁丙公司工会", "raised_org_contact": "请经共同的上级工会联系",
    }  # fmt: skip
    assert list(queries.conflicts_for(u["cadre"])) == [c]
    assert list(queries.conflicts_for(u["other_cadre"])) == [c]
    assert list(queries.conflicts_for(hs.users["viewer"])) == [c]
    trail = AuditEvent.objects.filter(pk__gt=audits).order_by("id")
    assert [(a.action, a.org_id, a.target_id) for a in trail] == [
        ("hardship.dedupe_raised", w.unit_b.pk, draft.pk),
        ("hardship.dedupe_held", w.unit_a1.pk, held.pk),
    ]
    # submitting again while open raises no second conflict; resolving by either side closes it
    with pytest.raises(ServiceError):
        services.file_submit(actor=u["other_cadre"], file=draft)
    assert DedupeConflict.objects.count() == 1
    dedupe.conflict_resolve(actor=u["cadre"], conflict=c, resolution="已核实李秀英与张建国已离婚，由合肥甲公司工会调整档案")
    with pytest.raises(ServiceError) as again:
        dedupe.conflict_resolve(actor=u["other_cadre"], conflict=c, resolution="重复")
    assert again.value.message == "该比对问题已协调完毕"


def test_a_household_member_cannot_be_in_two_files_in_the_same_union_either(hs) -> None:
    first = hs.on_file()
    child = first.members.get(relation="child").id_number()
    holder = make_person(hs.w.unit_a1, "王强")
    second = hs.draft(holder, members=hs.household(holder, child=child))
    with pytest.raises(ServiceError) as e:
        services.file_submit(actor=hs.users["unit_cadre"], file=second)
    assert e.value.code == "dedupe_conflict"


def test_batch_screening_finds_the_holding_files_for_each_household(hs) -> None:
    a = hs.on_file()
    b = hs.on_file()
    a_child = a.members.get(relation="child").id_number()
    b_self = b.holder.id_number()
    fresh = new_id("340100")
    # full-width digits compare equal to the stored number
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in b_self)
    assert dedupe.check_numbers([[fresh], [a_child, fresh], [wide], [a_child, b_self]]) == [[], [a.pk], [b.pk], sorted([a.pk, b.pk])]
