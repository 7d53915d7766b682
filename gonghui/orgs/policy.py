"""The one access policy over the org tree. Every view, API call, export, form choice and task
asks here.

A grant on an org node covers its whole subtree. Actions:

- ``view``: read the records of orgs in scope (people shown masked);
- ``operate``: register people, change memberships, handle transfers;
- ``manage``: edit, create and close orgs; grant roles below oneself;
- ``move``: move a subtree (federation admins only);
- ``reveal``: show a full ID or phone number (needs ``can_reveal`` on the grant, audited);
- ``audit``: browse the audit trail of orgs in scope.

Alliance coordinators hold their grant on an alliance: they see that alliance's own records and
aggregate figures of its member unions, never those unions' personal data. Workers see themselves.
Objects outside a user's scope answer 404 (``get_*_for_user``); inside scope but without the
action, ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from gonghui.lib import fastsql
from gonghui.lib.textrange import prefix_q

from .models import Org, ancestor_paths

if TYPE_CHECKING:
    from gonghui.accounts.models import RoleGrant

ACTIONS = ("view", "operate", "manage", "move", "reveal", "audit")

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "fed_admin": frozenset({"view", "operate", "manage", "move", "audit"}),
    "org_admin": frozenset({"view", "operate", "manage", "audit"}),
    "cadre": frozenset({"view", "operate"}),
    "viewer": frozenset({"view"}),
    "alliance_coord": frozenset(),
    "worker": frozenset(),
}
# Roles a granting role may hand out (never to themselves; see accounts.services).
GRANTABLE: dict[str, frozenset[str]] = {
    "fed_admin": frozenset({"fed_admin", "org_admin", "cadre", "viewer", "alliance_coord", "worker"}),
    "org_admin": frozenset({"org_admin", "cadre", "viewer", "alliance_coord", "worker"}),
}


def grants_join(user_id_sql: str) -> tuple[str, str]:
    """(columns, joins) that read a user's live grants with their orgs, the grant table as ``g``:
    ``grants_from_rows`` reads the rows back. The auth backend joins them to the user's row, so a
    request reads its user and grants in one statement (accounts/backends.py)."""
    from gonghui.accounts.models import RoleGrant

    columns = f"{fastsql.columns(RoleGrant, 'g')}, {fastsql.columns(Org, 'o')}"
    joins = (
        f"LEFT JOIN {RoleGrant._meta.db_table} g ON g.user_id = {user_id_sql} AND g.revoked_at IS NULL "
        f"LEFT JOIN {Org._meta.db_table} o ON o.id = g.org_id"
    )
    return columns, joins


def grants_from_rows(rows: Iterable[Any]) -> list[RoleGrant]:
    """Grants from rows of ``grants_join``'s columns (rows without a grant, from the LEFT JOIN, skipped)."""
    from gonghui.accounts.models import RoleGrant

    n = len(RoleGrant._meta.concrete_fields)
    grants = []
    for row in rows:
        if row[0] is None:
            continue
        grant = fastsql.build(RoleGrant, row[:n])
        if grant.org_id:
            grant.org = fastsql.build(Org, row[n:])
        grants.append(grant)
    return grants


def active_grants(user: Any) -> list[RoleGrant]:
    """The user's live grants, read once per request (cached on the request's user object; the
    auth backend fills the cache when it reads the user). One hand-written read, not an ORM
    query's compilation: every request pays it (lib/fastsql)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gonghui_grants", None)
    if cached is None:
        columns, joins = grants_join("%s")
        with connection.cursor() as cur:
            cur.execute(f"SELECT {columns} FROM (SELECT 1) one {joins} ORDER BY g.id", [user.pk])  # noqa: S608 - names from the models
            cached = grants_from_rows(cur.fetchall())
        user._gonghui_grants = cached
    return cached


def _allows(grant: RoleGrant, action: str) -> bool:
    if action == "reveal":
        return grant.can_reveal and "view" in ROLE_ACTIONS[grant.role]
    return action in ROLE_ACTIONS[grant.role]


def scope_paths(user: Any, action: str = "view") -> list[str]:
    """Root paths of the subtrees where ``user`` may do ``action``, with nested roots removed."""
    paths = sorted({g.org.path for g in active_grants(user) if g.org_id and g.org.is_open and _allows(g, action)})
    roots: list[str] = []
    for p in paths:
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    return roots


def scope_q(user: Any, action: str = "view", *, field: str = "path") -> Q:
    """A filter on ``field`` (a materialized path) matching the user's scope for ``action``."""
    q = Q(pk__in=[])
    for p in scope_paths(user, action):
        q |= prefix_q(field, p)
    return q


def audience_q(user: Any, *, field: str) -> Q:
    """Read access by audience: an object addressed to org A (``field`` is A's path) is readable
    by users whose view scope lies inside A's subtree (a city's published activity reaches the
    lower unions it addresses), and by users whose scope contains A."""
    ancestors: set[str] = set()
    for p in scope_paths(user, "view"):
        ancestors.update(ancestor_paths(p))
    return Q(**{f"{field}__in": sorted(ancestors)}) | scope_q(user, "view", field=field)


def user_can(user: Any, action: str, org: Org) -> bool:
    return any(org.path.startswith(p) for p in scope_paths(user, action))


def orgs_user_can(user: Any, action: str = "view") -> QuerySet[Org]:
    return Org.objects.filter(scope_q(user, action))


def require(user: Any, action: str, org: Org) -> None:
    """404 when the org is out of view, 403 when visible but the action is not allowed."""
    if not user_can(user, "view", org):
        raise Http404
    if not user_can(user, action, org):
        raise PermissionDenied


def get_org_for_user(user: Any, pk: Any, *, action: str = "view") -> Org:
    try:
        org = Org.objects.get(pk=int(pk))
    except (Org.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(user, action, org)
    return org


def alliance_ids(user: Any) -> set[int]:
    """Alliances the user coordinates (grant on the alliance itself)."""
    return {g.alliance_id for g in active_grants(user) if g.role == "alliance_coord" and g.alliance_id}


def has_role(user: Any, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(g.role in wanted for g in active_grants(user))


def is_worker_only(user: Any) -> bool:
    grants = active_grants(user)
    return bool(grants) and all(g.role == "worker" for g in grants)
