from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.activities import codes
from gonghui.alliances.queries import alliances_visible_to
from gonghui.hardship import queries as hardship_queries
from gonghui.orgs import policy
from gonghui.orgs import queries as org_queries
from gonghui.people import queries as people_queries

from .context import current_scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if policy.is_worker_only(request.user):
        return redirect("web:me")
    scope = current_scope(request)
    context = {"alliances": alliances_visible_to(request.user)[:10]}
    if scope is not None:
        context |= {
            "scope": scope,
            "member_total": org_queries.subtree_member_total(scope),
            "org_total": org_queries.subtree_org_count(scope),
            "children": org_queries.children_of(scope)[:30],
            "pending_transfers": people_queries.transfers_for(request.user).filter(status="pending").count(),
        }
    return render(request, "web/home.html", context)


@login_required
@require_POST
def switch_scope(request: HttpRequest) -> HttpResponse:
    org = policy.get_org_for_user(request.user, request.POST.get("org"))
    request.session["scope_org"] = org.pk
    return redirect("web:home")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    person = request.user.person
    memberships = people_queries.memberships_of(person) if person else []
    member_qr = codes.qr_svg(codes.member_code(person), scale=5) if person else None
    files = hardship_queries.own_files(person) if person else []
    return render(request, "web/me.html", {"person": person, "memberships": memberships, "member_qr": member_qr, "hardship_files": files})
