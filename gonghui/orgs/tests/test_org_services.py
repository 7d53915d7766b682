from __future__ import annotations

import datetime as dt

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.orgs import services
from gonghui.orgs.models import Org, OrgMove
from gonghui.people.models import Membership, MembershipEvent, Person
from tests.factories import L, make_org, make_person


def test_it_builds_paths_from_primary_keys(world) -> None:
    w = world
    assert w.unit_a1.path == f"/{w.root.pk}/{w.prov_a.pk}/{w.city_a1.pk}/{w.unit_a1.pk}/"
    assert (w.root.depth, w.unit_a1.depth) == (0, 3)


def test_it_generates_a_unique_code_when_none_is_given(world) -> None:
    assert world.unit_a1.code.startswith("GH") and len(world.unit_a1.code) == 12
    assert Org.objects.filter(code=world.unit_a1.code).count() == 1


def test_it_refuses_a_duplicate_code_naming_the_field(world) -> None:
    before = Org.objects.count()
    with pytest.raises(ServiceError) as e:
        services.org_create(
            actor=None,
            parent=world.city_a1,
            data={"name": "乙", "level": L.GRASSROOTS, "org_type": "single", "region_code": "340100", "code": world.unit_a1.code},
        )
    assert (e.value.field, e.value.message) == ("code", "组织编码已被使用")
    assert Org.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region_code", "3401", "行政区划代码应为6位数字（GB/T 2260）"),
        ("name", " ", "名称不能为空"),
        ("unit_credit_code", "12345", "统一社会信用代码应为18位（数字或大写字母，不含I、O、Z、S、V）"),
    ],
)
def test_it_refuses_bad_fields_and_writes_nothing(world, field, value, message) -> None:
    data = {"name": "新单位工会", "level": L.GRASSROOTS, "org_type": "single", "region_code": "340100", field: value}
    before = (Org.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError) as e:
        services.org_create(actor=None, parent=world.city_a1, data=data)
    assert (e.value.field, e.value.message) == (field, message)
    assert (Org.objects.count(), AuditEvent.objects.count()) == before


def test_it_moves_a_subtree_rewriting_every_path_and_keeping_history(world) -> None:
    w = world
    leaf = make_org(w.unit_a1, "甲公司分会", L.GRASSROOTS)
    person = w.people["own"]
    services.org_move(actor=None, org=w.city_a1, new_parent=w.prov_b, reason="区划调整")
    w.city_a1.refresh_from_db()
    leaf.refresh_from_db()
    person.refresh_from_db()
    assert w.city_a1.path == f"/{w.root.pk}/{w.prov_b.pk}/{w.city_a1.pk}/"
    assert leaf.path == f"{w.city_a1.path}{w.unit_a1.pk}/{leaf.pk}/"
    assert (w.city_a1.depth, leaf.depth) == (2, 4)
    assert person.org_path == f"{w.city_a1.path}{w.unit_a1.pk}/"
    assert Membership.objects.get(person=person).org_path == person.org_path
    move = OrgMove.objects.get(org=w.city_a1)
    assert (move.from_parent_id, move.to_parent_id, move.reason) == (w.prov_a.pk, w.prov_b.pk, "区划调整")
    assert move.old_path == f"/{w.root.pk}/{w.prov_a.pk}/{w.city_a1.pk}/"
    # the membership's creation event keeps the path it had at that moment
    assert MembershipEvent.objects.get(membership__person=person).org_path == f"{move.old_path}{w.unit_a1.pk}/"
    # the sibling was not touched
    w.unit_a2.refresh_from_db()
    assert w.unit_a2.path == f"/{w.root.pk}/{w.prov_a.pk}/{w.city_a2.pk}/{w.unit_a2.pk}/"


def test_it_refuses_moving_an_org_under_its_own_descendant(world) -> None:
    w = world
    paths = list(Org.objects.order_by("pk").values_list("path", flat=True))
    for target in (w.unit_a1, w.city_a1):
        with pytest.raises(ServiceError) as e:
            services.org_move(actor=None, org=w.city_a1, new_parent=target)
        assert (e.value.field, e.value.message) == ("parent", "不能把组织移动到它自己或它的下级组织之下")
    assert list(Org.objects.order_by("pk").values_list("path", flat=True)) == paths
    assert OrgMove.objects.count() == 0


def test_it_closes_an_empty_org_and_refuses_one_with_members_or_open_children(world) -> None:
    w = world
    with pytest.raises(ServiceError, match="下级组织"):
        services.org_close(actor=None, org=w.city_a1, on=dt.date(2026, 1, 1), reason="合并")
    with pytest.raises(ServiceError, match="在册会员"):
        services.org_close(actor=None, org=w.unit_a1, on=dt.date(2026, 1, 1), reason="合并")
    empty = make_org(w.city_a1, "空工会", L.GRASSROOTS)
    services.org_close(actor=None, org=empty, on=dt.date(2026, 1, 1), reason="单位注销")
    empty.refresh_from_db()
    assert (empty.status, empty.closed_on, empty.close_reason) == ("closed", dt.date(2026, 1, 1), "单位注销")
    with pytest.raises(ServiceError, match="已撤销"):
        make_person(empty)
    assert Person.objects.filter(org=empty).count() == 0


def test_it_audits_each_write_in_the_same_transaction(world) -> None:
    n = AuditEvent.objects.count()
    org = make_org(world.city_a1, "审计测试工会", L.GRASSROOTS)
    services.org_update(actor=world.users["fed_admin"], org=org, data={"short_name": "审计"})
    events = list(AuditEvent.objects.order_by("-id")[:2])
    assert AuditEvent.objects.count() == n + 2
    assert (events[0].action, events[0].target_id, events[0].actor_id, events[0].data) == (
        "orgs.update",
        org.pk,
        world.users["fed_admin"].pk,
        {"short_name": ["", "审计"]},
    )
    assert events[0].org_path == org.path


# Facts keep the org path of their moment; every other model's copied path follows a move.
KEEP_THEIR_MOMENT = {
    ("audit.AuditEvent", "org_path"),
    ("people.MembershipEvent", "org_path"),
    ("people.PersonImportRow", "org_path"),
    ("activities.Activity", "organizer_path"),
    ("activities.CheckIn", "person_org_path"),
    ("activities.CheckIn", "organizer_path"),
    ("activities.WalkIn", "organizer_path"),
    ("reports.AttendanceRollup", "organizer_path"),
    ("reports.AttendanceRollup", "person_org_path"),
    ("reports.WalkInRollup", "organizer_path"),
    ("reports.PersonMonth", "organizer_path"),
    ("reports.PersonMonth", "person_org_path"),
    ("money.LedgerTransaction", "org_path"),
}


def test_every_copied_org_path_either_follows_a_move_or_keeps_its_moment() -> None:
    from django.apps import apps

    from gonghui.orgs.services import FOLLOWING_PATHS

    copied = {
        (m._meta.label, f.name)
        for m in apps.get_models()
        if m._meta.app_label in {"audit", "people", "activities", "training", "reports", "money", "hardship"}
        for f in m._meta.fields
        if f.name in {"org_path", "organizer_path", "person_org_path"}
    }
    following = {*FOLLOWING_PATHS, ("people.Person", "org_path"), ("people.Membership", "org_path")}
    assert copied - following - KEEP_THEIR_MOMENT == set()
    assert following & KEEP_THEIR_MOMENT == set()
