from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from gonghui.audit.models import AuditEvent
from gonghui.hardship import services
from gonghui.hardship.models import FileEvent, HardshipFile, HouseholdClaim, HouseholdMember
from gonghui.lib.errors import ServiceError
from tests.factories import make_person, make_user

from .conftest import member, members_of, visit

S = HardshipFile.Status
MARCH = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def snapshot(file: HardshipFile) -> tuple:
    file.refresh_from_db()
    return (
        file.status,
        file.category,
        file.level,
        file.changed_at,
        FileEvent.objects.filter(file=file).count(),
        HouseholdClaim.objects.filter(file=file).count(),
        AuditEvent.objects.count(),
    )


def refused(fn, *args, code: str | None = None, message: str | None = None, **kw) -> ServiceError:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as e:
        fn(*args, **kw)
    if code is not None:
        assert e.value.code == code
    if message is not None:
        assert e.value.message == message
    return e.value


def test_it_walks_a_file_from_draft_to_on_record_with_an_event_per_step(hs) -> None:
    file = hs.on_file()
    assert (file.status, file.category, file.kind, file.filed_on) == (S.ACTIVE, "deep", "formal", dt.date(2026, 3, 9))
    assert [(e.action, e.from_status, e.to_status) for e in FileEvent.objects.filter(file=file)] == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("prelim", "submitted", "prelim_ok"),
        ("visit", "prelim_ok", "visited"),
        ("review", "visited", "reviewed"),
        ("publicize", "reviewed", "publicized"),
        ("approve", "publicized", "active"),
    ]
    assert HouseholdClaim.objects.filter(file=file).count() == 3
    assert (file.application_signed, file.consent_signed, file.visits.count()) == (True, True, 1)
    assert members_of(file) == [("self", "张建国", 2_000_000), ("spouse", "李秀英", 0), ("child", "张小明", 0)]


def test_it_shows_the_category_arithmetic(hs) -> None:
    file = hs.draft(wage="40000", job_cost="6000")
    a = services.assessment(file)
    # (40,000 − 6,000) ÷ 12 ÷ 3 = 944.44 > 800; less job costs 28,000 ÷ 36 = 777.78 ≤ 1,600
    assert (a.category, a.deep_per_head_fen, a.relative_per_head_fen) == ("relative", 94_444, 77_778)
    assert a.lines == [
        "（家庭年度可支配收入 ¥40,000.00 − 因困支出 ¥6,000.00） ÷ 12 ÷ 3人 = ¥944.44/人·月，> 低保 ¥800.00",
        "（家庭年度可支配收入 ¥40,000.00 − 因困支出 ¥6,000.00 − 必要就业成本 ¥6,000.00） ÷ 12 ÷ 3人 = ¥777.78/人·月，≤ 2 × 低保 ¥1,600.00",
        "结论：相对困难",
    ]


def test_it_decides_the_boundary_exactly_in_fen(hs) -> None:
    # net exactly 800 × 12 × 3 = 28,800 → 深度; one fen more → 相对
    assert services.assessment(hs.draft(wage="34800")).category == "deep"
    assert services.assessment(hs.draft(wage="34800.01")).category == "relative"


def test_it_falls_back_to_the_city_then_the_province_standard(hs) -> None:
    services.standard_set(actor=None, region_code="340000", year=2026, area="rural", monthly="600")
    file = hs.draft(region_code="341282", area="rural")
    assert services.assessment(file).standard_fen == 60_000
    services.standard_set(actor=None, region_code="341200", year=2026, area="rural", monthly="650")
    assert services.assessment(file).standard_fen == 65_000


def test_it_refuses_a_file_without_a_standard_and_writes_nothing(hs) -> None:
    file = hs.draft(region_code="650100")
    before = snapshot(file)
    e = refused(services.file_submit, actor=hs.users["unit_cadre"], file=file, code="no_standard")
    assert e.message == "没有650100（或其所属市、省）2026年城市低保标准，请先在“低保标准”中录入"
    assert snapshot(file) == before


def test_it_refuses_a_household_above_twice_the_standard_unless_an_accident_is_recorded(hs) -> None:
    file = hs.draft(wage="90000", medical_expense="0")
    e = refused(services.file_submit, actor=hs.users["unit_cadre"], file=file, code="not_eligible")
    assert e.message.startswith("按收入测算不符合建档条件：（家庭年度可支配收入 ¥90,000.00")
    assert snapshot(file)[0] == S.DRAFT
    services.file_update(
        actor=hs.users["unit_cadre"], file=file, data={"cause_main": "accident", "accident_event": "2026年1月工伤致截肢"},
        members=hs.household(file.holder, wage="90000"),
    )  # fmt: skip
    assert services.file_submit(actor=hs.users["unit_cadre"], file=file).category == "accident"


@pytest.mark.parametrize(
    ("data", "members", "field", "message"),
    [
        ({"medical_expense": "-5"}, None, "medical_expense", "医疗支出：金额不能为负数"),
        ({"medical_expense": "五千"}, None, "medical_expense", None),
        ({"cause_main": ""}, None, "cause_main", "请选择主要致困原因"),
        ({}, "dup", "members.3.id_number", "第3位家庭成员（张小明）的身份证号与第2位重复"),
        ({}, "bad_id", "members.2.id_number", "第2位家庭成员（李秀英）：身份证号校验位不正确，请核对后重新输入"),
        ({}, "neg_income", "members.1.wage", None),
        ({}, "no_holder", "members.1.relation", "第1位家庭成员（张建国）：“本人”应是户主本人，且只能有一位"),
        ({}, "disabled", "members.2.disability_grade", "第2位家庭成员（李秀英）：残疾成员须填写残疾类别和等级（1-4级）"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(hs, data, members, field, message) -> None:
    holder = make_person(hs.w.unit_a1, "张建国")
    household = hs.household(holder)
    spouse_id = household[1].id_number
    if members == "dup":
        household[2] = member("child", "张小明", spouse_id, work="student")
    elif members == "bad_id":
        household[1] = member("spouse", "李秀英", spouse_id[:-1] + ("0" if spouse_id[-1] != "0" else "1"))
    elif members == "neg_income":
        household[0] = member("self", "张建国", holder.id_number(), wage="-100")
    elif members == "no_holder":
        household[0] = member("spouse", "张建国", holder.id_number())
    elif members == "disabled":
        household[1] = member("spouse", "李秀英", spouse_id, health="disabled")
    files, rows, audits = HardshipFile.objects.count(), HouseholdMember.objects.count(), AuditEvent.objects.count()
    e = refused(hs.draft, holder, members=household, **data)
    assert e.field == field
    if message:
        assert e.message == message
    assert (HardshipFile.objects.count(), HouseholdMember.objects.count(), AuditEvent.objects.count()) == (files, rows, audits)


@pytest.mark.parametrize(
    ("step", "from_state"),
    [
        ("publicize_before_visit", S.PRELIM_OK),
        ("approve_before_publicize", S.REVIEWED),
        ("prelim_a_draft", S.DRAFT),
        ("visit_before_prelim", S.SUBMITTED),
        ("lift_in_review", S.VISITED),
    ],
)
def test_it_refuses_a_skipped_transition_and_writes_nothing(hs, step, from_state) -> None:
    file = hs.draft()
    u = hs.users
    with time_machine.travel(MARCH, tick=False):
        path = [
            (S.SUBMITTED, lambda: services.file_submit(actor=u["unit_cadre"], file=file)),
            (S.PRELIM_OK, lambda: services.file_prelim(actor=u["unit_cadre"], file=file)),
            (S.VISITED, lambda: visit(file, u["unit_cadre"], on=dt.date(2026, 3, 2))),
            (S.REVIEWED, lambda: services.file_review(actor=u["cadre"], file=file)),
        ]
        for state, go in path:
            if file.status == from_state:
                break
            go()
            file.refresh_from_db()
            assert file.status == state
        before = snapshot(file)
        attempt = {
            "publicize_before_visit": lambda: services.file_publicize(
                actor=u["cadre"], file=file, notice_from=dt.date(2026, 3, 2), notice_to=dt.date(2026, 3, 8)
            ),
            "approve_before_publicize": lambda: services.file_approve(actor=u["cadre"], file=file),
            "prelim_a_draft": lambda: services.file_prelim(actor=u["unit_cadre"], file=file),
            "visit_before_prelim": lambda: visit(file, u["unit_cadre"], on=dt.date(2026, 3, 2)),
            "lift_in_review": lambda: services.file_lift(actor=u["cadre"], file=file, reason="收入提高"),
        }[step]
        e = refused(attempt, code="wrong_state")
        assert e.message.startswith(f"档案当前状态为“{S(from_state).label}”，不能")
        assert snapshot(file) == before


def test_it_leaves_review_publicity_and_approval_to_a_county_level_union(hs) -> None:
    file = hs.walk(hs.draft(), "visited")
    u = hs.users
    with time_machine.travel(MARCH, tick=False):
        before = snapshot(file)
        refused(services.file_review, actor=u["unit_cadre"], file=file, code="forbidden", message="复核须由县级及以上工会（帮扶中心）办理")
        assert snapshot(file) == before
        services.file_review(actor=u["cadre"], file=file)
        refused(
            services.file_publicize, actor=u["unit_cadre"], file=file, notice_from=dt.date(2026, 3, 2), notice_to=dt.date(2026, 3, 8),
            code="forbidden",
        )  # fmt: skip


def test_it_needs_both_signatures_at_the_home_visit(hs) -> None:
    file = hs.walk(hs.draft(), "prelim_ok")
    u = hs.users
    with time_machine.travel(MARCH, tick=False):
        before = snapshot(file)
        e = refused(visit, file, u["unit_cadre"], on=dt.date(2026, 3, 2), signed=False)
        assert e.field == "consent_signed"
        assert snapshot(file) == before and file.visits.count() == 0


def test_it_keeps_the_notice_period_before_approval(hs) -> None:
    file = hs.walk(hs.draft(), "reviewed")
    u = hs.users
    with time_machine.travel(MARCH, tick=False):
        e = refused(services.file_publicize, actor=u["cadre"], file=file, notice_from=dt.date(2026, 3, 2), notice_to=dt.date(2026, 3, 5))
        assert e.message == "公示期不少于5天"
        services.file_publicize(actor=u["cadre"], file=file, notice_from=dt.date(2026, 3, 2), notice_to=dt.date(2026, 3, 6))
        services.file_objection(actor=u["unit_cadre"], file=file, note="群众反映其家有营运车辆")
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC), tick=False):
        refused(services.file_approve, actor=u["cadre"], file=file, code="notice_open", message="公示期至2026年03月06日，期满后才能批准建档")
    with time_machine.travel(dt.datetime(2026, 3, 7, 9, tzinfo=dt.UTC), tick=False):
        services.file_return(actor=u["cadre"], file=file, reason="经核实有营运车辆，不符合条件")
    file.refresh_from_db()
    assert (file.status, HouseholdClaim.objects.filter(file=file).count()) == (S.RETURNED, 0)
    assert [(e.action, e.reason) for e in FileEvent.objects.filter(file=file, action__in=["objection", "return"])] == [
        ("objection", "群众反映其家有营运车辆"),
        ("return", "经核实有营运车辆，不符合条件"),
    ]


def test_a_returned_file_is_edited_and_resubmitted(hs) -> None:
    file = hs.draft()
    u = hs.users
    services.file_submit(actor=u["unit_cadre"], file=file)
    refused(services.file_return, actor=u["unit_cadre"], file=file, reason="  ", message="请填写退回原因")
    services.file_return(actor=u["unit_cadre"], file=file, reason="缺少收入证明")
    services.file_update(
        actor=u["unit_cadre"], file=file, data={"cause_main": "illness", "medical_expense": "8000"}, members=hs.household(file.holder)
    )
    services.file_submit(actor=u["unit_cadre"], file=file)
    file.refresh_from_db()
    assert (file.status, file.medical_expense_fen, HouseholdClaim.objects.filter(file=file).count()) == (S.SUBMITTED, 800_000, 3)


def test_on_record_files_adjust_lift_relapse_and_cancel(hs) -> None:
    file = hs.on_file()
    u = hs.users
    # on-record files are not edited in place: changes go through 调整
    refused(
        services.file_update, actor=u["unit_cadre"], file=file, data={"cause_main": "illness"}, members=hs.household(file.holder), code="wrong_state"
    )
    services.file_adjust(actor=u["cadre"], file=file, level="county", reason="年度复核调整建档标准")
    ev = FileEvent.objects.get(file=file, action="adjust")
    assert (ev.from_status, ev.to_status, ev.data) == (
        "active",
        "active",
        {"from_category": "deep", "to_category": "deep", "from_level": "grassroots", "to_level": "county"},
    )
    services.file_lift(actor=u["cadre"], file=file, reason="妻子再就业，收入稳定")
    # 返困: the lifted file is re-opened into review; it still holds its household's numbers
    services.file_submit(actor=u["unit_cadre"], file=file)
    file.refresh_from_db()
    assert (file.status, FileEvent.objects.filter(file=file).last().action, HouseholdClaim.objects.filter(file=file).count()) == (
        S.SUBMITTED,
        "relapse",
        3,
    )
    refused(services.file_cancel, actor=u["cadre"], file=file, reason_code="death", code="wrong_state")


def test_cancelling_needs_a_reason_code_and_releases_the_household(hs) -> None:
    file = hs.on_file()
    u = hs.users
    services.contact_assign(actor=u["cadre"], file=file, cadre=u["unit_cadre"])
    refused(services.file_cancel, actor=u["cadre"], file=file, reason_code="", message="请选择注销原因")
    refused(services.file_cancel, actor=u["cadre"], file=file, reason_code="other", message="请填写注销说明")
    services.file_cancel(actor=u["cadre"], file=file, reason_code="retired")
    file.refresh_from_db()
    assert (file.status, file.cancel_reason, HouseholdClaim.objects.filter(file=file).count(), file.contacts.filter(ended_at__isnull=True).count()) == (
        S.CANCELLED, "retired", 0, 0,
    )  # fmt: skip
    # the same household may now be filed again
    again = hs.draft(
        file.holder,
        members=hs.household(
            file.holder, spouse=file.members.get(relation="spouse").id_number(), child=file.members.get(relation="child").id_number()
        ),
    )
    assert services.file_submit(actor=u["unit_cadre"], file=again).status == S.SUBMITTED


def test_a_temporary_file_is_converted_or_cancelled(hs) -> None:
    temp = hs.on_file(kind="temporary")
    assert temp.status == S.TEMP_ACTIVE
    refused(services.file_convert, actor=hs.users["unit_cadre"], file=temp, code="forbidden")
    services.file_convert(actor=hs.users["cadre"], file=temp)
    temp.refresh_from_db()
    assert (temp.status, temp.kind) == (S.ACTIVE, "formal")
    other = hs.on_file(kind="temporary")
    services.file_cancel(actor=hs.users["cadre"], file=other, reason_code="mismatch")
    other.refresh_from_db()
    assert (other.status, other.cancel_reason) == (S.CANCELLED, "mismatch")


def test_the_annual_review_happens_once_a_year_and_applies_its_outcome(hs) -> None:
    file = hs.on_file()
    u = hs.users
    services.annual_review(actor=u["cadre"], file=file, year=2026, outcome="keep", note="情况无变化")
    before = snapshot(file)
    refused(services.annual_review, actor=u["cadre"], file=file, year=2026, outcome="lift", code="duplicate", message="2026年度已复核")
    assert snapshot(file) == before
    other = hs.on_file()
    services.annual_review(actor=u["cadre"], file=other, year=2026, outcome="lift", note="子女就业")
    other.refresh_from_db()
    assert (other.status, other.reviews.get().outcome) == (S.LIFTED, "lift")
    third = hs.on_file()
    refused(services.annual_review, actor=u["cadre"], file=third, year=2026, outcome="cancel", message="请选择注销原因")
    assert third.reviews.count() == 0


def test_the_contact_is_a_named_cadre_covering_the_file_with_history(hs) -> None:
    file = hs.on_file()
    u = hs.users
    refused(
        services.contact_assign,
        actor=u["cadre"],
        file=file,
        cadre=u["other_cadre"],
        message="孙干事不是合肥甲公司工会或其上级工会的干部，不能担任帮扶联系人",
    )
    refused(services.contact_assign, actor=u["cadre"], file=file, cadre=u["viewer"], message="帮扶联系人须实名登记：请先为账号viewer填写姓名")
    services.contact_assign(actor=u["cadre"], file=file, cadre=u["unit_cadre"])
    services.contact_assign(actor=u["cadre"], file=file, cadre=u["cadre"])
    rows = list(file.contacts.order_by("id").values_list("cadre__display_name", "ended_at"))
    rows = [(name, ended is None) for name, ended in rows]
    assert rows == [("赵干事", False), ("钱主任", True)]


def test_a_visit_records_the_three_clears(hs) -> None:
    file = hs.on_file()
    u = hs.users
    e = refused(
        services.visit_record, actor=u["unit_cadre"], file=file, visited_on=dt.date(2026, 4, 1), channel="phone", cause_note="病", needs_note="",
        measures_note="x",
    )  # fmt: skip
    assert (e.field, e.message) == ("needs_note", "请填写帮扶需求（“三清”）")
    v = services.visit_record(
        actor=u["unit_cadre"], file=file, visited_on=dt.date(2026, 4, 1), channel="phone", cause_note="尿毒症透析", needs_note="医疗费",
        measures_note="医疗救助",
    )  # fmt: skip
    assert (v.channel, v.visitor_id, file.visits.count()) == ("phone", u["unit_cadre"].pk, 2)


def test_a_file_follows_its_union_through_a_subtree_move_while_its_events_keep_the_moment(hs) -> None:
    from gonghui.hardship import queries
    from gonghui.orgs import services as org_services

    file = hs.on_file()
    old_path = hs.w.unit_a1.path
    org_services.org_move(actor=None, org=hs.w.unit_a1, new_parent=hs.w.city_a2, reason="企业隶属关系调整")
    file.refresh_from_db()
    hs.w.unit_a1.refresh_from_db()
    assert file.org_path == hs.w.unit_a1.path != old_path
    assert set(FileEvent.objects.filter(file=file).values_list("org_path_at", flat=True)) == {old_path}
    assert list(queries.files_of(hs.users["cadre"], hs.w.city_a1)) == []
    wuhu = make_user("wuhu_cadre", "cadre", org=hs.w.city_a2)
    assert list(queries.files_of(wuhu, hs.w.city_a2)) == [file]


def test_safety_net_then_lift_and_the_refusals_around_it(hs) -> None:
    file = hs.on_file()
    u = hs.users
    refused(services.file_safety_net, actor=u["cadre"], file=file, reason="", message="请填写兜底说明")
    services.file_safety_net(actor=u["cadre"], file=file, reason="重度残疾，纳入政府兜底并常态帮扶")
    file.refresh_from_db()
    assert file.status == S.SAFETY_NET
    before = snapshot(file)
    refused(services.file_safety_net, actor=u["cadre"], file=file, reason="再次", code="wrong_state")
    refused(services.file_objection, actor=u["cadre"], file=file, note="异议", message="只有公示中的档案可以登记异议")
    assert snapshot(file) == before
    services.file_lift(actor=u["cadre"], file=file, reason="子女就业")
    file.refresh_from_db()
    assert [e.action for e in FileEvent.objects.filter(file=file)][-2:] == ["safety_net", "lift"]


def test_only_a_center_approves_after_the_notice(hs) -> None:
    file = hs.walk(hs.draft(), "publicized")
    u = hs.users
    with time_machine.travel(MARCH, tick=False):
        refused(services.file_return, actor=u["unit_cadre"], file=file, reason="撤回", message="退回须由县级及以上工会（帮扶中心）办理")
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        before = snapshot(file)
        refused(services.file_approve, actor=u["unit_cadre"], file=file, code="forbidden", message="批准建档须由县级及以上工会（帮扶中心）办理")
        assert snapshot(file) == before
        services.file_approve(actor=u["org_admin"], file=file)
    file.refresh_from_db()
    assert (file.status, file.filed_on) == (S.ACTIVE, dt.date(2026, 3, 9))


def test_its_refusals_are_in_english_when_the_user_chose_english(hs) -> None:
    file = hs.draft()
    u = hs.users
    with translation.override("en"):
        wrong_state = refused(services.file_prelim, actor=u["unit_cadre"], file=file, code="wrong_state")
        services.file_submit(actor=u["unit_cadre"], file=file)
        no_reason = refused(services.file_return, actor=u["unit_cadre"], file=file, reason="  ")
        no_code = refused(services.file_cancel, actor=u["cadre"], file=file, reason_code="")
    assert wrong_state.message == "The file is “Draft”: the first check cannot be done"
    assert no_reason.message == "Please fill in “Reason for return”"
    assert no_code.message == "Choose a reason for cancellation"
