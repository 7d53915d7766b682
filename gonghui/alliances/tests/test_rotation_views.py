from __future__ import annotations

import datetime as dt

from django.urls import reverse

from gonghui.activities.models import ActivityType
from gonghui.alliances import services
from gonghui.alliances.models import MemberStrength, RotationPlan, RotationTurn
from gonghui.audit.models import AuditEvent

D = dt.date


def test_it_links_the_rotation_page_from_the_alliance_page(world, as_user) -> None:
    body = as_user("viewer").get(reverse("alliances:detail", args=[world.alliance.pk])).content.decode()
    assert f'href="{reverse("alliances:rotation", args=[world.alliance.pk])}" data-testid="rotation-link"' in body


def test_it_shows_the_schedule_and_the_ledger_in_a_fixed_number_of_queries(world, as_user, django_assert_num_queries) -> None:
    w = world
    skills = ActivityType.objects.get(code="skills")
    services.member_strengths_set(actor=None, member=w.alliance.members.get(org=w.unit_a2), activity_types=[skills])
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=3, period_kind="month", wanted_types=[skills])
    services.turn_skip(actor=None, turn=plan.turns.order_by("starts_on").last(), reason="停产检修")
    client = as_user("viewer")
    url = reverse("alliances:rotation", args=[w.alliance.pk])
    client.get(url)  # the session and the layout's first-request reads settle
    with django_assert_num_queries(12):
        body = client.get(url).content.decode()
    # Viewer sees the schedule and ledger but no management links.
    assert body.count("<td>2026年") == 4  # three periods, March twice (skipped + stand-in)
    assert "停产检修" in body and "已跳过" in body and "接替" in body
    assert reverse("alliances:rotation_generate", args=[w.alliance.pk]) not in body
    # More periods and members: the same number of queries.
    services.alliance_member_join(actor=None, alliance=w.alliance, org=w.city_a1, joined_on=D(2021, 1, 1))
    services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 4, 1), periods=6, period_kind="month", wanted_types=[skills])
    with django_assert_num_queries(12):
        client.get(url)
    cadre_body = as_user("cadre").get(reverse("alliances:rotation", args=[w.alliance.pk])).content.decode()
    assert reverse("alliances:rotation_generate", args=[w.alliance.pk]) in cadre_body


def test_a_rotation_with_no_eligible_host_shows_the_message_and_writes_nothing(world, as_user) -> None:
    w = world
    for m in w.alliance.members.all():
        services.member_blackout_add(actor=None, member=m, starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 1), reason="全员培训")
    n_audit = AuditEvent.objects.count()
    response = as_user("coord").post(
        reverse("alliances:rotation_generate", args=[w.alliance.pk]), {"start": "2026-01-01", "period_kind": "quarter", "periods": "2"}
    )
    assert response.status_code == 200
    assert "2026年第1季度没有可轮值的成员工会（各成员在该期均有避开日期或尚未加入），未生成任何安排" in response.content.decode()
    assert (RotationPlan.objects.count(), RotationTurn.objects.count(), AuditEvent.objects.count()) == (0, 0, n_audit)


def test_it_generates_swaps_and_skips_through_the_pages(world, as_user) -> None:
    w = world
    client = as_user("coord")
    skills = ActivityType.objects.get(code="skills")
    r = client.post(
        reverse("alliances:rotation_generate", args=[w.alliance.pk]),
        {"start": "2026-01-01", "period_kind": "month", "periods": "2", "wanted_types": [skills.pk]},
    )
    assert r.status_code == 302
    jan, feb = RotationTurn.objects.order_by("starts_on")
    assert (jan.wanted_type_id, feb.wanted_type_id) == (skills.pk, skills.pk)
    r = client.post(reverse("alliances:turn_swap", args=[jan.pk]), {"other": feb.pk, "reason": ""})
    assert r.status_code == 200 and "原因：这个字段是必填项。" in r.content.decode()
    assert client.post(reverse("alliances:turn_swap", args=[jan.pk]), {"other": feb.pk, "reason": "年检"}).status_code == 302
    assert client.post(reverse("alliances:turn_skip", args=[feb.pk]), {"reason": "停产", "replace": "on"}).status_code == 302
    assert list(RotationTurn.objects.order_by("id").values_list("status", "reason")) == [
        ("swapped", "年检"),
        ("skipped", "停产"),
        ("planned", "停产"),
    ]


def test_it_edits_a_members_strengths_and_blackouts(world, as_user) -> None:
    w = world
    member = w.alliance.members.get(org=w.unit_a1)
    client = as_user("cadre")
    law = ActivityType.objects.get(code="law")
    assert client.post(reverse("alliances:member_rotation", args=[member.pk]), {"activity_types": [law.pk]}).status_code == 302
    assert list(MemberStrength.objects.filter(member=member).values_list("activity_type__code", flat=True)) == ["law"]
    r = client.post(
        reverse("alliances:blackout_add", args=[member.pk]), {"starts_on": "2026-02-01", "ends_on": "2026-01-01", "reason": "年检"}, follow=True
    )
    assert "结束日期不能早于开始日期" in r.content.decode()
    client.post(reverse("alliances:blackout_add", args=[member.pk]), {"starts_on": "2026-01-01", "ends_on": "2026-02-01", "reason": "年检"})
    page = client.get(reverse("alliances:member_rotation", args=[member.pk])).content.decode()
    assert "<td>2026-01-01</td><td>2026-02-01</td>" in page
