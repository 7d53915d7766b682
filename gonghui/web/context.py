from __future__ import annotations

from typing import Any

from gonghui.orgs import policy
from gonghui.orgs.models import Org


def scope_roots(user: Any) -> list[Org]:
    return list(Org.objects.filter(path__in=policy.scope_paths(user, "view")).order_by("path"))


def current_scope(request: Any, roots: list[Org] | None = None) -> Org | None:
    """The org the user is working in: picked in the session (any org they may view, re-checked
    on every request), else the first root of their scope."""
    roots = request_scope_roots(request) if roots is None else roots
    chosen = request.session.get("scope_org")
    picked = next((o for o in roots if o.pk == chosen), None)
    if picked is None and chosen:
        org = Org.objects.filter(pk=chosen).first()
        picked = org if org is not None and policy.user_can(request.user, "view", org) else None
    return picked or (roots[0] if roots else None)


def request_scope_roots(request: Any) -> list[Org]:
    """Scope roots, read once per request (the view and the layout both need them)."""
    if not hasattr(request, "_gonghui_scope_roots"):
        request._gonghui_scope_roots = scope_roots(request.user)
    return request._gonghui_scope_roots


def scope(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roots = request_scope_roots(request)
    return {
        "scope_roots": roots,
        "current_scope": current_scope(request, roots),
        "is_worker_only": policy.is_worker_only(user),
        "can_audit": bool(policy.scope_paths(user, "audit")),
        "can_operate": bool(policy.scope_paths(user, "operate")),
        "coordinates": bool(policy.alliance_ids(user)),
    }
