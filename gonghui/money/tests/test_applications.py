from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.money import queries, services
from gonghui.money.models import Application, ApprovalStep, Envelope, LedgerEntry, LedgerTransaction, Programme, SubjectTotal


def snapshot() -> tuple[int, ...]:
    return (
        Application.objects.count(),
        ApprovalStep.objects.filter(decision="pending").count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        sum(SubjectTotal.objects.values_list("total", flat=True)),
        *Envelope.objects.order_by("pk").values_list("remaining", flat=True),
    )


def chain(app: Application) -> list[tuple[str, str]]:
    return list(app.steps.order_by("seq").values_list("org__name", "level"))


def test_it_routes_a_small_application_to_the_envelopes_own_union(money) -> None:
    app = money.submit(1_500_000)
    assert (app.status, app.cumulative, chain(app)) == ("pending", 1_500_000, [("合肥市总工会", "prefecture")])
    services.application_approve(actor=money.users["org_admin"], application=app)
    money.envelope.refresh_from_db()
    assert (app.status, money.envelope.committed, money.envelope.remaining) == ("approved", 1_500_000, 8_500_000)


def test_splitting_cannot_dodge_the_threshold_15000_plus_10000_needs_the_province(money) -> None:
    first = money.submit(1_500_000, subject_id=7)
    services.application_approve(actor=money.users["org_admin"], application=first)
    second = money.submit(1_000_000, subject_id=7)
    assert second.cumulative == 2_500_000
    assert chain(second) == [("合肥市总工会", "prefecture"), ("安徽省总工会", "province")]
    services.application_approve(actor=money.users["org_admin"], application=second)
    assert second.status == "pending"  # the province has not decided yet
    services.application_approve(actor=money.users["prov_admin"], application=second)
    assert second.status == "approved"
    # Another subject, another programme or year starts from zero.
    assert chain(money.submit(1_000_000, subject_id=8)) == [("合肥市总工会", "prefecture")]


def test_pending_applications_count_toward_the_cumulative_amount_too(money) -> None:
    money.submit(1_500_000, subject_id=3)
    assert len(chain(money.submit(600_000, subject_id=3))) == 2


def test_above_50000_the_national_federation_joins_the_chain(money) -> None:
    app = money.submit(5_000_001)
    assert [lvl for _, lvl in chain(app)] == ["prefecture", "province", "national"]
    for who in ("org_admin", "prov_admin", "nat_admin"):
        services.application_approve(actor=money.users[who], application=app)
    assert app.status == "approved"


def test_exactly_the_threshold_stays_local(money) -> None:
    assert len(chain(money.submit(2_000_000))) == 1


@override_settings(MONEY_APPROVAL_THRESHOLDS=[("province", 100_000)])
def test_thresholds_are_configurable_per_deployment(money) -> None:
    assert [lvl for _, lvl in chain(money.submit(100_001))] == ["prefecture", "province"]


def test_an_envelope_held_by_the_province_is_not_asked_twice(money) -> None:
    env = services.envelope_create(actor=money.users["prov_admin"], programme=money.programme, org=money.w.prov_a, year=2026)
    services.envelope_fund(actor=money.users["prov_admin"], envelope=env, amount=5_000_000)
    app = money.submit(3_000_000, envelope=env)
    assert chain(app) == [("安徽省总工会", "province")]


def test_the_maker_can_never_approve_and_the_refusal_is_audited(money) -> None:
    app = money.submit(100_000, actor="org_admin")  # an admin may enter applications too
    before = snapshot()
    with pytest.raises(ServiceError, match="录入人不能审批") as e:
        services.application_approve(actor=money.users["org_admin"], application=app)
    assert (e.value.field, e.value.code) == ("approver", "forbidden")
    assert snapshot() == before
    ev = AuditEvent.objects.get(action="money.maker_checker_refused")
    assert (ev.actor_id, ev.target_id, ev.success) == (money.users["org_admin"].pk, app.pk, False)
    with pytest.raises(ServiceError, match="录入人不能审批"):
        services.application_reject(actor=money.users["org_admin"], application=app, reason="不符合")


@pytest.mark.parametrize("who", ["cadre", "viewer", "other_admin", "worker", "coord", "prov_admin"])
def test_only_a_manager_of_the_steps_union_may_approve_it(money, who) -> None:
    app = money.submit(1_000_000, actor="fed_admin") if who != "prov_admin" else money.submit(2_500_000)
    if who == "prov_admin":
        # step 1 decided by the city; the city admin may not decide the province's step
        services.application_approve(actor=money.users["org_admin"], application=app)
        who = "fed_admin"  # fed_admin's grant is at the city: not enough for the province step
    before = snapshot()
    with pytest.raises(ServiceError, match="管理员审批") as e:
        services.application_approve(actor=money.users[who], application=app)
    assert e.value.code == "forbidden"
    assert snapshot() == before


def test_one_person_decides_one_step_only(money) -> None:
    app = money.submit(2_500_000)
    services.application_approve(actor=money.users["nat_admin"], application=app)  # nat admin manages the city too
    with pytest.raises(ServiceError, match="不同的人"):
        services.application_approve(actor=money.users["nat_admin"], application=app)
    services.application_approve(actor=money.users["prov_admin"], application=app)
    assert app.status == "approved"


def test_entering_needs_operate_in_scope(money) -> None:
    before = snapshot()
    for who, org in (("viewer", money.w.unit_a1), ("cadre", money.w.unit_a2), ("worker", money.w.unit_a1)):
        with pytest.raises(ServiceError, match="无权") as e:
            money.submit(100, actor=who, org=org)
        assert e.value.code == "forbidden"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"amount": 0}, "amount", "大于零"),
        ({"amount": 100.0}, "amount", "整数"),
        ({"subject_kind": "张三"}, "subject_kind", "对象类型"),
        ({"subject_id": -1}, "subject_id", "对象编号"),
        ({"basis": {"name": "张三"}}, "basis", "依据只能包含"),
        ({"basis": {"dibao_monthly_fen": 1.5}}, "basis.dibao_monthly_fen", "非负整数"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(money, kwargs, field, message) -> None:
    before = snapshot()
    args = {
        "actor": money.users["cadre"],
        "org": money.w.unit_a1,
        "envelope": money.envelope,
        "subject_kind": "hardship.file",
        "subject_id": 1,
        "amount": 100,
    }
    with pytest.raises(ServiceError, match=message) as e:
        services.application_submit(**(args | kwargs))
    assert e.value.field == field
    assert snapshot() == before


def test_an_envelope_of_a_sibling_union_cannot_pay(money) -> None:
    env = services.envelope_create(actor=money.users["fed_admin"], programme=money.programme, org=money.w.unit_a1, year=2026)
    with pytest.raises(ServiceError, match="不属于本工会") as e:
        money.submit(100, envelope=env, org=money.w.city_a1)
    assert e.value.field == "envelope"


def test_a_payment_above_the_programme_cap_is_refused_with_the_arithmetic(money) -> None:
    living = Programme.objects.get(code="living")
    env = services.envelope_create(actor=money.users["org_admin"], programme=living, org=money.w.city_a1, year=2026)
    services.envelope_fund(actor=money.users["org_admin"], envelope=env, amount=10_000_000)
    basis = {"category": "relative", "dibao_monthly_fen": 70_000}  # 8 months × ¥700 = ¥5,600
    with pytest.raises(ServiceError, match=r"金额¥5,600.01超过生活救助的上限¥5,600.00（8个月低保（¥700.00/月））") as e:
        money.submit(560_001, envelope=env, basis=basis)
    assert e.value.field == "amount"
    assert money.submit(560_000, envelope=env, basis=basis).status == "pending"
    with pytest.raises(ServiceError, match="请填写当地低保月标准"):
        money.submit(100, envelope=env, basis={"category": "deep"})
    medical = Programme.objects.get(code="medical")
    env2 = services.envelope_create(actor=money.users["org_admin"], programme=medical, org=money.w.city_a1, year=2026)
    with pytest.raises(ServiceError, match=r"上限¥16,000.00（自付费用¥50,000.00的80%，最高¥16,000.00）"):
        money.submit(1_600_001, envelope=env2, basis={"category": "relative", "self_paid_fen": 5_000_000})


def test_its_refusals_are_in_english_when_the_user_chose_english(money) -> None:
    living = Programme.objects.get(code="living")
    env = services.envelope_create(actor=money.users["org_admin"], programme=living, org=money.w.city_a1, year=2026)
    services.envelope_fund(actor=money.users["org_admin"], envelope=env, amount=10_000_000)
    mine = money.submit(100_000, actor="org_admin")
    with translation.override("en"):
        with pytest.raises(ServiceError) as zero:
            money.submit(0)
        with pytest.raises(ServiceError) as maker:
            services.application_approve(actor=money.users["org_admin"], application=mine)
        with pytest.raises(ServiceError) as over_cap:
            money.submit(560_001, envelope=env, basis={"category": "relative", "dibao_monthly_fen": 70_000})
    assert zero.value.message == "The amount must be greater than zero"
    assert maker.value.message == "You cannot approve an application you entered (someone else must approve it)"
    assert over_cap.value.message == (
        f"The amount ¥5,600.01 exceeds the {living.name} cap of ¥5,600.00 (8 months of subsistence allowance (¥700.00/month))"
    )


def test_an_approval_the_envelope_cannot_afford_is_refused_and_nothing_is_written(money) -> None:
    big = money.submit(9_000_000, subject_id=1)
    for who in ("org_admin", "prov_admin", "nat_admin"):
        services.application_approve(actor=money.users[who], application=big)
    small = money.submit(1_000_001, subject_id=2)
    before = snapshot()
    with pytest.raises(ServiceError, match=r"预算余额不足：本次需要¥10,000.01") as e:
        services.application_approve(actor=money.users["org_admin"], application=small)
    assert (e.value.code, e.value.field) == ("overspent", "amount")
    assert snapshot() == before
    small.refresh_from_db()
    assert (small.status, small.steps.get().decision) == ("pending", "pending")


def test_reject_withdraw_and_reverse_free_the_cumulative_amount_and_the_budget(money) -> None:
    a = money.submit(1_500_000, subject_id=9)
    services.application_reject(actor=money.users["org_admin"], application=a, reason="材料不全")
    b = money.submit(1_500_000, subject_id=9)
    assert b.cumulative == 1_500_000
    services.application_withdraw(actor=money.users["cadre"], application=b)
    c = money.submit(1_500_000, subject_id=9)
    services.application_approve(actor=money.users["org_admin"], application=c)
    services.application_reverse(actor=money.users["fed_admin"], application=c, reason="重复申请")
    money.envelope.refresh_from_db()
    assert (c.status, money.envelope.committed, money.envelope.remaining) == ("reversed", 0, 10_000_000)
    assert queries.subject_cumulative(subject_kind="hardship.file", subject_id=9, programme_id=money.programme.pk, year=2026) == 0
    assert SubjectTotal.objects.get(subject_id=9).total == 0
    assert list(c.events.values_list("action", "to_status")) == [("submit", "pending"), ("approve", "approved"), ("reverse", "reversed")]
    with pytest.raises(ServiceError, match="不能撤销批准"):
        services.application_reverse(actor=money.users["fed_admin"], application=c, reason="再次")


def test_transitions_from_the_wrong_state_are_refused(money) -> None:
    app = money.submit(100)
    services.application_approve(actor=money.users["org_admin"], application=app)
    for call in (
        lambda: services.application_approve(actor=money.users["fed_admin"], application=app),
        lambda: services.application_reject(actor=money.users["fed_admin"], application=app, reason="x"),
        lambda: services.application_withdraw(actor=money.users["cadre"], application=app),
    ):
        with pytest.raises(ServiceError, match="已批准") as e:
            call()
        assert e.value.code == "wrong_state"


def test_the_ledger_route_of_an_approval_cannot_be_reversed_behind_the_applications_back(money) -> None:
    from gonghui.money import ledger

    app = money.submit(100)
    services.application_approve(actor=money.users["org_admin"], application=app)
    with pytest.raises(ServiceError, match="撤销审批办理"):
        ledger.transaction_reverse(actor=money.users["org_admin"], txn=app.approval_txn, reason="x")


def test_a_batch_pays_approved_applications_in_one_posting_checked_by_another_person(money) -> None:
    apps = [money.submit(100_000 * i, subject_id=i) for i in (1, 2, 3)]
    for a in apps:
        services.application_approve(actor=money.users["org_admin"], application=a)
    batch = services.batch_create(actor=money.users["fed_admin"], org=money.w.city_a1, applications=apps)
    with pytest.raises(ServiceError, match="不能确认自己编制"):
        services.batch_post(actor=money.users["fed_admin"], batch=batch)
    with pytest.raises(ServiceError, match="无权确认"):
        services.batch_post(actor=money.users["viewer"], batch=batch)
    batch = services.batch_post(actor=money.users["org_admin"], batch=batch)
    assert batch.status == "posted"
    assert sorted(batch.txn.entries.values_list("amount", "subject_id")) == [(-600_000, None), (100_000, 1), (200_000, 2), (300_000, 3)]
    assert set(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("status", flat=True)) == {"paid"}
    with pytest.raises(ServiceError, match="有未批准、已列入其他批次"):
        services.batch_create(actor=money.users["cadre"], org=money.w.city_a1, applications=apps[:1])
    with pytest.raises(ServiceError, match="已发放"):
        services.batch_post(actor=money.users["nat_admin"], batch=batch)
    assert queries.unbalanced_transactions() == []
    assert queries.envelope_differences() == []


def test_an_application_in_a_batch_cannot_be_reversed(money) -> None:
    app = money.submit(100)
    services.application_approve(actor=money.users["org_admin"], application=app)
    services.batch_create(actor=money.users["cadre"], org=money.w.city_a1, applications=[app])
    with pytest.raises(ServiceError, match="已列入发放批次"):
        services.application_reverse(actor=money.users["org_admin"], application=app, reason="x")
