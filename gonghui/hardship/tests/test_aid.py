from __future__ import annotations

import pytest

from gonghui.hardship import services
from gonghui.lib.errors import ServiceError
from gonghui.money import services as money
from gonghui.money.models import Application, Envelope, Programme


@pytest.fixture
def envelopes(hs) -> dict[str, Envelope]:
    out = {}
    for code in ("living", "medical"):
        env = money.envelope_create(actor=hs.users["org_admin"], programme=Programme.objects.get(code=code), org=hs.w.city_a1, year=2026)
        money.envelope_fund(actor=hs.users["org_admin"], envelope=env, amount=10_000_000)
        out[code] = env
    return out


def refused(**kw) -> ServiceError:  # type: ignore[no-untyped-def]
    before = Application.objects.count()
    with pytest.raises(ServiceError) as e:
        services.aid_apply(**kw)
    assert Application.objects.count() == before
    return e.value


def test_living_aid_is_capped_at_ten_months_of_dibao_for_a_deep_household(hs, envelopes) -> None:
    file = hs.on_file()
    e = refused(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["living"], amount=800_001)
    assert (e.code, e.message) == ("over_cap", "金额¥8,000.01超过生活救助的上限¥8,000.00（10个月低保（¥800.00/月））")
    app = services.aid_apply(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["living"], amount=800_000)
    assert (app.subject_kind, app.subject_id, app.amount, app.status, app.basis) == (
        "hardship.file", file.pk, 800_000, "pending", {"category": "deep", "dibao_monthly_fen": 80_000},
    )  # fmt: skip


def test_a_relative_household_gets_one_kind_of_aid_and_earlier_aid_counts_as_income(hs, envelopes) -> None:
    # (63,000 − 6,000) ÷ 12 ÷ 3 = 1,583.33 ≤ 1,600: 相对困难, just
    file = hs.on_file(wage="63000")
    assert file.category == "relative"
    app = services.aid_apply(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["living"], amount=640_000)
    money.application_approve(actor=hs.users["org_admin"], application=app)
    e = refused(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["medical"], amount=100_000, self_paid="5000")
    assert (e.code, e.message) == ("one_kind", "相对困难家庭每年只能享受一类救助，该户2026年已申请生活救助")
    # with the ¥6,400 counted as income the household is above twice the 低保
    e = refused(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["living"], amount=10_000)
    assert (e.code, e.message) == ("not_eligible", "计入本年已获帮扶¥6,400.00后，该户已不符合困难条件，请先复核档案")


def test_aid_needs_a_file_on_record(hs, envelopes) -> None:
    file = hs.draft()
    e = refused(actor=hs.users["unit_cadre"], file=file, envelope=envelopes["living"], amount=10_000)
    assert (e.code, e.message) == ("wrong_state", "档案当前状态为“草稿”，不能申请帮扶资金")
