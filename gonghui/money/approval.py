"""Who must approve an application: the chain up the org tree, from the cumulative amount.

Rule (documented in docs/architecture.md, "Money"):

1. The first step is always the envelope's org — the union whose budget pays decides, by a user
   holding ``manage`` there (its org_admin, or a fed_admin/org_admin of an ancestor).
2. For each threshold in ``settings.MONEY_APPROVAL_THRESHOLDS`` (level, fen) that the cumulative
   amount of the subject × programme × year exceeds, a step at the envelope org's ancestor of
   that level is added (default: > ¥20,000 the province, > ¥50,000 the national federation).
   A step already covered by an org at or above that level is not repeated.
3. Steps are decided in order, each by a different person, never by the application's maker.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from gonghui.orgs.models import Org

DEFAULT_THRESHOLDS: tuple[tuple[str, int], ...] = (
    (Org.Level.PROVINCE, 2_000_000),  # ¥20,000.00
    (Org.Level.NATIONAL, 5_000_000),  # ¥50,000.00
)
LEVEL_RANK = {level: i for i, level in enumerate(Org.Level.values)}  # national 0 … grassroots 5


@dataclass(frozen=True)
class Step:
    org: Org
    level: str
    reason: str


def thresholds() -> list[tuple[str, int]]:
    configured = getattr(settings, "MONEY_APPROVAL_THRESHOLDS", None) or DEFAULT_THRESHOLDS
    return sorted(((str(level), int(limit)) for level, limit in configured), key=lambda t: t[1])


def chain_for(*, envelope_org: Org, cumulative: int) -> list[Step]:
    from gonghui.lib.money import yuan

    lineage = sorted(Org.objects.filter(pk__in=[*envelope_org.ancestor_ids(), envelope_org.pk]), key=lambda o: o.depth)
    steps = [Step(envelope_org, envelope_org.level, "预算所属工会审批")]
    for level, limit in thresholds():
        if cumulative <= limit:
            continue
        wanted = LEVEL_RANK[level]
        # The deepest org of the lineage at or above the wanted level (the province itself, or
        # the nearest higher node where a tree skips that level).
        candidates = [o for o in lineage if LEVEL_RANK[o.level] <= wanted]
        target = candidates[-1] if candidates else lineage[0]
        if any(LEVEL_RANK[s.org.level] <= wanted for s in steps):
            continue  # an org at or above that level already decides
        steps.append(Step(target, target.level, f"累计金额超过{yuan(limit)}"))
    return steps
