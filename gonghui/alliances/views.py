from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.orgs import policy
from gonghui.web.helpers import form_page, post_action

from . import queries, services
from .forms import (
    AllianceForm,
    BlackoutForm,
    CharterForm,
    LeaveForm,
    MemberJoinForm,
    RotationGenerateForm,
    SeatForm,
    StrengthsForm,
    TurnLinkForm,
    TurnSkipForm,
    TurnSwapForm,
)
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


# Rotation duty (轮值)


def _to_rotation(alliance_id: int) -> HttpResponse:
    return redirect("alliances:rotation", pk=alliance_id)


@login_required
def rotation(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_rotation_alliance_for_user(request.user, pk)
    turns = list(queries.rotation_turns(alliance))
    return render(
        request,
        "alliances/rotation.html",
        {
            "alliance": alliance,
            "turns": turns,
            "in_blackout": queries.turns_in_blackout(turns),
            "ledger": queries.rotation_ledger(alliance),
            "can_manage": queries.can_manage_rotation(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rotation_generate(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = queries.get_rotation_alliance_for_user(request.user, pk, manage=True)
    return form_page(
        request,
        RotationGenerateForm(request.POST or None),
        save=lambda d: services.rotation_generate(actor=request.user, alliance=alliance, **{**d, "wanted_types": list(d["wanted_types"])}),
        success=_("已生成轮值安排"),
        done=lambda p: _to_rotation(alliance.pk),
        title=_("生成轮值安排：%(name)s") % {"name": alliance.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def turn_swap(request: HttpRequest, pk: int) -> HttpResponse:
    turn = queries.get_turn_for_user(request.user, pk)
    return form_page(
        request,
        TurnSwapForm(request.POST or None, turn=turn),
        save=lambda d: services.turn_swap(actor=request.user, turn_a=turn, turn_b=d["other"], reason=d["reason"]),
        success=_("已调换轮值"),
        done=lambda r: _to_rotation(turn.alliance_id),
        title=_("调换轮值：%(period)s · %(org)s") % {"period": turn.period_label, "org": turn.host.org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def turn_skip(request: HttpRequest, pk: int) -> HttpResponse:
    turn = queries.get_turn_for_user(request.user, pk)
    return form_page(
        request,
        TurnSkipForm(request.POST or None),
        save=lambda d: services.turn_skip(actor=request.user, turn=turn, **d),
        success=_("已跳过本期轮值"),
        done=lambda r: _to_rotation(turn.alliance_id),
        title=_("跳过轮值：%(period)s · %(org)s") % {"period": turn.period_label, "org": turn.host.org.name},
    )


@login_required
@require_POST
def turn_done(request: HttpRequest, pk: int) -> HttpResponse:
    turn = queries.get_turn_for_user(request.user, pk)
    post_action(request, lambda: services.turn_done(actor=request.user, turn=turn), success=_("已标记为已完成"))
    return _to_rotation(turn.alliance_id)


@login_required
@require_http_methods(["GET", "POST"])
def turn_link(request: HttpRequest, pk: int) -> HttpResponse:
    turn = queries.get_turn_for_user(request.user, pk)
    return form_page(
        request,
        TurnLinkForm(request.POST or None, turn=turn),
        save=lambda d: services.turn_link_activity(actor=request.user, turn=turn, **d),
        success=_("已关联活动"),
        done=lambda r: _to_rotation(turn.alliance_id),
        title=_("关联活动：%(period)s · %(org)s") % {"period": turn.period_label, "org": turn.host.org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_rotation(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.get_member_for_user(request.user, pk)
    initial = {"activity_types": [s.activity_type_id for s in member.declared_strengths.all()]}
    return form_page(
        request,
        StrengthsForm(request.POST or None, initial=initial),
        save=lambda d: services.member_strengths_set(actor=request.user, member=member, activity_types=list(d["activity_types"])),
        success=_("已保存擅长活动类型"),
        done=lambda m: _to_rotation(member.alliance_id),
        title=_("轮值设置：%(org)s") % {"org": member.org.name},
        template="alliances/rotation_member.html",
        member=member,
        blackouts=member.blackouts.all(),
        blackout_form=BlackoutForm(),
    )


@login_required
@require_POST
def blackout_add(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.get_member_for_user(request.user, pk)
    form = BlackoutForm(request.POST)
    if form.is_valid():
        post_action(
            request, lambda: services.member_blackout_add(actor=request.user, member=member, **form.cleaned_data), success=_("已添加避开日期")
        )
    else:
        from django.contrib import messages

        messages.error(request, _("请填写开始日期、结束日期和原因"))
    return redirect("alliances:member_rotation", pk=member.pk)


@login_required
@require_POST
def blackout_delete(request: HttpRequest, pk: int) -> HttpResponse:
    blackout = queries.get_blackout_for_user(request.user, pk)
    post_action(request, lambda: services.member_blackout_delete(actor=request.user, blackout=blackout), success=_("已删除避开日期"))
    return redirect("alliances:member_rotation", pk=blackout.member_id)
