"""The 10-year purge of closed files: original files are kept 10 years from the date the file is
closed (撤档), then the household's personal data goes (domain.md §1).

What goes: the household members (names, ID numbers, incomes), their claims, the bank account,
the accident text, the visit notes, and the free text of its events, reviews and conflict
resolutions. What stays: the file row with its codes and dates, its events, reviews, contacts and
conflicts (rows, codes, dates), the money applications and ledger rows (they hold ids and
amounts only, and money is never updated in place), and the audit trail. The holder's own record
in the member registry is the registry's business and is not touched here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError

from .models import AnnualReview, DedupeConflict, FileEvent, HardshipFile, HouseholdClaim, HouseholdMember, Visit

RETENTION_YEARS = 10


def cutoff(today: dt.date) -> dt.date:
    """Files closed before this day were closed more than ten years ago."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return dt.date(today.year - RETENTION_YEARS, 2, 28)


def due(today: dt.date) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(status=HardshipFile.Status.CANCELLED, closed_on__lt=cutoff(today), purged_at__isnull=True).order_by("pk")


@dataclass
class Purged:
    files: int = 0
    members: int = 0
    claims: int = 0
    visits: int = 0

    def add(self, other: Purged) -> None:
        self.files += other.files
        self.members += other.members
        self.claims += other.claims
        self.visits += other.visits


@transaction.atomic
def file_purge(*, actor: Any, file: HardshipFile, today: dt.date | None = None) -> Purged:
    """Purge one closed file's personal data; a file already purged is left as it is."""
    today = today or timezone.localdate()
    file = HardshipFile.objects.select_for_update().get(pk=file.pk)
    if file.purged_at is not None:
        return Purged()
    if file.status != HardshipFile.Status.CANCELLED or file.closed_on is None or file.closed_on >= cutoff(today):
        raise ServiceError(_("只有撤档满%(n)d年的档案可以清除个人信息") % {"n": RETENTION_YEARS}, field="status", code="not_due")
    members = HouseholdMember.objects.filter(file=file).count()
    HouseholdMember.objects.filter(file=file).delete()  # conflicts keep their row, member set to NULL
    claims = HouseholdClaim.objects.filter(file=file).delete()[0]
    visits = Visit.objects.filter(file=file).update(cause_note="", needs_note="", measures_note="")
    # Free text a cadre typed may name people ("妻子再就业"): the trails keep their rows, codes,
    # dates and amounts, not the words.
    FileEvent.objects.filter(file=file).exclude(reason="").update(reason="")
    AnnualReview.objects.filter(file=file).exclude(note="").update(note="")
    DedupeConflict.objects.filter(Q(file=file) | Q(other_file=file)).exclude(resolution="").update(resolution="")
    HardshipFile.objects.filter(pk=file.pk).update(bank_cipher="", bank_tail="", accident_event="", purged_at=timezone.now())
    audit.record(
        actor=actor, action="hardship.file_purge", target=file, data={"closed_on": file.closed_on.isoformat(), "members": members, "visits": visits}
    )
    return Purged(files=1, members=members, claims=claims, visits=visits)


def purge_closed(*, actor: Any = None, today: dt.date | None = None) -> Purged:
    """Every file due, one transaction each (a long run can stop and start again)."""
    today = today or timezone.localdate()
    total = Purged()
    for file in due(today).only("pk"):
        total.add(file_purge(actor=actor, file=file, today=today))
    return total
