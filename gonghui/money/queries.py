"""Reads of the money engine: what a user may see, and the proofs that the ledger holds together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org, ancestor_paths

from .models import AidCampaign, Application, ApprovalStep, Envelope, LedgerEntry, LedgerTransaction


def envelopes_visible_to(user: Any) -> QuerySet[Envelope]:
    return Envelope.objects.filter(policy.scope_q(user, "view", field="org_path")).select_related("programme", "org")


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(policy.scope_q(user, "view", field="org_path")).select_related("programme", "org", "envelope", "campaign")


# ---- the cadres' pages: an org's subtree, as far as the user may see ---------------------


def envelopes_of(user: Any, org: Org, *, year: int) -> QuerySet[Envelope]:
    """Envelopes of ``org``'s subtree for ``year``, with their running totals (no ledger sums)."""
    return envelopes_visible_to(user).filter(prefix_q("org_path", org.path), year=year).order_by("org_path", "programme__sort", "programme_id")


def envelope_years(user: Any, org: Org) -> list[int]:
    """Years with an envelope in ``org``'s subtree, newest first."""
    qs = Envelope.objects.filter(policy.scope_q(user, "view", field="org_path")).filter(prefix_q("org_path", org.path))
    return list(qs.order_by("-year").values_list("year", flat=True).distinct())


def applications_of(user: Any, org: Org, *, status: str = "", envelope_id: int | None = None) -> QuerySet[Application]:
    """Applications from ``org``'s subtree, newest first, with their steps (for the current one)."""
    qs = applications_visible_to(user).filter(prefix_q("org_path", org.path)).select_related("envelope__org")
    if status:
        qs = qs.filter(status=status)
    if envelope_id is not None:
        qs = qs.filter(envelope_id=envelope_id)
    return qs.prefetch_related(Prefetch("steps", queryset=ApprovalStep.objects.select_related("org").order_by("seq")))


def envelopes_for_org(org: Org) -> QuerySet[Envelope]:
    """The envelopes an application of ``org`` may draw on: its own union's and its ancestors',
    whose programme is active; newest year first, then the programme's order, nearest union first."""
    qs = Envelope.objects.filter(org_path__in=ancestor_paths(org.path), programme__is_active=True)
    return qs.select_related("programme", "org").order_by("-year", "programme__sort", "programme_id", "-org_path")


def campaigns_for_org(org: Org, *, today: dt.date) -> QuerySet[AidCampaign]:
    """帮扶专项 an application of ``org`` may join today: launched by its own union or an
    ancestor and running ``today`` (payments join a campaign while it runs); the newest first."""
    return (
        AidCampaign.objects.filter(org_path__in=ancestor_paths(org.path), starts_on__lte=today, ends_on__gte=today)
        .select_related("org")
        .order_by("-starts_on", "id")
    )


def get_application_for_user(user: Any, pk: Any, *, action: str = "view") -> Application:
    """404 unless the user may view the applying union; for ``manage``, 403 unless they manage the
    paying envelope's union (every approver in its chain does: the chain climbs from there)."""
    try:
        app = Application.objects.select_related("org", "envelope__org", "programme", "campaign").get(pk=int(pk))
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not policy.user_can(user, "view", app.org):
        raise Http404
    if action != "view" and not policy.user_can(user, action, app.envelope.org):
        raise PermissionDenied
    return app


def current_step(app: Application) -> ApprovalStep | None:
    """The first undecided step of a pending application, from the prefetched steps."""
    if app.status != Application.Status.PENDING:
        return None
    return next((s for s in app.steps.all() if s.decision == ApprovalStep.Decision.PENDING), None)


def subject_cumulative(*, subject_kind: str, subject_id: int, programme_id: int, year: int) -> int:
    """Amount requested or approved for a subject × programme × year, straight from the applications."""
    total = Application.objects.filter(
        subject_kind=subject_kind, subject_id=subject_id, programme_id=programme_id, year=year, status__in=Application.COUNTED
    ).aggregate(s=Sum("amount"))["s"]
    return int(total or 0)


def unbalanced_transactions() -> list[tuple[int, int, int]]:
    """(transaction id, entry sum, entry count) of every transaction not summing to zero or with < 2 entries."""
    sums = LedgerEntry.objects.values("transaction_id").annotate(s=Sum("amount"), n=Count("id")).order_by("transaction_id")
    bad = [(r["transaction_id"], int(r["s"]), r["n"]) for r in sums if r["s"] != 0 or r["n"] < 2]
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    return sorted(bad + [(pk, 0, 0) for pk in empty])


@dataclass(frozen=True)
class EnvelopeDifference:
    envelope_id: int
    field: str
    running: int
    ledger: int


def envelope_ledger_totals() -> dict[int, tuple[int, int]]:
    """envelope id → (funded, committed) computed from the entries on its two accounts."""
    sums = dict(LedgerEntry.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    return {
        e.pk: (-int(sums.get(e.fund_account_id) or 0), int(sums.get(e.expense_account_id) or 0))
        for e in Envelope.objects.only("pk", "fund_account_id", "expense_account_id")
    }


def envelope_differences() -> list[EnvelopeDifference]:
    totals = envelope_ledger_totals()
    out: list[EnvelopeDifference] = []
    for env in Envelope.objects.order_by("pk"):
        funded, committed = totals[env.pk]
        for field, running, expected in (
            ("funded", env.funded, funded),
            ("committed", env.committed, committed),
            ("remaining", env.remaining, funded - committed),
        ):
            if running != expected:
                out.append(EnvelopeDifference(env.pk, field, running, expected))
    return out


# ---- 帮扶专项 (aid campaigns) ----------------------------------------------------------------


def campaigns_for(user: Any, org: Org) -> list[AidCampaign]:
    """Campaigns that concern ``org``: launched by it or a union above it (they apply to its
    subtree), or by a union in its subtree the user may view; newest first. Each carries what was
    given (approved or paid) in ``org``'s subtree: households, 人次 and amount."""
    mine = Q(org_path__in=ancestor_paths(org.path)) | (prefix_q("org_path", org.path) & policy.scope_q(user, "view", field="org_path"))
    rows = list(AidCampaign.objects.filter(mine).select_related("org").order_by("-starts_on", "-id"))
    given = (
        applications_visible_to(user)
        .filter(prefix_q("org_path", org.path), campaign__in=rows, status__in=Application.GIVEN)
        .order_by()
        .values_list("campaign_id")
        .annotate(households=Count("subject_id", distinct=True), times=Count("id"), amount=Sum("amount"))
    )
    tally = {c: (h, t, int(a)) for c, h, t, a in given}
    for c in rows:
        c.households, c.times, c.amount = tally.get(c.pk, (0, 0, 0))  # type: ignore[attr-defined]
    return rows
