from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from gonghui.alliances import queries, services
from gonghui.alliances.models import AllianceMember, CouncilSeat, RotationPlan
from gonghui.lib.errors import ServiceError
from gonghui.orgs import services as org_services
from tests.factories import L, make_org, make_person


def test_it_shows_member_unions_with_subtree_member_counts(world) -> None:
    w = world
    make_person(w.unit_a1, "甲")
    make_person(make_org(w.unit_a1, "甲公司车间分会", L.GRASSROOTS), "乙")
    rows = queries.current_members(w.alliance)
    assert [(r["org"].name, r["members"], r["member"].is_founder) for r in rows] == [("合肥甲公司工会", 3, True), ("芜湖乙公司工会", 1, False)]
    assert queries.figures(w.alliance) == {"unions": 2, "members": 4}


def test_the_charter_is_data_and_its_form_is_counted(world) -> None:
    a = services.alliance_set_charter(
        actor=None,
        alliance=world.alliance,
        purpose=" 服务职工 ",
        mechanisms="轮值\n联席会议\n\n资源共享",
        platforms=["讲堂", "阅览室", "健身室", "工作站"],
        brands=["一", "二", "三", "四", "五"],
    )
    a.refresh_from_db()
    assert (a.purpose, a.mechanisms, a.charter_form) == ("服务职工", ["轮值", "联席会议", "资源共享"], "1+345")


def test_a_union_joins_once_and_may_rejoin_after_leaving(world) -> None:
    w = world
    with pytest.raises(ServiceError) as e:
        services.alliance_member_join(actor=None, alliance=w.alliance, org=w.unit_a1, joined_on=dt.date(2021, 1, 1))
    assert (e.value.field, e.value.message) == ("org", "该工会已是联盟成员")
    m = AllianceMember.objects.get(alliance=w.alliance, org=w.unit_a1)
    with pytest.raises(ServiceError, match="退出日期不能早于加入日期"):
        services.alliance_member_leave(actor=None, member=m, left_on=dt.date(2019, 1, 1))
    services.alliance_member_leave(actor=None, member=m, left_on=dt.date(2022, 1, 1))
    assert queries.figures(w.alliance)["unions"] == 1
    services.alliance_member_join(actor=None, alliance=w.alliance, org=w.unit_a1, joined_on=dt.date(2023, 1, 1))
    assert AllianceMember.objects.filter(alliance=w.alliance, org=w.unit_a1).count() == 2


def test_its_refusals_are_in_english_when_the_user_chose_english(world) -> None:
    w = world
    m = AllianceMember.objects.get(alliance=w.alliance, org=w.unit_a1)
    with translation.override("en"):
        with pytest.raises(ServiceError) as twice:
            services.alliance_member_join(actor=None, alliance=w.alliance, org=w.unit_a1, joined_on=dt.date(2021, 1, 1))
        with pytest.raises(ServiceError) as early:
            services.alliance_member_leave(actor=None, member=m, left_on=dt.date(2019, 1, 1))
        with pytest.raises(ServiceError) as periods:
            services.rotation_generate(
                actor=None, alliance=w.alliance, start=dt.date(2026, 1, 1), periods=99, period_kind=RotationPlan.PeriodKind.MONTH
            )
    assert twice.value.message == "This union is already a member of the alliance"
    assert early.value.message == "The date left cannot be before the date joined"
    assert periods.value.message == f"The number of rounds must be between 1 and {services.MAX_PERIODS}"


def test_a_closed_union_cannot_join_and_dates_must_follow_founding(world) -> None:
    w = world
    closed = make_org(w.city_a1, "已撤销工会", L.GRASSROOTS)
    org_services.org_close(actor=None, org=closed, on=dt.date(2025, 1, 1), reason="单位注销")
    closed.refresh_from_db()
    with pytest.raises(ServiceError, match="已撤销"):
        services.alliance_member_join(actor=None, alliance=w.alliance, org=closed, joined_on=dt.date(2025, 2, 1))
    with pytest.raises(ServiceError, match="不能早于联盟成立日期"):
        services.alliance_member_join(actor=None, alliance=w.alliance, org=w.city_a2, joined_on=dt.date(2019, 12, 31))


def test_council_seats_list_by_rank_and_require_a_current_member_union(world) -> None:
    w = world
    p = w.people["own"]
    for role in ("councillor", "audit_head", "chair", "women_head", "vice_chair", "secretary_general"):
        services.council_seat_add(actor=None, alliance=w.alliance, person=p, role=role, term_start=dt.date(2020, 1, 1), member_org=w.unit_a1)
    assert [s.get_role_display() for s in queries.seats(w.alliance)] == ["主席", "副主席", "秘书长", "经审委主任", "女工委主任", "理事"]
    with pytest.raises(ServiceError, match="不是联盟的现有成员"):
        services.council_seat_add(actor=None, alliance=w.alliance, person=p, role="chair", term_start=dt.date(2020, 1, 1), member_org=w.unit_b)
    with pytest.raises(ServiceError, match="任期结束不能早于任期开始"):
        services.council_seat_add(
            actor=None, alliance=w.alliance, person=p, role="chair", term_start=dt.date(2020, 1, 1), term_end=dt.date(2019, 1, 1)
        )
    assert CouncilSeat.objects.count() == 6


def test_a_coordinator_sees_its_alliance_and_aggregates_but_no_roll(world, as_user) -> None:
    c = as_user("coord")
    page = c.get(f"/alliances/{world.alliance.pk}/").content.decode()
    assert "合肥甲公司工会" in page and 'data-testid="member-unions">2<' in page
    assert world.people["own"].name not in page  # no personal data of member unions
    assert c.get(f"/orgs/{world.unit_a1.pk}/roll/").status_code == 404
