from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.web.helpers import form_page, paginate, post_action, query_without_page

from . import queries, services
from .forms import ActivityForm, BulkRegisterForm, SessionForm, TransitionForm
from .models import Activity, ActivityType


def _to_detail(pk: int) -> HttpResponse:
    return redirect("activities:detail", pk=pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    g = request.GET
    org = Org.objects.filter(pk=g.get("org") if g.get("org", "").isdigit() else -1).first()
    org = org if org is not None and policy.user_can(request.user, "view", org) else None
    qs = queries.filtered(request.user, status=g.get("status", ""), type_id=g.get("type") if g.get("type", "").isdigit() else None, org=org)
    context = {
        "page": paginate(qs, g.get("page")),
        "query": query_without_page(request),
        "statuses": Activity.Status.choices,
        "types": ActivityType.objects.filter(is_active=True),
        "chosen": {"status": g.get("status", ""), "type": g.get("type", ""), "org": org},
    }
    template = "activities/_rows.html" if request.htmx else "activities/index.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A worker's 我的活动: their registrations and the activities open to them now."""
    person = request.user.person  # type: ignore[union-attr]
    registrations = queries.registrations_of(person) if person else []
    return render(request, "activities/mine.html", {"person": person, "registrations": registrations, "open": queries.open_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    return form_page(
        request,
        ActivityForm(request.POST or None, organizer=org),
        save=lambda d: services.activity_create(actor=request.user, organizer=org, **d),
        success=_("已新建活动（草稿），请添加场次"),
        done=lambda a: _to_detail(a.pk),
        title=_("新建活动（主办：%(org)s）") % {"org": org.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    a = queries.get_activity_for_user(request.user, pk, action="operate")
    initial = {
        "title": a.title,
        "activity_type": a.activity_type_id,
        "venue": a.venue,
        "description": a.description,
        "co_organizers": "\n".join(a.co_organizers.values_list("code", flat=True)),
        "audience": "\n".join(a.audience.values_list("org__code", flat=True)),
    }
    return form_page(
        request,
        ActivityForm(request.POST or None, initial=initial, organizer=a.organizer, editing=True),
        save=lambda d: services.activity_update(actor=request.user, activity=a, data=d),
        success=_("活动已保存"),
        done=lambda a: _to_detail(a.pk),
        title=_("修改活动：%(title)s") % {"title": a.title},
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = queries.get_activity_for_user(request.user, pk)
    can_manage = queries.can_manage(request.user, a)
    sessions = queries.sessions_with_counts(a)
    labels = dict(Activity.Status.choices)
    context = {
        "activity": a,
        "sessions": sessions,
        "events": [(e, labels.get(e.from_status, ""), labels.get(e.to_status, "")) for e in queries.events(a)],
        "can_manage": can_manage,
        # Registration lists name people: the organizer's side sees them, the audience sees counts.
        "show_names": policy.user_can(request.user, "view", a.organizer),
        "can_bulk": bool(policy.scope_paths(request.user, "operate")) and a.status in services.REGISTRATION_OPEN,
        "can_self": bool(getattr(request.user, "person_id", None)) and a.status in services.REGISTRATION_OPEN,
        "mine": set(
            queries.registrations_of(request.user.person).filter(session__activity=a).exclude(status="cancelled").values_list("session_id", flat=True)
        )  # type: ignore[union-attr]
        if getattr(request.user, "person_id", None)
        else set(),
        "next_statuses": [(s, Activity.Status(s).label) for s in Activity.Status.values if s in Activity.ALLOWED[a.status]] if can_manage else [],
        "editable": a.status in services.EDITABLE,
        "counts": {"sessions": sum(1 for s in sessions if not s.is_cancelled), "registered": sum(s.n_registered for s in sessions)},
    }
    return render(request, "activities/detail.html", context)


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    a = queries.get_activity_for_user(request.user, pk, action="operate")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要变更的状态"))
        return _to_detail(a.pk)
    post_action(request, lambda: services.activity_transition(actor=request.user, activity=a, **form.cleaned_data), success=_("活动状态已更新"))
    return _to_detail(a.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    a = queries.get_activity_for_user(request.user, pk, action="operate")
    return form_page(
        request,
        SessionForm(request.POST or None),
        save=lambda d: services.session_add(actor=request.user, activity=a, **d),
        success=_("已添加场次"),
        done=lambda s: _to_detail(a.pk),
        title=_("添加场次：%(title)s") % {"title": a.title},
    )


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    s = queries.get_session_for_user(request.user, pk, action="operate")
    post_action(
        request, lambda: services.session_cancel(actor=request.user, session=s, note=request.POST.get("note", "")[:200]), success=_("场次已取消")
    )
    return _to_detail(s.activity_id)


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Self-registration: the worker's own person, for one session."""
    s = queries.get_session_for_user(request.user, pk)
    person = request.user.person  # type: ignore[union-attr]
    if person is None:
        raise PermissionDenied
    post_action(request, lambda: services.registration_create(actor=request.user, session=s, person=person), success=_("报名已提交"))
    if request.POST.get("next") == "mine":
        return redirect("activities:mine")
    return _to_detail(s.activity_id)


@login_required
@require_http_methods(["GET", "POST"])
def register_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    s = queries.get_session_for_user(request.user, pk)
    if not policy.scope_paths(request.user, "operate"):
        raise PermissionDenied
    name = request.GET.get("name", "")[:50]
    return form_page(
        request,
        BulkRegisterForm(request.POST or None, user=request.user, name=name),
        save=lambda d: services.registration_bulk(actor=request.user, session=s, people=list(d["people"])),
        success=_("批量报名已提交"),
        done=lambda regs: _to_detail(s.activity_id),
        title=_("批量报名：%(title)s") % {"title": f"{s.activity.title} · {s.title or s.place}"},
        template="activities/register_bulk.html",
        session=s,
        name=name,
    )


@login_required
@require_POST
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    r = queries.get_registration_for_user(request.user, pk)
    post_action(request, lambda: services.registration_cancel(actor=request.user, registration=r), success=_("报名已取消"))
    if request.POST.get("next") == "mine":
        return redirect("activities:mine")
    return _to_detail(r.session.activity_id)
