from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gonghui.lib.errors import ServiceError
from gonghui.web.helpers import apply_error

from . import policy, queries, services
from .forms import OrgCloseForm, OrgForm, OrgMoveForm


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
    form = OrgForm(request.POST or None, initial={"region_code": parent.region_code})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, data=form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已新建组织：%(org)s") % {"org": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "form_page.html", {"form": form, "parent": parent, "title": _("新建下级组织")})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="manage")
    form = OrgForm(request.POST or None, instance=org if request.method == "GET" else None, initial=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.user, org=org, data=form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已保存"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "form_page.html", {"form": form, "org": org, "title": _("编辑：%(org)s") % {"org": org.name}})


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="move")
    form = OrgMoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(actor=request.user, org=org, new_parent=form.cleaned_data["target_code"], reason=form.cleaned_data["reason"])
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已调整隶属关系"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "form_page.html", {"form": form, "org": org, "title": _("调整隶属关系：%(org)s") % {"org": org.name}})


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, pk, action="manage")
    form = OrgCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_close(actor=request.user, org=org, on=form.cleaned_data["closed_on"], reason=form.cleaned_data["reason"])
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已撤销该组织"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "form_page.html", {"form": form, "org": org, "title": _("撤销组织：%(org)s") % {"org": org.name}})
