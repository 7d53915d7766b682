from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import apply_error

from . import queries, services
from .forms import AllianceForm, CharterForm, LeaveForm, MemberJoinForm, SeatForm
from .models import AllianceMember


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "alliances/index.html", {"alliances": queries.alliances_visible_to(request.user)})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk)
    rows = queries.current_members(alliance)
    return render(
        request,
        "alliances/detail.html",
        {
            "alliance": alliance,
            "rows": rows,
            "figures": {"unions": len(rows), "members": sum(r["members"] for r in rows)},
            "seats": queries.seats(alliance),
            "can_manage": queries.can_manage(request.user, alliance),
            "leave_form": LeaveForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="manage")
    form = AllianceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.alliance_create(actor=request.user, host_org=org, **form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            return redirect("alliances:detail", pk=a.pk)
    return render(request, "form_page.html", {"form": form, "title": _("新建工会联盟（牵头：%(org)s）") % {"org": org.name}})


@login_required
@require_http_methods(["GET", "POST"])
def charter(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    initial = {
        "purpose": alliance.purpose,
        "mechanisms": "\n".join(alliance.mechanisms),
        "platforms": "\n".join(alliance.platforms),
        "brands": "\n".join(alliance.brands),
    }
    form = CharterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.alliance_set_charter(actor=request.user, alliance=alliance, **form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("联盟章程已保存"))
            return redirect("alliances:detail", pk=alliance.pk)
    return render(request, "form_page.html", {"form": form, "title": _("联盟章程：%(name)s") % {"name": alliance.name}})


@login_required
@require_http_methods(["GET", "POST"])
def member_join(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    form = MemberJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alliance_member_join(actor=request.user, alliance=alliance, **form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已加入联盟"))
            return redirect("alliances:detail", pk=alliance.pk)
    return render(request, "form_page.html", {"form": form, "title": _("添加成员工会：%(name)s") % {"name": alliance.name}})


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = AllianceMember.objects.filter(pk=pk).select_related("alliance").first()
    alliance = queries.get_alliance_for_user(request.user, member.alliance_id if member else -1, manage=True)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退出日期"))
    else:
        try:
            services.alliance_member_leave(actor=request.user, member=member, left_on=form.cleaned_data["left_on"])
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已办理退出联盟"))
    return redirect("alliances:detail", pk=alliance.pk)


@login_required
@require_http_methods(["GET", "POST"])
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    form = SeatForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.council_seat_add(actor=request.user, alliance=alliance, **form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已添加理事会成员"))
            return redirect("alliances:detail", pk=alliance.pk)
    return render(request, "form_page.html", {"form": form, "title": _("理事会成员：%(name)s") % {"name": alliance.name}})
