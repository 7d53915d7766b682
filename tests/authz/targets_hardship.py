"""Target builders for the hardship rows (tests/authz/matrix_hardship.txt): a household file of the
relation's union, walked through the services to the state the step needs, and a valid payload,
so an allowed request succeeds (302) and a denied one can be checked to change nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from gonghui.hardship import services
from gonghui.hardship.models import DedupeConflict, HardshipFile
from gonghui.hardship.services import MemberInput
from gonghui.lib.errors import ServiceError
from tests.factories import make_person, make_user, new_id

STATIC_KWARGS: dict[str, dict[str, Any]] = {}
ORDER = ["draft", "submitted", "prelim_ok", "visited", "reviewed", "publicized", "notice_over", "active"]
TEN_DAYS = dt.timedelta(days=10)
NOTES = {"cause_note": "患病", "needs_note": "医疗费用", "measures_note": "医疗救助"}
# The step each URL needs, and the state its target file is walked to.
STEP_STATE = {
    "file_submit": "draft",
    "file_prelim": "submitted",
    "file_return": "submitted",
    "file_visit": "prelim_ok",
    "file_review": "visited",
    "file_publicize": "reviewed",
    "file_objection": "publicized",
    "file_approve": "notice_over",
    "file_convert": "temp_active",
    "file_adjust": "active",
    "file_lift": "active",
    "file_safety_net": "active",
    "file_cancel": "active",
    "file_annual_review": "active",
    "file_contact": "active",
    "file_visit_log": "active",
}


def _standards() -> None:
    # Province-wide 低保 of this year: every relation's region falls back to one of them.
    for code in ("340000", "630000"):
        services.standard_set(actor=None, region_code=code, year=timezone.localdate().year, area="urban", monthly="800")


def _draft(org: Any, holder: Any, *, spouse: str | None = None, **data: Any) -> HardshipFile:
    members = [
        MemberInput("self", holder.name, holder.id_number(), "employed", wage="20000"),
        MemberInput("spouse", "李秀英", spouse or new_id(sex="F"), "unemployed"),
    ]
    return services.file_create(
        actor=None, org=org, holder=holder, data={"cause_main": "illness", "medical_expense": "6000", **data}, members=members
    )


def file_in_state(world: Any, org: Any, holder: Any, to: str, **data: Any) -> HardshipFile:
    """A household file of ``org`` in state ``to`` (one of ``ORDER``, or temp_active), walked
    through the services; the center's steps run without an actor (not checked)."""
    _standards()
    f = _draft(org, holder, kind="temporary" if to == "temp_active" else "formal", **data)
    today = timezone.localdate()
    steps = [
        ("submitted", lambda: services.file_submit(actor=None, file=f)),
        ("prelim_ok", lambda: services.file_prelim(actor=None, file=f)),
        (
            "visited",
            lambda: services.file_visit(
                actor=world.users["fed_admin"], file=f, visited_on=today, channel="home", application_signed=True, consent_signed=True, **NOTES
            ),
        ),
        ("reviewed", lambda: services.file_review(actor=None, file=f)),
        ("publicized", lambda: services.file_publicize(actor=None, file=f, notice_from=today, notice_to=today + dt.timedelta(days=4))),
        (
            "notice_over",
            lambda: HardshipFile.objects.filter(pk=f.pk).update(notice_from=F("notice_from") - TEN_DAYS, notice_to=F("notice_to") - TEN_DAYS),
        ),
        ("active", lambda: services.file_approve(actor=None, file=f)),
    ]
    # approving a temporary file puts it on record as 临时救助
    goal = ORDER.index("active" if to == "temp_active" else to)
    for _state, go in steps[:goal]:
        go()
    f.refresh_from_db()
    return f


def _aid_envelope(targets: Any) -> Any:
    """This year's 生活救助 budget of the relation's union, funded by a federation admin at the root."""
    from gonghui.money import services as money
    from gonghui.money.models import Programme

    maker = make_user("aid_budget", "fed_admin", org=targets.w.root)
    env = money.envelope_create(actor=maker, programme=Programme.objects.get(code="living"), org=targets.org, year=timezone.localdate().year)
    money.envelope_fund(actor=maker, envelope=env, amount=1_000_000)
    return env


def _conflict(targets: Any) -> DedupeConflict:
    """The relation's union submits a household whose spouse is on file at 西宁丙公司工会."""
    _standards()
    spouse = new_id(sex="F")
    held = _draft(targets.w.unit_b, make_person(targets.w.unit_b, "马福"), spouse=spouse)
    services.file_submit(actor=None, file=held)
    raising = _draft(targets.org, targets.person, spouse=spouse)
    with contextlib.suppress(ServiceError):  # refused: the conflict is recorded
        services.file_submit(actor=None, file=raising)
    return DedupeConflict.objects.get(file=raising)


def _file_form(rows: list[dict[str, Any]], *, initial: int) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "formal", "level": "grassroots", "area": "urban", "cause_main": "illness", "medical_expense": "6000"}
    data |= {"members-TOTAL_FORMS": len(rows), "members-INITIAL_FORMS": initial, "members-MIN_NUM_FORMS": 0, "members-MAX_NUM_FORMS": 20}
    for i, r in enumerate(rows):
        data |= {f"members-{i}-{k}": v for k, v in r.items()}
    return data


def _payload(name: str, targets: Any, f: HardshipFile) -> dict[str, Any]:
    today = timezone.localdate()
    match name:
        case "file_prelim" | "file_review":
            return {"note": ""}
        case "file_visit":
            return {"visited_on": today.isoformat(), "channel": "home", "application_signed": "on", "consent_signed": "on", **NOTES}
        case "file_publicize":
            return {"notice_from": today.isoformat(), "notice_to": (today + dt.timedelta(days=6)).isoformat()}
        case "file_objection" | "file_return" | "file_lift" | "file_safety_net":
            return {"reason": "说明"}
        case "file_adjust":
            return {"level": "county", "reason": "复核调整"}
        case "file_cancel":
            return {"reason_code": "death", "reason": ""}
        case "file_annual_review":
            return {"year": today.year, "outcome": "keep", "note": ""}
        case "file_contact":
            contact = make_user("contact", "cadre", org=targets.org)
            contact.display_name = "周干事"
            contact.save()
            return {"cadre": contact.pk}
        case "file_visit_log":
            return {"visited_on": today.isoformat(), "channel": "phone", **NOTES}
    return {}


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if not name.startswith("hardship:"):
        return None
    name = name.removeprefix("hardship:")
    org_kw = {"org_id": targets.org.pk}
    if name in STEP_STATE:
        state = STEP_STATE[name]
        f = file_in_state(targets.w, targets.org, targets.person, state)
        return {"pk": f.pk}, _payload(name, targets, f)
    match name:
        case "index":
            _draft(targets.org, targets.person)
            return org_kw, {}
        case "create":
            rows = [
                {"relation": "self", "name": targets.person.name, "id_number": "", "health": "healthy", "work_status": "employed", "wage": "20000"},
                {"relation": "spouse", "name": "李秀英", "id_number": new_id(sex="F"), "health": "healthy", "work_status": "unemployed"},
            ]
            return org_kw, {**_file_form(rows, initial=0), "holder": targets.person.pk}
        case "detail":
            return {"pk": _draft(targets.org, targets.person).pk}, {}
        case "edit":
            f = _draft(targets.org, targets.person)
            rows = [
                {
                    "member": m.pk,
                    "relation": m.relation,
                    "name": m.name,
                    "id_number": "",
                    "health": m.health,
                    "work_status": m.work_status,
                    "wage": "100",
                }
                for m in f.members.all()
            ]
            return {"pk": f.pk}, _file_form(rows, initial=len(rows))
        case "file_aid":
            f = file_in_state(targets.w, targets.org, targets.person, "active")
            env = _aid_envelope(targets)
            return {"pk": f.pk}, {"envelope": env.pk, "amount": "1000", "self_paid": "", "fund_source": "own", "campaign": ""}
        case "member_reveal":
            return {"pk": _draft(targets.org, targets.person).members.get(relation="spouse").pk}, {}
        case "conflict_resolve":
            return {"pk": _conflict(targets).pk}, {"resolution": "已协调：由原建档工会调整"}
    return None
