"""比对 (dedupe) across the whole federation, by ID number — holder and household members.

Numbers are compared through their keyed blind index (``HouseholdClaim.id_bidx``, unique), so a
check is one indexed lookup per number and needs no decryption. What the raising union learns is
the holding union's name and how to reach it; the holding union sees the conflict against its own
file. Both sides are audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib import crypto, idcard
from gonghui.lib.errors import ServiceError

from .models import DedupeConflict, HardshipFile, HouseholdClaim

CHUNK = 900  # below SQLite's default host-parameter ceiling on old builds; fine for PostgreSQL


def bidx(number: str) -> str:
    return crypto.blind_index(number, purpose="hardship.member.id")


def claimed(bidxs: Iterable[str]) -> dict[str, int]:
    """blind index → id of the file claiming it, for those claimed."""
    keys = list(dict.fromkeys(bidxs))
    out: dict[str, int] = {}
    for i in range(0, len(keys), CHUNK):
        out.update(HouseholdClaim.objects.filter(id_bidx__in=keys[i : i + CHUNK]).values_list("id_bidx", "file_id"))
    return out


def check_numbers(households: Sequence[Sequence[str]]) -> list[list[int]]:
    """For each household (its members' ID numbers), the files already holding any of them.

    Used for batch screening (e.g. a list of applications from a campaign); numbers are parsed
    and normalized first, so full-width digits and 15-digit numbers compare equal.
    """
    keyed = [[bidx(idcard.parse(n).number) for n in h] for h in households]
    held = claimed(k for h in keyed for k in h)
    return [sorted({held[k] for k in h if k in held}) for h in keyed]


def contact_route(org: Any) -> str:
    return org.contact.strip() if (org.contact or "").strip() else _("请经共同的上级工会联系")


def conflict_line(c: DedupeConflict) -> str:
    """What the raising union is told: its own member, and the holding union's name and route."""
    where = {"org": c.holding_org.name, "contact": contact_route(c.holding_org)}
    if c.member:
        return _("%(name)s（身份证尾号%(tail)s）已在%(org)s建档（联系方式：%(contact)s）") % {
            "name": c.member.name,
            "tail": c.member.id_tail,
            **where,
        }
    return _("家庭成员已在%(org)s建档（联系方式：%(contact)s）") % where


def raise_conflicts(*, actor: Any, file: HardshipFile) -> list[DedupeConflict]:
    """Compare the file's household with every claiming file elsewhere; record open conflicts."""
    members = list(file.members.all())
    held = claimed(m.id_bidx for m in members)
    hits = [(m, held[m.id_bidx]) for m in members if m.id_bidx in held and held[m.id_bidx] != file.pk]
    if not hits:
        return []
    with transaction.atomic():
        others = {f.pk: f for f in HardshipFile.objects.select_related("org").filter(pk__in={o for _, o in hits})}
        out: list[DedupeConflict] = []
        for member, other_id in hits:
            other = others[other_id]
            c, created = DedupeConflict.objects.get_or_create(
                file=file,
                other_file=other,
                member=member,
                status=DedupeConflict.Status.OPEN,
                defaults={
                    "raised_org": file.org,
                    "holding_org": other.org,
                    "raised_by": actor if getattr(actor, "pk", None) else None,
                    "raised_at": timezone.now(),
                },
            )
            if created:
                audit.record(actor=actor, action="hardship.dedupe_raised", target=file, data={"conflict": c.pk, "holding_org": other.org_id})
                audit.record(actor=actor, action="hardship.dedupe_held", target=other, data={"conflict": c.pk, "raised_org": file.org_id})
            out.append(c)
    return out


@transaction.atomic
def conflict_resolve(*, actor: Any, conflict: DedupeConflict, resolution: str) -> DedupeConflict:
    """Either side records how the two unions settled it (a member removed, a file cancelled …)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(_("请填写协调结果"), field="resolution")
    if len(resolution) > 200:
        raise ServiceError(_("协调结果不能超过200个字"), field="resolution")
    updated = DedupeConflict.objects.filter(pk=conflict.pk, status=DedupeConflict.Status.OPEN).update(
        status=DedupeConflict.Status.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=actor if getattr(actor, "pk", None) else None,
        resolution=resolution,
    )
    if updated != 1:
        raise ServiceError(_("该比对问题已协调完毕"), field="status", code="wrong_state")
    conflict.refresh_from_db()
    for target in (conflict.file, conflict.other_file):
        audit.record(actor=actor, action="hardship.dedupe_resolved", target=target, data={"conflict": conflict.pk})
    return conflict
