from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.orgs import policy
from gonghui.web.helpers import form_page, post_action

from . import queries, services
from .forms import AllianceForm, CharterForm, LeaveForm, MemberJoinForm, SeatForm
from .models import AllianceMember


def _to_detail(alliance_id: int) -> HttpResponse:
    return redirect("alliances:detail", pk=alliance_id)


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
            "figures": queries.figures(alliance, rows),
            "seats": queries.seats(alliance),
            "can_manage": queries.can_manage(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="manage")
    return form_page(
        request,
        AllianceForm(request.POST or None),
        save=lambda d: services.alliance_create(actor=request.user, host_org=org, **d),
        success=_("已新建工会联盟"),
        done=lambda a: _to_detail(a.pk),
        title=_("新建工会联盟（牵头：%(org)s）") % {"org": org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def charter(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    initial = {"purpose": alliance.purpose, **{k: "\n".join(getattr(alliance, k)) for k in ("mechanisms", "platforms", "brands")}}
    return form_page(
        request,
        CharterForm(request.POST or None, initial=initial),
        save=lambda d: services.alliance_set_charter(actor=request.user, alliance=alliance, **d),
        success=_("联盟章程已保存"),
        done=lambda a: _to_detail(a.pk),
        title=_("联盟章程：%(name)s") % {"name": alliance.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_join(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    return form_page(
        request,
        MemberJoinForm(request.POST or None),
        save=lambda d: services.alliance_member_join(actor=request.user, alliance=alliance, **d),
        success=_("已加入联盟"),
        done=lambda m: _to_detail(alliance.pk),
        title=_("添加成员工会：%(name)s") % {"name": alliance.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_alliance_for_user(request.user, pk, manage=True)
    return form_page(
        request,
        SeatForm(request.POST or None, user=request.user),
        save=lambda d: services.council_seat_add(actor=request.user, alliance=alliance, **d),
        success=_("已添加理事会成员"),
        done=lambda s: _to_detail(alliance.pk),
        title=_("理事会成员：%(name)s") % {"name": alliance.name},
    )


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = AllianceMember.objects.filter(pk=pk).first()
    alliance = queries.get_alliance_for_user(request.user, member.alliance_id if member else -1, manage=True)
    form = LeaveForm(request.POST)
    if form.is_valid():
        post_action(
            request,
            lambda: services.alliance_member_leave(actor=request.user, member=member, left_on=form.cleaned_data["left_on"]),
            success=_("已办理退出联盟"),
        )
    else:
        from django.contrib import messages

        messages.error(request, _("请填写退出日期"))
    return _to_detail(alliance.pk)
