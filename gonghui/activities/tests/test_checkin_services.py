"""checkin_record / walkin_record / the signed codes: idempotence, refusals, moment facts."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from gonghui.activities import checkin, codes
from gonghui.activities.models import Activity, ActivityAudience, ActivityType, CheckIn, Registration, Session, WalkIn
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.orgs import services as org_services
from gonghui.people import services as people_services
from gonghui.people.models import Membership, Person
from tests.factories import L, make_org, make_person

T0 = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def make_session(
    organizer: Any, *, status: str = "ongoing", audience: list[Any] | None = None, capacity: int | None = None, title: str = "职工技能大赛"
) -> Session:
    """An activity with one session, written straight to the tables (the lifecycle services live
    in another branch; at merge these become activities.services calls)."""
    now = timezone.now()
    activity = Activity.objects.create(
        title=title,
        activity_type=ActivityType.objects.get(code="skills"),
        organizer=organizer,
        organizer_path=organizer.path,
        venue="职工之家",
        status=status,
        created_at=now,
        updated_at=now,
    )
    for org in audience if audience is not None else [organizer]:
        ActivityAudience.objects.create(activity=activity, org=org, org_path=org.path)
    return Session.objects.create(
        activity=activity,
        title="第一场",
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
        place="职工之家二楼",
        capacity=capacity,
        checkin_key=secrets.token_hex(16),
        created_at=now,
    )


def register(session: Session, person: Any) -> Registration:
    return Registration.objects.create(session=session, person=person, status="registered", created_at=timezone.now())


def ours() -> Any:
    return AuditEvent.objects.filter(action__startswith="activities.")


def counts() -> tuple[int, int, int]:
    return CheckIn.objects.count(), WalkIn.objects.count(), ours().count()


@pytest.fixture
def session(world: Any) -> Session:
    return make_session(world.city_a1)


# ---------------------------------------------------------------------------- idempotence


def test_it_records_one_checkin_with_the_moment_facts(world, session) -> None:
    cadre, person = world.users["cadre"], world.people["own"]
    with time_machine.travel(T0, tick=False):
        ci, created = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    assert created is True
    assert (ci.session_id, ci.activity_id, ci.person_id) == (session.pk, session.activity_id, person.pk)
    assert (ci.person_org_id, ci.person_org_path) == (world.unit_a1.pk, world.unit_a1.path)
    assert (ci.organizer_id, ci.organizer_path) == (world.city_a1.pk, world.city_a1.path)
    assert ci.activity_type_id == session.activity.activity_type_id
    assert (ci.checked_at, ci.method, ci.nonce, ci.recorded_by_id) == (T0, "scanner", "n-1", cadre.pk)
    ev = ours().get()
    assert (ev.action, ev.target_id, ev.org_id, ev.data) == (
        "activities.checkin",
        ci.pk,
        world.city_a1.pk,
        {"session": session.pk, "method": "scanner"},
    )


def test_it_returns_the_same_record_for_a_retry_with_the_same_nonce(world, session) -> None:
    cadre, person = world.users["cadre"], world.people["own"]
    first, c1 = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    again, c2 = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    assert (c1, c2, again.pk) == (True, False, first.pk)
    assert counts() == (1, 0, 1)


def test_it_returns_the_existing_record_for_a_second_scan_with_another_nonce(world, session) -> None:
    cadre, person = world.users["cadre"], world.people["own"]
    first, _ = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    again, created = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-2")
    third, created3 = checkin.checkin_record(actor=cadre, session=session, person=person, method="manual")
    assert (created, created3, again.pk, third.pk) == (False, False, first.pk, first.pk)
    assert counts() == (1, 0, 1)
    assert CheckIn.objects.get().nonce == "n-1"


def test_it_answers_a_repeat_even_after_the_session_filled_or_closed(world) -> None:
    session = make_session(world.city_a1, capacity=1)
    cadre, person = world.users["cadre"], world.people["own"]
    first, _ = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    Activity.objects.filter(pk=session.activity_id).update(status="finished")
    again, created = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-9")
    assert (again.pk, created) == (first.pk, False)


def test_it_refuses_a_nonce_used_for_another_person(world, session) -> None:
    cadre = world.users["cadre"]
    checkin.checkin_record(actor=cadre, session=session, person=world.people["own"], method="scanner", nonce="n-1")
    other = make_person(world.unit_a1, "李四")
    with pytest.raises(ServiceError) as e:
        checkin.checkin_record(actor=cadre, session=session, person=other, method="scanner", nonce="n-1")
    assert (e.value.message, e.value.field) == ("扫码编号重复，请重新扫码", "nonce")
    assert counts() == (1, 0, 1)


def test_it_answers_a_lost_race_on_the_unique_constraint_as_a_repeat(world, session, monkeypatch) -> None:
    """The pre-check misses a row a concurrent request inserts: the savepoint catches the
    IntegrityError and the caller gets that row, not an error or a second row."""
    cadre, person = world.users["cadre"], world.people["own"]
    winner, _ = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-1")
    real = checkin._existing
    calls = []

    def blind_first(**kw: Any) -> Any:
        calls.append(kw)
        return None if len(calls) == 1 else real(**kw)

    monkeypatch.setattr(checkin, "_existing", blind_first)
    again, created = checkin.checkin_record(actor=cadre, session=session, person=person, method="scanner", nonce="n-2")
    assert (again.pk, created, len(calls)) == (winner.pk, False, 2)
    assert counts() == (1, 0, 1)


def test_it_names_the_session_when_the_session_is_gone_and_the_code_when_the_person_is(world, session) -> None:
    gone = Session(pk=987654321, activity_id=session.activity_id)
    with pytest.raises(ServiceError) as e:
        checkin.checkin_record(actor=None, session=gone, person=world.people["own"], method="manual")
    assert (e.value.message, e.value.field) == ("该场次不存在", "session")
    with pytest.raises(ServiceError) as e:
        checkin.checkin_scan_member(actor=None, session=session, code=codes.member_code(Person(pk=987654321)))
    assert (e.value.message, e.value.field) == ("会员码对应的职工档案不存在", "code")
    assert counts() == (0, 0, 0)


def test_it_writes_no_audit_row_for_a_workers_own_poster_checkin(world, session) -> None:
    worker = world.users["worker"]
    ci, created = checkin.checkin_self(actor=worker, session=session, token=codes.poster_token(session))
    assert (created, ci.method, ci.recorded_by_id, ci.nonce) == (True, "poster", worker.pk, None)
    assert ci.person_id == world.people["own"].pk
    again, created2 = checkin.checkin_self(actor=worker, session=session, token=codes.poster_token(session))
    assert (again.pk, created2) == (ci.pk, False)
    assert counts() == (1, 0, 0)


def test_it_does_not_need_a_registration(world, session) -> None:
    register(session, world.people["own"])
    other = make_person(world.unit_a1, "未报名")
    _, c1 = checkin.checkin_record(actor=None, session=session, person=world.people["own"], method="manual")
    _, c2 = checkin.checkin_record(actor=None, session=session, person=other, method="manual")
    assert (c1, c2, CheckIn.objects.filter(session=session).count()) == (True, True, 2)


# ---------------------------------------------------------------------------- refusals


def refused(session: Session, person: Any, message: str, field: str = "session") -> None:
    before = counts()
    with pytest.raises(ServiceError) as e:
        checkin.checkin_record(actor=None, session=session, person=person, method="scanner", nonce="n-x")
    assert (e.value.message, e.value.field) == (message, field)
    assert counts() == before


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("cancelled", "活动已取消，不能签到"),
        ("finished", "活动已结束，不能签到"),
        ("draft", "活动尚未开放签到（报名中或进行中的活动才能签到）"),
        ("published", "活动尚未开放签到（报名中或进行中的活动才能签到）"),
    ],
)
def test_it_refuses_an_activity_not_open_for_checkin(world, status, message) -> None:
    refused(make_session(world.city_a1, status=status), world.people["own"], message)


@pytest.mark.parametrize("status", ["registering", "ongoing"])
def test_it_accepts_registering_and_ongoing_activities(world, status) -> None:
    _, created = checkin.checkin_record(actor=None, session=make_session(world.city_a1, status=status), person=world.people["own"], method="manual")
    assert created is True


def test_it_refuses_a_cancelled_session(world, session) -> None:
    Session.objects.filter(pk=session.pk).update(is_cancelled=True)
    refused(session, world.people["own"], "该场次已取消，不能签到")


def test_it_refuses_when_checkins_reach_the_capacity(world) -> None:
    session = make_session(world.city_a1, capacity=2)
    for name in ("甲", "乙"):
        checkin.checkin_record(actor=None, session=session, person=make_person(world.unit_a1, name), method="manual")
    checkin.walkin_record(actor=None, session=session, count=5)  # head counts do not take seats
    refused(session, world.people["own"], "本场次签到人数已满（名额 2 人）")
    assert CheckIn.objects.filter(session=session).count() == 2


def test_it_refuses_a_person_outside_the_audience(world) -> None:
    session = make_session(world.city_a1, audience=[world.unit_a1])
    refused(session, make_person(world.city_a1, "市总机关"), "该职工不在本活动的面向范围内，不能签到", "person")
    refused(session, world.people["sibling"], "该职工不在本活动的面向范围内，不能签到", "person")
    _, created = checkin.checkin_record(actor=None, session=session, person=world.people["own"], method="manual")
    assert created is True


def test_it_opens_an_activity_without_audience_rows_to_the_organizers_subtree(world) -> None:
    session = make_session(world.city_a1, audience=[])
    refused(session, world.people["sibling"], "该职工不在本活动的面向范围内，不能签到", "person")
    assert checkin.checkin_record(actor=None, session=session, person=world.people["own"], method="manual")[1] is True


def test_it_uses_the_open_membership_over_the_person_record(world, session) -> None:
    person = world.people["own"]
    Membership.objects.filter(person=person).update(org=world.city_a1, org_path=world.city_a1.path)
    ci, _ = checkin.checkin_record(actor=None, session=session, person=person, method="manual")
    assert (ci.person_org_id, ci.person_org_path) == (world.city_a1.pk, world.city_a1.path)


def test_it_falls_back_to_the_person_record_without_an_open_membership(world, session) -> None:
    person = world.people["own"]
    m = Membership.objects.get(person=person)
    people_services.membership_transition(actor=None, membership=m, to_status="withdrawn", reason="离职")
    person.refresh_from_db()
    ci, _ = checkin.checkin_record(actor=None, session=session, person=person, method="manual")
    assert (ci.person_org_id, ci.person_org_path) == (person.org_id, person.org_path)


# ---------------------------------------------------------------------------- moment facts


def test_it_keeps_the_moment_paths_after_a_subtree_move_and_a_transfer(world, session) -> None:
    person = world.people["own"]
    ci, _ = checkin.checkin_record(actor=None, session=session, person=person, method="manual")
    old_unit, old_city = world.unit_a1.path, world.city_a1.path
    org_services.org_move(actor=None, org=world.city_a1, new_parent=world.prov_b, reason="区划调整")
    tr = people_services.transfer_request(actor=world.users["org_admin"], id_number=person.id_number(), to_org=world.unit_a2)
    people_services.transfer_decide(actor=world.users["fed_admin"], transfer=tr, approve=True)
    world.city_a1.refresh_from_db()
    assert world.city_a1.path != old_city
    ci.refresh_from_db()
    assert (ci.person_org_id, ci.person_org_path, ci.organizer_path) == (world.unit_a1.pk, old_unit, old_city)
    # the next check-in takes the new facts
    later = make_session(world.city_a1, audience=[world.root])
    ci2, _ = checkin.checkin_record(actor=None, session=later, person=person, method="manual")
    assert (ci2.person_org_id, ci2.person_org_path, ci2.organizer_path) == (world.unit_a2.pk, world.unit_a2.path, world.city_a1.path)


# ---------------------------------------------------------------------------- walk-ins


def test_it_records_a_walkin_head_count(world, session) -> None:
    wi = checkin.walkin_record(actor=world.users["cadre"], session=session, count=12, note="  未带手机  ")
    assert (wi.count, wi.note, wi.organizer_path, wi.recorded_by_id) == (12, "未带手机", world.city_a1.path, world.users["cadre"].pk)
    assert ours().get().action == "activities.walkin"
    assert checkin.session_figures(session) == {"people": 0, "walkins": 12, "attendance": 12}


@pytest.mark.parametrize("count", [0, -1, 10_001])
def test_it_refuses_a_walkin_count_out_of_range(world, session, count) -> None:
    with pytest.raises(ServiceError) as e:
        checkin.walkin_record(actor=None, session=session, count=count)
    assert (e.value.message, e.value.field) == ("人数须在 1 到 10000 之间", "count")
    assert counts() == (0, 0, 0)


def test_it_refuses_a_walkin_on_a_cancelled_session(world, session) -> None:
    Session.objects.filter(pk=session.pk).update(is_cancelled=True)
    with pytest.raises(ServiceError) as e:
        checkin.walkin_record(actor=None, session=session, count=3)
    assert e.value.message == "该场次已取消，不能签到"
    assert counts() == (0, 0, 0)


def test_it_counts_people_and_attendance(world, session) -> None:
    for name in ("甲", "乙", "丙"):
        checkin.checkin_record(actor=None, session=session, person=make_person(world.unit_a1, name), method="manual")
    checkin.walkin_record(actor=None, session=session, count=4)
    checkin.walkin_record(actor=None, session=session, count=1)
    assert checkin.session_figures(session) == {"people": 3, "walkins": 5, "attendance": 8}


# ---------------------------------------------------------------------------- codes


def test_it_reads_a_member_code_back_to_the_person(world, session) -> None:
    person = world.people["own"]
    ci, created = checkin.checkin_scan_member(actor=world.users["cadre"], session=session, code=codes.member_code(person), nonce="n-1")
    assert (ci.person_id, ci.method, created) == (person.pk, "scanner", True)


@pytest.mark.parametrize(
    "code",
    [
        "garbage",
        "",
        signing.dumps(1, salt="something-else"),
        signing.dumps("1", salt="member"),
    ],
)
def test_it_refuses_a_forged_member_code(world, session, code) -> None:
    with pytest.raises(ServiceError) as e:
        checkin.checkin_scan_member(actor=None, session=session, code=code, nonce="n-1")
    assert (e.value.message, e.value.field) == ("会员码无效，请职工打开“我的”页面出示会员码", "code")
    assert counts() == (0, 0, 0)


def test_it_refuses_a_tampered_member_code(world, session) -> None:
    good = codes.member_code(world.people["own"])
    other = codes.member_code(world.people["sibling"])
    forged = other.split(":")[0] + ":" + ":".join(good.split(":")[1:])  # another id under this signature
    with pytest.raises(ServiceError) as e:
        checkin.checkin_scan_member(actor=None, session=session, code=forged)
    assert e.value.message == "会员码无效，请职工打开“我的”页面出示会员码"
    assert counts() == (0, 0, 0)


def test_it_refuses_a_member_code_of_a_missing_person(world, session) -> None:
    with pytest.raises(ServiceError) as e:
        checkin.checkin_scan_member(actor=None, session=session, code=signing.dumps(987654, salt="member"))
    assert e.value.message == "会员码对应的职工档案不存在"


def test_it_accepts_the_poster_token_of_its_session(session) -> None:
    assert codes.read_poster_token(codes.poster_token(session), session=session) is None


def poster_refused(token: str, session: Session, message: str) -> None:
    with pytest.raises(ServiceError) as e:
        codes.read_poster_token(token, session=session)
    assert (e.value.message, e.value.field) == (message, "code")


def test_it_refuses_a_poster_token_of_another_session(world, session) -> None:
    other = make_session(world.city_a1, title="另一个活动")
    poster_refused(codes.poster_token(other), session, "二维码不属于本场次，请扫描本场次的签到海报")


def test_it_refuses_a_forged_poster_token(session) -> None:
    poster_refused("eyJzIjoxfQ:forged:sig", session, "二维码无效，请扫描现场的签到海报")
    poster_refused(signing.dumps({"s": session.pk, "k": session.checkin_key}, salt="member"), session, "二维码无效，请扫描现场的签到海报")


def test_it_expires_printed_posters_when_the_key_rotates(world, session) -> None:
    token = codes.poster_token(session)
    checkin.session_rotate_checkin_key(actor=world.users["cadre"], session=session)
    poster_refused(token, session, "二维码已过期，请扫描现场最新的签到海报")
    with pytest.raises(ServiceError):
        checkin.checkin_self(actor=world.users["worker"], session=session, token=token)
    assert CheckIn.objects.count() == 0
    assert codes.read_poster_token(codes.poster_token(session), session=session) is None


def test_it_expires_posters_past_the_max_age(session, settings) -> None:
    settings.CHECKIN_POSTER_MAX_AGE = 3600
    with time_machine.travel(T0, tick=False):
        token = codes.poster_token(session)
    with time_machine.travel(T0 + dt.timedelta(minutes=59), tick=False):
        assert codes.read_poster_token(token, session=session) is None
    with time_machine.travel(T0 + dt.timedelta(minutes=61), tick=False):
        poster_refused(token, session, "二维码已过期，请扫描现场最新的签到海报")


def test_it_refuses_a_self_checkin_without_a_person(world, session) -> None:
    with pytest.raises(ServiceError) as e:
        checkin.checkin_self(actor=world.users["cadre"], session=session, token=codes.poster_token(session))
    assert e.value.message == "本账号未关联职工档案，不能签到"
    assert counts() == (0, 0, 0)


def test_it_keeps_plausible_scan_times_only(world, session) -> None:
    with time_machine.travel(T0, tick=False):
        assert checkin.scan_time(T0 - dt.timedelta(hours=3)) == T0 - dt.timedelta(hours=3)
        assert checkin.scan_time(T0 + dt.timedelta(minutes=5)) is None
        assert checkin.scan_time(T0 - dt.timedelta(days=2)) is None


def test_it_shows_names_short(world) -> None:
    assert [checkin.short_name(n) for n in ("张三", "欧阳娜娜", "王", "")] == ["张*", "欧***", "王*", "—"]


def test_it_moves_nothing_it_should_not(world) -> None:
    """A grassroots organizer's session counts people of its own subtree only."""
    unit = make_org(world.unit_a1, "车间分工会", L.GRASSROOTS)
    session = make_session(unit)
    refused(session, world.people["own"], "该职工不在本活动的面向范围内，不能签到", "person")
