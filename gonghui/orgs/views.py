from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gonghui.web.helpers import form_page

from . import policy, queries, services
from .forms import OrgCloseForm, OrgForm, OrgMoveForm


def _to_detail(org):  # type: ignore[no-untyped-def]
    return redirect("orgs:detail", pk=org.pk)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    roots = [(r, queries.children_of(r)) for r in queries.scope_roots(request.user)]
    return render(request, "orgs/tree.html", {"roots": roots})


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk)
    return render(request, "orgs/_children.html", {"nodes": queries.children_of(org)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "crumbs": queries.visible_ancestors(request.user, org),
            "children": queries.children_of(org),
            "member_total": queries.subtree_member_total(org),
            "org_total": queries.subtree_org_count(org),
            "moves": queries.moves_of(org)[:10],
            "can_manage": policy.user_can(request.user, "manage", org),
            "can_move": policy.user_can(request.user, "move", org) and org.parent_id is not None,
            "can_operate": policy.user_can(request.user, "operate", org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = policy.get_org_for_user(request.user, pk, action="manage")
    return form_page(
        request,
        OrgForm(request.POST or None, initial={"region_code": parent.region_code}),
        save=lambda data: services.org_create(actor=request.user, parent=parent, data=data),
        success=_("已新建组织"),
        done=_to_detail,
        title=_("新建下级组织"),
        parent=parent,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="manage")
    return form_page(
        request,
        OrgForm(request.POST or None, instance=org if request.method == "GET" else None),
        save=lambda data: services.org_update(actor=request.user, org=org, data=data),
        success=_("已保存"),
        done=_to_detail,
        title=_("编辑：%(org)s") % {"org": org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="move")
    return form_page(
        request,
        OrgMoveForm(request.POST or None, user=request.user),
        save=lambda d: services.org_move(actor=request.user, org=org, new_parent=d["target_code"], reason=d["reason"]),
        success=_("已调整隶属关系"),
        done=_to_detail,
        title=_("调整隶属关系：%(org)s") % {"org": org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="manage")
    return form_page(
        request,
        OrgCloseForm(request.POST or None),
        save=lambda d: services.org_close(actor=request.user, org=org, on=d["closed_on"], reason=d["reason"]),
        success=_("已撤销该组织"),
        done=_to_detail,
        title=_("撤销组织：%(org)s") % {"org": org.name},
    )
