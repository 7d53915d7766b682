from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation

from gonghui.audit.models import AuditEvent
from gonghui.lib import crypto
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org
from gonghui.people import queries, services
from gonghui.people.models import Membership, MembershipEvent, Person, TransferRequest
from tests.factories import make_person, new_id


def snapshot() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        TransferRequest.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_registers_a_person_with_derived_fields_and_a_membership(world) -> None:
    number = "340181198505060024"
    p = services.person_register(actor=world.users["cadre"], org=world.unit_a1, data={"name": " 李四 ", "id_number": number, "phone": "13812345678"})
    assert (p.name, p.sex, p.birth_date, p.id_masked, p.phone_masked) == ("李四", "F", dt.date(1985, 5, 6), "340***********0024", "138****5678")
    m = Membership.objects.get(person=p)
    assert (m.status, m.org_id, m.org_path) == ("active", world.unit_a1.pk, world.unit_a1.path)
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.member_count == 2  # the fixture's own person and this one


def test_it_stores_identifiers_encrypted_never_plain(world) -> None:
    number = "340181198505060016"
    p = services.person_register(actor=None, org=world.unit_a1, data={"name": "王五", "id_number": number, "phone": "13900001111"})
    with connection.cursor() as c:
        c.execute("SELECT * FROM people_person WHERE id = %s", [p.pk])
        row = " ".join(str(v) for v in c.fetchone())
    assert number not in row and "13900001111" not in row
    assert p.id_cipher.startswith(crypto.current_kid() + ":")
    assert p.id_number() == number and p.phone() == "13900001111"
    assert services.find_by_id_number(number).pk == p.pk


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "甲", "id_number": "340181198505060018"}, "id_number", "身份证号校验位不正确，请核对后重新输入"),
        ({"name": "甲", "id_number": "12345"}, "id_number", "身份证号应为18位（前17位数字，末位数字或X），或15位数字"),
        ({"name": "", "id_number": "340181198505060016"}, "name", "姓名不能为空"),
        ({"name": "甲", "id_number": "340181198505060016", "phone": "1234"}, "phone", "手机号应为以1开头的11位数字"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(world, data, field, message) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as e:
        services.person_register(actor=None, org=world.unit_a1, data=data)
    assert (e.value.field, e.value.message) == (field, message)
    assert snapshot() == before


def test_it_answers_a_duplicate_outside_scope_without_revealing_the_record(world) -> None:
    existing = world.people["other"]
    cadre = world.users["cadre"]
    before = snapshot()
    with pytest.raises(services.PersonExists) as e:
        services.person_register(
            actor=cadre,
            org=world.unit_a1,
            data={"name": "随便", "id_number": existing.id_number()},
            in_scope=lambda p: policy.user_can(cadre, "view", p.org),
        )
    assert (e.value.in_scope, e.value.field) == (False, "id_number")
    assert e.value.message == "该人员已在其他工会登记，不能重复建档；可以向其所在工会发起转会申请"
    assert snapshot() == before


def test_the_register_page_offers_a_transfer_and_shows_nothing_of_the_other_record(world, as_user) -> None:
    existing = world.people["other"]
    c = as_user("cadre")
    r = c.post(f"/orgs/{world.unit_a1.pk}/people/new/", {"name": "随便", "id_number": existing.id_number(), "membership_status": "active"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "该人员已在其他工会登记" in html and 'data-testid="transfer-offer"' in html
    for secret in (existing.name, world.unit_b.name, existing.phone_masked, existing.id_masked, f"/people/{existing.pk}/"):
        assert secret not in html


def test_it_allows_one_open_membership_only_and_rejoining_after_it_ends(world) -> None:
    p = world.people["own"]
    with pytest.raises(ServiceError, match="已有有效会籍"):
        services.membership_rejoin(actor=None, person=p, org=world.unit_a1)
    m = Membership.objects.get(person=p)
    services.membership_transition(actor=None, membership=m, to_status="withdrawn", reason="个人申请")
    again = services.membership_rejoin(actor=None, person=p, org=world.unit_a1)
    assert again.status == "applied"
    services.membership_transition(actor=None, membership=again, to_status="active")
    assert list(Membership.objects.filter(person=p).order_by("pk").values_list("status", flat=True)) == ["withdrawn", "active"]
    # the database itself refuses a second open membership
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=p, org=world.unit_a1, org_path=world.unit_a1.path, status="applied")


def test_its_refusals_are_in_english_when_the_user_chose_english(world) -> None:
    own = world.people["own"]
    applicant = Membership.objects.get(person=make_person(world.unit_a1, status="applied"))
    with translation.override("en"):
        with pytest.raises(ServiceError) as no_name:
            services.person_register(actor=None, org=world.unit_a1, data={"name": " ", "id_number": "340181198505060016"})
        with pytest.raises(ServiceError) as twice:
            services.membership_rejoin(actor=None, person=own, org=world.unit_a1)
        with pytest.raises(ServiceError) as transition:
            services.membership_transition(actor=None, membership=applicant, to_status="retained")
    assert no_name.value.message == "Name is required"
    assert twice.value.message == "This person already has an open membership and cannot join again"
    assert transition.value.message == "Membership status cannot change from “Applicant” to “Retained membership”"


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        ("active", "retained", True),
        ("active", "expelled", True),
        ("retained", "active", True),
        ("applied", "active", True),
        ("applied", "retained", False),
        ("retained", "expelled", False),
    ],
)
def test_it_follows_the_membership_state_machine(world, start, to, ok) -> None:
    p = make_person(world.unit_a1, status="applied" if start == "applied" else "active")
    m = Membership.objects.get(person=p)
    if start == "retained":
        services.membership_transition(actor=None, membership=m, to_status="retained")
    events = MembershipEvent.objects.filter(membership=m).count()
    if ok:
        services.membership_transition(actor=None, membership=m, to_status=to, reason="原因")
        m.refresh_from_db()
        assert m.status == to
        assert MembershipEvent.objects.filter(membership=m).count() == events + 1
    else:
        with pytest.raises(ServiceError, match="不能变更为"):
            services.membership_transition(actor=None, membership=m, to_status=to, reason="原因")
        assert MembershipEvent.objects.filter(membership=m).count() == events


def test_member_counts_follow_every_transition(world) -> None:
    org = world.unit_a2
    p = make_person(org, status="applied")
    org.refresh_from_db()
    assert org.member_count == 1  # only the fixture's active member
    m = Membership.objects.get(person=p)
    for to, expected in (("active", 2), ("retained", 2), ("withdrawn", 1)):
        services.membership_transition(actor=None, membership=m, to_status=to, reason="原因")
        org.refresh_from_db()
        assert org.member_count == expected


def test_it_transfers_with_history_and_counts(world) -> None:
    w = world
    p = w.people["other"]
    tr = services.transfer_request(actor=w.users["cadre"], id_number=p.id_number(), to_org=w.unit_a1, note="调动")
    services.transfer_decide(actor=None, transfer=tr, approve=True)
    p.refresh_from_db()
    assert (p.org_id, p.org_path) == (w.unit_a1.pk, w.unit_a1.path)
    ms = list(Membership.objects.filter(person=p).order_by("pk").values_list("org_id", "status"))
    assert ms == [(w.unit_b.pk, "transferred"), (w.unit_a1.pk, "active")]
    assert [Org.objects.get(pk=o.pk).member_count for o in (w.unit_b, w.unit_a1)] == [0, 2]
    assert set(AuditEvent.objects.filter(target_id=tr.pk, target_type="people.transferrequest").values_list("action", "org_id")) == {
        ("transfers.request", w.unit_a1.pk),
        ("transfers.request_received", w.unit_b.pk),
        ("transfers.approve", w.unit_b.pk),
        ("transfers.approve_received", w.unit_a1.pk),
    }


def test_it_refuses_a_transfer_into_a_closed_org(world) -> None:
    w = world
    target = org_services.org_create(
        actor=None, parent=w.city_a1, data={"name": "将撤销", "level": "grassroots", "org_type": "single", "region_code": "340100"}
    )
    tr = services.transfer_request(actor=w.users["cadre"], id_number=w.people["other"].id_number(), to_org=target)
    org_services.org_close(actor=None, org=target, on=dt.date(2026, 1, 2), reason="单位注销")
    target.refresh_from_db()
    before = snapshot()
    with pytest.raises(ServiceError) as e:
        services.transfer_decide(actor=None, transfer=tr, approve=True)
    assert (e.value.field, e.value.message) == ("to_org", "转入工会已撤销，不能转入")
    assert snapshot() == before
    with pytest.raises(ServiceError, match="转入工会已撤销"):
        services.transfer_request(actor=w.users["cadre"], id_number=w.people["sibling"].id_number(), to_org=target)


def test_the_requester_cannot_approve_their_own_request(world) -> None:
    tr = services.transfer_request(actor=world.users["fed_admin"], id_number=world.people["sibling"].id_number(), to_org=world.unit_a1)
    with pytest.raises(ServiceError, match="不能审批自己发起"):
        services.transfer_decide(actor=world.users["fed_admin"], transfer=tr, approve=True)


def test_key_rotation_reencrypts_every_value_and_lookups_still_work(world, settings) -> None:
    from django.core.management import call_command

    people = list(Person.objects.order_by("pk"))
    plain = {p.pk: (p.id_number(), p.phone()) for p in people}
    old_kid = crypto.current_kid()
    new_key = "k9:" + base64.b64encode(bytes(range(32))).decode()
    with override_settings(FIELD_KEYS_RAW=new_key + "," + settings.FIELD_KEYS_RAW):
        call_command("rotate_field_keys", batch=2)
        for p in Person.objects.order_by("pk"):
            assert crypto.key_id(p.id_cipher) == "k9" and crypto.key_id(p.phone_cipher) == "k9"
            assert (p.id_number(), p.phone()) == plain[p.pk]
            assert services.find_by_id_number(plain[p.pk][0]).pk == p.pk
        assert old_kid != "k9"
    # with only the new key left, everything still decrypts
    with override_settings(FIELD_KEYS_RAW=new_key):
        assert {p.pk: (p.id_number(), p.phone()) for p in Person.objects.all()} == plain


def test_the_roll_searches_by_name_prefix_tail_and_phone(world) -> None:
    w = world
    cadre = w.users["cadre"]
    a = services.person_register(actor=None, org=w.unit_a1, data={"name": "欧阳明", "id_number": "340181198505060024", "phone": "13700001234"})
    rows = lambda **kw: [m.person_id for m in queries.roll(cadre, org=w.city_a1, **kw)]  # noqa: E731
    assert rows(name="欧阳") == [a.pk]
    assert rows(id_tail="0024") == [a.pk]
    assert rows(phone="13700001234") == [a.pk]
    assert rows(phone="13700009999") == []
    assert rows() == [w.people["own"].pk, a.pk]
    # the cadre's roll never reaches a sibling's members, even when asked for the ancestor
    assert [m.person_id for m in queries.roll(cadre, org=w.prov_a)] == [w.people["own"].pk, a.pk]


def test_new_id_helper_makes_valid_numbers() -> None:
    from gonghui.lib.idcard import is_valid

    assert all(is_valid(new_id()) for _ in range(20))
