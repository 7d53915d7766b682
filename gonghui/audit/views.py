from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gonghui.orgs import policy
from gonghui.web.helpers import paginate, query_without_page

from . import queries


@login_required
def events(request: HttpRequest) -> HttpResponse:
    if not policy.scope_paths(request.user, "audit"):
        raise PermissionDenied
    g = request.GET
    qs = queries.events_visible_to(
        request.user, action=g.get("action", ""), actor=g.get("actor", ""), target_type=g.get("target_type", ""), target_id=g.get("target_id", "")
    )
    return render(request, "audit/events.html", {"page": paginate(qs, g.get("page")), "query": query_without_page(request), "filters": g})
