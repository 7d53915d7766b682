from __future__ import annotations

from django.urls import reverse

from gonghui.activities.models import Activity, ActivityEvent, ActivityType, Registration
from gonghui.activities.tests.helpers import make_activity
from gonghui.audit.models import AuditEvent
from tests.factories import make_person

S = Activity.Status


def test_it_lists_activities_in_a_fixed_number_of_queries(world, as_user, django_assert_num_queries) -> None:
    for i in range(3):
        make_activity(world.unit_a1, title=f"活动{i}", alliance=world.alliance if i == 0 else None)
    client = as_user("cadre")
    client.get(reverse("activities:index"))  # warm the session
    with django_assert_num_queries(5):
        r = client.get(reverse("activities:index"))
    assert [a.title for a in r.context["page"].rows] == ["活动2", "活动1", "活动0"]
    for i in range(5):
        make_activity(world.unit_a1, title=f"更多{i}")
    with django_assert_num_queries(5):
        r = client.get(reverse("activities:index"), {"status": "registering"})
    assert len(r.context["page"].rows) == 8


def test_it_filters_the_list_by_status_type_and_organizer_subtree(world, as_user) -> None:
    make_activity(world.unit_a1, title="基层", status=S.DRAFT)
    make_activity(world.city_a1, title="市级")
    client = as_user("cadre")
    titles = lambda **q: [a.title for a in client.get(reverse("activities:index"), q).context["page"].rows]  # noqa: E731
    assert titles() == ["市级", "基层"]
    assert titles(status="draft") == ["基层"]
    assert titles(org=world.unit_a1.pk) == ["基层"]
    assert titles(org=world.unit_b.pk) == ["市级", "基层"]  # an org out of view is ignored
    assert titles(type="999") == []


def test_it_creates_an_activity_and_adds_a_session_through_the_pages(world, as_user) -> None:
    client = as_user("cadre")
    r = client.post(
        reverse("activities:create", kwargs={"org_id": world.city_a1.pk}),
        {
            "title": "职工篮球赛",
            "activity_type": ActivityType.objects.get(code="games").pk,
            "venue": "体育馆",
            "audience": f"{world.unit_a1.code}\n{world.unit_b.code}",
        },
    )
    assert r.status_code == 200
    assert r.context["form"].errors == {"audience": ["面向工会「西宁丙公司工会」不在主办单位的下级范围内"]}
    assert Activity.objects.count() == 0
    r = client.post(
        reverse("activities:create", kwargs={"org_id": world.city_a1.pk}),
        {"title": "职工篮球赛", "activity_type": ActivityType.objects.get(code="games").pk, "audience": world.unit_a1.code},
    )
    a = Activity.objects.get()
    assert r["Location"] == reverse("activities:detail", kwargs={"pk": a.pk})
    r = client.post(
        reverse("activities:session_add", kwargs={"pk": a.pk}), {"starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T08:00", "place": "体育馆"}
    )
    assert r.context["form"].errors == {"ends_at": ["结束时间须晚于开始时间"]}
    client.post(
        reverse("activities:session_add", kwargs={"pk": a.pk}),
        {"starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T11:00", "place": "体育馆", "capacity": "2"},
    )
    client.post(reverse("activities:transition", kwargs={"pk": a.pk}), {"to_status": "published"})
    client.post(reverse("activities:transition", kwargs={"pk": a.pk}), {"to_status": "finished", "summary": "x"})
    a.refresh_from_db()
    assert a.status == "published"
    assert list(ActivityEvent.objects.filter(activity=a, session__isnull=True).values_list("to_status", flat=True)) == ["draft", "published"]
    page = client.get(reverse("activities:detail", kwargs={"pk": a.pk}))
    assert "活动状态不能从「已发布」变为「已结束」" in page.content.decode()


def test_a_worker_registers_on_the_phone_page_and_cancels(world, as_user) -> None:
    a = make_activity(world.unit_a1, capacity=1)
    s = a.sessions.get()
    other = make_person(world.unit_a1, "甲")
    client = as_user("worker")
    page = client.get(reverse("activities:mine"))
    assert [x.title for x in page.context["open"]] == ["职工读书会"]
    client.post(reverse("activities:register", kwargs={"pk": s.pk}), {"next": "mine"})
    from gonghui.activities import services

    services.registration_create(actor=None, session=s, person=other)
    mine = Registration.objects.get(person=world.people["own"])
    assert mine.status == "registered"
    r = client.post(reverse("activities:register", kwargs={"pk": s.pk}))
    assert r["Location"] == reverse("activities:detail", kwargs={"pk": a.pk})
    assert "「own人员」已报名该场次" in client.get(r["Location"]).content.decode()
    client.post(reverse("activities:registration_cancel", kwargs={"pk": mine.pk}), {"next": "mine"})
    assert list(s.registrations.order_by("id").values_list("person__name", "status")) == [("own人员", "cancelled"), ("甲", "registered")]
    assert AuditEvent.objects.filter(action="activities.registration_promote").count() == 1


def test_a_cadre_registers_members_in_bulk_and_sees_each_refusal_named(world, as_user) -> None:
    a = make_activity(world.city_a1)
    s = a.sessions.get()
    p1 = make_person(world.unit_a1, "甲")
    client = as_user("cadre")
    page = client.get(reverse("activities:register_bulk", kwargs={"pk": s.pk}))
    choices = [label for _, label in page.context["form"].fields["people"].choices]
    assert choices == ["own人员（合肥甲公司工会）", "甲（合肥甲公司工会）"]
    assert world.people["own"].id_masked not in page.content.decode()
    r = client.post(reverse("activities:register_bulk", kwargs={"pk": s.pk}), {"people": [p1.pk, world.people["own"].pk]})
    assert r.status_code == 302
    r = client.post(reverse("activities:register_bulk", kwargs={"pk": s.pk}), {"people": [p1.pk]})
    assert r.context["form"].errors == {"people": ["以下人员已报名该场次：「甲」"]}
    r = client.post(reverse("activities:register_bulk", kwargs={"pk": s.pk}), {"people": [world.people["sibling"].pk]})
    assert "people" in r.context["form"].errors  # not on the cadre's roll: not a valid choice
    assert Registration.objects.count() == 2
