"""Writes for people, memberships and transfers (转会). One transaction each, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib import crypto, idcard
from gonghui.lib.errors import ServiceError
from gonghui.lib.masking import mask_phone
from gonghui.orgs.models import Org

from .models import Membership, MembershipEvent, Person, TransferRequest

PROFILE_FIELDS = (
    "name",
    "ethnicity",
    "political_status",
    "education",
    "degree",
    "skill_level",
    "household_type",
    "marital_status",
    "is_migrant_worker",
)


class PersonExists(ServiceError):
    """The ID number is already registered. ``in_scope`` says whether the caller may see it."""

    def __init__(self, *, person: Person, in_scope: bool) -> None:
        if in_scope:
            msg = _("该身份证号已登记，请勿重复添加")
        else:
            msg = _("该人员已在其他工会登记，不能重复建档；可以向其所在工会发起转会申请")
        super().__init__(msg, field="id_number", code="person_exists")
        self.person = person
        self.in_scope = in_scope


def id_bidx(number: str) -> str:
    return crypto.blind_index(number, purpose="person.id")


def phone_bidx(number: str) -> str:
    return crypto.blind_index(number, purpose="person.phone")


def parse_id(raw: str) -> idcard.IdInfo:
    try:
        return idcard.parse(raw)
    except idcard.InvalidIdNumber as e:
        raise ServiceError(str(e), field="id_number") from None


def parse_phone(raw: str) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return idcard.normalize_mobile(raw)
    except idcard.InvalidMobile as e:
        raise ServiceError(str(e), field="phone") from None


def find_by_id_number(raw: str) -> Person | None:
    return Person.objects.select_related("org").filter(id_bidx=id_bidx(parse_id(raw).number)).first()


def _identity_fields(info: idcard.IdInfo, phone: str) -> dict[str, Any]:
    return {
        "id_cipher": crypto.encrypt(info.number, aad=b"person.id"),
        "id_bidx": id_bidx(info.number),
        "id_head": info.number[:3],
        "id_tail": info.number[-4:],
        "sex": info.sex,
        "birth_date": info.birth_date,
        "phone_cipher": crypto.encrypt(phone, aad=b"person.phone") if phone else "",
        "phone_bidx": phone_bidx(phone) if phone else "",
        "phone_masked": mask_phone(phone),
    }


def _event(m: Membership, *, from_status: str, actor: Any, reason: str = "", at: dt.datetime | None = None) -> None:
    MembershipEvent.objects.create(
        membership=m,
        from_status=from_status,
        to_status=m.status,
        org_id=m.org_id,
        org_path=m.org_path,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )


def _count(org_id: int, delta: int) -> None:
    Org.objects.filter(pk=org_id).update(member_count=F("member_count") + delta)


@transaction.atomic
def person_register(
    *,
    actor: Any,
    org: Org,
    data: dict[str, Any],
    membership_status: str = Membership.Status.ACTIVE,
    joined_on: dt.date | None = None,
    in_scope: Any = None,
) -> Person:
    """Register a person at ``org`` with a new membership.

    An ID number already on record anywhere raises ``PersonExists``; ``in_scope(person)`` tells
    whether the caller may be shown which record it is (else nothing about it is revealed).
    """
    if not org.is_open:
        raise ServiceError(_("该工会已撤销，不能登记人员"), field="org")
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("姓名不能为空"), field="name")
    if len(name) > 50:
        raise ServiceError(_("姓名不能超过50个字"), field="name")
    info = parse_id(data.get("id_number") or "")
    phone = parse_phone(data.get("phone") or "")
    if membership_status not in (Membership.Status.APPLIED, Membership.Status.ACTIVE):
        raise ServiceError(_("新登记人员的会籍状态只能是申请中或会员"), field="membership_status")
    existing = Person.objects.filter(id_bidx=id_bidx(info.number)).first()
    if existing is not None:
        raise PersonExists(person=existing, in_scope=bool(in_scope and in_scope(existing)))
    profile = {k: data.get(k) for k in PROFILE_FIELDS if data.get(k) is not None}
    profile["name"] = name
    try:
        with transaction.atomic():
            person = Person.objects.create(org=org, org_path=org.path, **profile, **_identity_fields(info, phone))
    except IntegrityError:  # a concurrent registration of the same ID number won the race
        raise PersonExists(person=Person.objects.get(id_bidx=id_bidx(info.number)), in_scope=False) from None
    m = Membership.objects.create(
        person=person,
        org=org,
        org_path=org.path,
        status=membership_status,
        joined_on=joined_on or (timezone.localdate() if membership_status == Membership.Status.ACTIVE else None),
    )
    _event(m, from_status="", actor=actor)
    if m.status in Membership.COUNTED:
        _count(org.pk, 1)
    audit.record(actor=actor, action="people.register", target=person, org=org, data={"membership": m.pk, "status": m.status})
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = {k: getattr(person, k) for k in PROFILE_FIELDS}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise ServiceError(_("姓名不能为空"), field="name")
        data = {**data, "name": name}
    for k in PROFILE_FIELDS:
        if k in data and data[k] is not None:
            setattr(person, k, data[k])
    changed = audit.changed_fields(person, before, personal=Person.PERSONAL_FIELDS)
    if "phone" in data:
        phone = parse_phone(data["phone"] or "")
        if phone != person.phone():
            fields = _identity_fields(idcard.parse(person.id_number()), phone)
            person.phone_cipher, person.phone_bidx, person.phone_masked = fields["phone_cipher"], fields["phone_bidx"], fields["phone_masked"]
            changed["phone"] = "changed"
    if changed:
        person.save()
        audit.record(actor=actor, action="people.update", target=person, data={"fields": sorted(changed)})
    return person


def person_reveal(*, actor: Any, person: Person, field: str) -> str:
    """The full ID or phone number; the caller has checked the ``reveal`` permission."""
    value = person.id_number() if field == "id_number" else person.phone()
    audit.record(actor=actor, action="people.reveal", target=person, data={"field": field})
    return value


@transaction.atomic
def membership_transition(*, actor: Any, membership: Membership, to_status: str, reason: str = "", on: dt.date | None = None) -> Membership:
    m = Membership.objects.select_for_update().get(pk=membership.pk)
    if to_status not in Membership.ALLOWED.get(m.status, ()):
        target = Membership.Status(to_status).label if to_status in Membership.Status.values else to_status
        raise ServiceError(_("会籍状态“%(old)s”不能变更为“%(new)s”") % {"old": m.get_status_display(), "new": target}, field="status")
    if to_status in (Membership.Status.WITHDRAWN, Membership.Status.EXPELLED) and not reason.strip():
        raise ServiceError(_("退会或除名须填写原因"), field="reason")
    on = on or timezone.localdate()
    was_counted = m.status in Membership.COUNTED
    from_status = m.status
    m.status = to_status
    if to_status == Membership.Status.ACTIVE and m.joined_on is None:
        m.joined_on = on
    if to_status not in Membership.OPEN:
        m.ended_on = on
    m.save(update_fields=["status", "joined_on", "ended_on"])
    delta = int(to_status in Membership.COUNTED) - int(was_counted)
    if delta:
        _count(m.org_id, delta)
    _event(m, from_status=from_status, actor=actor, reason=reason)
    audit.record(actor=actor, action=f"memberships.{to_status}", target=m, data={"from": from_status, "to": to_status, "reason": reason})
    return m


@transaction.atomic
def membership_rejoin(*, actor: Any, person: Person, org: Org) -> Membership:
    """A person whose membership ended joins again (a new membership row; history kept)."""
    if not org.is_open:
        raise ServiceError(_("该工会已撤销"), field="org")
    if Membership.objects.filter(person=person, status__in=Membership.OPEN).exists():
        raise ServiceError(_("该人员已有有效会籍，不能重复入会"), field="membership")
    if person.org_id != org.pk:
        raise ServiceError(_("该人员由其他工会管理，请通过转会办理"), field="org")
    try:
        with transaction.atomic():
            m = Membership.objects.create(person=person, org=org, org_path=org.path, status=Membership.Status.APPLIED)
    except IntegrityError:
        raise ServiceError(_("该人员已有有效会籍，不能重复入会"), field="membership") from None
    _event(m, from_status="", actor=actor)
    audit.record(actor=actor, action="memberships.rejoin", target=m)
    return m


@transaction.atomic
def transfer_request(*, actor: Any, id_number: str, to_org: Org, note: str = "") -> TransferRequest:
    """The receiving union asks for a person registered elsewhere (identified by ID number)."""
    if not to_org.is_open:
        raise ServiceError(_("转入工会已撤销，不能转入"), field="to_org")
    person = find_by_id_number(id_number)
    if person is None:
        raise ServiceError(_("没有找到该身份证号的登记记录，请直接新增人员"), field="id_number")
    if person.org_id == to_org.pk:
        raise ServiceError(_("该人员已在本工会"), field="id_number")
    if TransferRequest.objects.filter(person=person, status=TransferRequest.Status.PENDING).exists():
        raise ServiceError(_("该人员已有待审批的转会申请"), field="id_number")
    tr = TransferRequest.objects.create(
        person=person, from_org=person.org, to_org=to_org, note=note.strip(), requested_by=actor, requested_at=timezone.now()
    )
    audit.record(actor=actor, action="transfers.request", target=tr, org=to_org)
    audit.record(actor=actor, action="transfers.request_received", target=tr, org=person.org)
    return tr


@transaction.atomic
def transfer_decide(*, actor: Any, transfer: TransferRequest, approve: bool, note: str = "") -> TransferRequest:
    tr = TransferRequest.objects.select_for_update().select_related("to_org", "from_org").get(pk=transfer.pk)
    if tr.status != TransferRequest.Status.PENDING:
        raise ServiceError(_("该转会申请已处理"), field="status")
    if getattr(actor, "pk", None) == tr.requested_by_id:
        raise ServiceError(_("不能审批自己发起的转会申请"), field="status")
    tr.decided_by, tr.decided_at, tr.decision_note = actor, timezone.now(), note.strip()
    if not approve:
        tr.status = TransferRequest.Status.REJECTED
        tr.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(actor=actor, action="transfers.reject", target=tr)
        return tr
    if not tr.to_org.is_open:
        raise ServiceError(_("转入工会已撤销，不能转入"), field="to_org")
    person = Person.objects.select_for_update().get(pk=tr.person_id)
    today = timezone.localdate()
    old = Membership.objects.select_for_update().filter(person=person, status__in=Membership.OPEN).first()
    new_status = Membership.Status.ACTIVE
    if old is not None:
        from_status = old.status
        if old.status in Membership.COUNTED:
            _count(old.org_id, -1)
        if old.status == Membership.Status.RETAINED:
            new_status = Membership.Status.RETAINED
        old.status, old.ended_on = Membership.Status.TRANSFERRED, today
        old.save(update_fields=["status", "ended_on"])
        _event(old, from_status=from_status, actor=actor, reason=f"转会至{tr.to_org.name}")
    new = Membership.objects.create(person=person, org=tr.to_org, org_path=tr.to_org.path, status=new_status, joined_on=today)
    _event(new, from_status="", actor=actor, reason=f"由{tr.from_org.name}转入")
    _count(tr.to_org_id, 1)
    person.org, person.org_path = tr.to_org, tr.to_org.path
    person.save(update_fields=["org", "org_path", "updated_at"])
    tr.status = TransferRequest.Status.APPROVED
    tr.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action="transfers.approve", target=tr)
    audit.record(actor=actor, action="transfers.approve_received", target=tr, org=tr.to_org)
    return tr


def reencrypt_all(*, batch: int = 2000) -> dict[str, Any]:
    """Re-encrypt identifiers not under the current key, batch by batch (each batch atomic)."""
    kid = crypto.current_kid()
    prefix = f"{kid}:"
    people = values = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(Person.objects.filter(pk__gt=last).order_by("pk").only("pk", "id_cipher", "phone_cipher")[:batch])
            if not rows:
                break
            changed = []
            for p in rows:
                touched = False
                if not p.id_cipher.startswith(prefix):
                    p.id_cipher = crypto.encrypt(crypto.decrypt(p.id_cipher, aad=b"person.id"), aad=b"person.id")
                    touched, values = True, values + 1
                if p.phone_cipher and not p.phone_cipher.startswith(prefix):
                    p.phone_cipher = crypto.encrypt(crypto.decrypt(p.phone_cipher, aad=b"person.phone"), aad=b"person.phone")
                    touched, values = True, values + 1
                if touched:
                    changed.append(p)
            Person.objects.bulk_update(changed, ["id_cipher", "phone_cipher"], batch_size=500)
            people += len(changed)
            last = rows[-1].pk
    if people:
        audit.record(actor=None, action="people.reencrypt", data={"people": people, "kid": kid})
    return {"people": people, "values": values, "kid": kid}
