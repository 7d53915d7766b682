from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum

from gonghui.lib.textrange import prefix_q

from . import policy
from .models import Org, OrgMove


def scope_roots(user: Any) -> QuerySet[Org]:
    """The top nodes of the user's visible subtrees (what the tree page starts from)."""
    return Org.objects.filter(path__in=policy.scope_paths(user, "view")).order_by("path")


def children_of(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(parent=org).annotate(has_children=Exists(Org.objects.filter(parent=OuterRef("pk")))).order_by("status", "name")


def subtree_member_total(org: Org) -> int:
    return Org.objects.filter(prefix_q("path", org.path)).aggregate(n=Sum("member_count"))["n"] or 0


def subtree_org_count(org: Org) -> int:
    return Org.objects.filter(prefix_q("path", org.path)).count()


def ancestors(org: Org) -> list[Org]:
    ids = org.ancestor_ids()
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def visible_ancestors(user: Any, org: Org) -> list[Org]:
    """Breadcrumb nodes the user may open (ancestors above their scope are not shown)."""
    return [a for a in ancestors(org) if policy.user_can(user, "view", a)]


def moves_of(org: Org) -> QuerySet[OrgMove]:
    return OrgMove.objects.filter(org=org).select_related("from_parent", "to_parent", "moved_by")


def search(user: Any, text: str, *, limit: int = 20) -> QuerySet[Org]:
    qs = policy.orgs_user_can(user, "view")
    text = text.strip()
    if text:
        qs = qs.filter(name__contains=text) if len(text) > 1 else qs.filter(prefix_q("name", text))
    return qs.order_by("path")[:limit]
