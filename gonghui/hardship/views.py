"""Cadre pages of the hardship files: list, new/edit with the household, the file's page with every
workflow step the viewer may take, the 比对 conflicts, and the 低保 standards.

Each view authorizes through ``queries.get_*_for_user`` / ``orgs.policy``, validates with a form
and calls one service; a refusal is shown at the field it names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.web.helpers import apply_error, paginate, query_without_page

from . import dedupe, queries, services
from .forms import (
    AdjustForm,
    AidForm,
    AnnualReviewForm,
    CancelForm,
    ContactForm,
    FileFilterForm,
    FileForm,
    HolderSearchForm,
    HomeVisitForm,
    MemberFormSet,
    NoteForm,
    ObjectionForm,
    PublicizeForm,
    ReasonForm,
    ResolveForm,
    ReturnForm,
    StandardFilterForm,
    StandardForm,
    StepForm,
    VisitLogForm,
    member_initial,
)
from .models import CancelReason, Category, DedupeConflict, FileEvent, FileLevel, HardshipFile

# ---- the list ----------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    form = FileFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    page = paginate(queries.file_list(request.user, org, **filters), request.GET.get("page"))
    context = {
        "org": org,
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_operate": policy.user_can(request.user, "operate", org),
    }
    return render(request, "hardship/_file_rows.html" if request.htmx else "hardship/index.html", context)


# ---- new file, edit file -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    raw = request.POST.get("holder") if request.method == "POST" else request.GET.get("holder")
    if not raw:
        search = HolderSearchForm(request.GET or None)
        asked = search.is_valid() and any(search.cleaned_data.values())
        found = list(queries.holder_choices(request.user, org, **search.cleaned_data)[:20]) if asked else None
        return render(request, "hardship/pick_holder.html", {"org": org, "search": search, "found": found})
    holder = queries.holder_choices(request.user, org).filter(pk=raw if str(raw).isdigit() else -1).first()
    if holder is None:
        raise Http404
    # The file is built at the holder's own union (属地建档: the employer's or the 街道/社区 union).
    return _file_page(request, org=holder.org, holder=holder, file=None)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = queries.get_file_for_user(request.user, pk, action="operate")
    return _file_page(request, org=file.org, holder=file.holder, file=file)


def _file_page(request: HttpRequest, *, org: Org, holder: Any, file: HardshipFile | None) -> HttpResponse:
    """GET shows the form; POST saves (one service), or with ``preview`` shows the category
    arithmetic of the typed figures, or with ``add_row`` comes back with one household row more."""
    existing = {m.pk: m for m in file.members.all()} if file else {}
    editable = file is None or file.status in HardshipFile.EDITABLE
    ctx: dict[str, Any] = {"org": org, "holder": holder, "file": file, "editable": editable, "lines": [], "preview_error": ""}
    if request.method == "GET":
        form, formset = FileForm(file=file), MemberFormSet(initial=_rows(holder, existing))
        if file is not None:
            ctx["lines"], ctx["preview_error"] = _lines(lambda: services.assessment(file))
    elif "add_row" in request.POST:
        form, formset = FileForm(request.POST, file=file), MemberFormSet.grown(request.POST, existing)
    else:
        form, formset = FileForm(request.POST, file=file), MemberFormSet(request.POST)
        if form.is_valid() and formset.is_valid():
            members = formset.inputs(holder=holder, existing=existing)
            if "preview" in request.POST:
                call = lambda: services.assessment_preview(org=org, holder=holder, data=form.service_data(), members=members)  # noqa: E731
                ctx["lines"], ctx["preview_error"] = _lines(call)
            else:
                try:
                    saved = _save(request, org=org, holder=holder, file=file, data=form.service_data(), members=members)
                except ServiceError as e:
                    if not formset.apply_error(e):
                        apply_error(form, e)
                else:
                    messages.success(request, _("已保存档案 %(number)s") % {"number": saved.number})
                    return redirect("hardship:detail", pk=saved.pk)
        elif "preview" in request.POST:
            ctx["preview_error"] = _("请先改正表中的错误再测算")
    return render(request, "hardship/edit.html", {**ctx, "form": form, "formset": formset})


def _rows(holder: Any, existing: dict[int, Any]) -> list[dict[str, Any]]:
    if existing:
        return [member_initial(m) for m in existing.values()]
    return [{"relation": "self", "name": holder.name, "masked": holder.id_masked}]


def _save(request: HttpRequest, *, org: Org, holder: Any, file: HardshipFile | None, data: dict[str, Any], members: list[Any]) -> HardshipFile:
    if file is None:
        return services.file_create(actor=request.user, org=org, holder=holder, data=data, members=members)
    return services.file_update(actor=request.user, file=file, data=data, members=members)


def _lines(call: Callable[[], Any]) -> tuple[list[str], str]:
    try:
        return call().lines, ""
    except ServiceError as e:
        return [], e.message


# ---- the file's page and its steps -----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: Any
    form: type[StepForm]
    call: Callable[[Any, HardshipFile, dict[str, Any]], Any]
    done: Any
    # service field → form field, where the form names an input differently
    aliases: tuple[tuple[str, str], ...] = ()


class EmptyForm(StepForm):
    pass


STEPS: dict[str, Step] = {
    "submit": Step(_("提交审核"), EmptyForm, lambda u, f, d: services.file_submit(actor=u, file=f), _("已提交")),
    "prelim": Step(_("初审通过"), NoteForm, lambda u, f, d: services.file_prelim(actor=u, file=f, note=d["note"]), _("初审通过")),
    "visit": Step(_("入户调查"), HomeVisitForm, lambda u, f, d: services.file_visit(actor=u, file=f, **d), _("已登记入户调查")),
    "review": Step(_("复核通过"), NoteForm, lambda u, f, d: services.file_review(actor=u, file=f, note=d["note"]), _("复核通过")),
    "publicize": Step(_("公示"), PublicizeForm, lambda u, f, d: services.file_publicize(actor=u, file=f, **d), _("已开始公示")),
    "objection": Step(_("登记异议"), ObjectionForm, lambda u, f, d: services.file_objection(actor=u, file=f, note=d["reason"]), _("已登记异议")),
    "approve": Step(_("批准建档"), EmptyForm, lambda u, f, d: services.file_approve(actor=u, file=f), _("已批准建档")),
    "return": Step(_("退回"), ReturnForm, lambda u, f, d: services.file_return(actor=u, file=f, reason=d["reason"]), _("已退回建档工会")),
    "convert": Step(_("临时档案转正"), EmptyForm, lambda u, f, d: services.file_convert(actor=u, file=f), _("临时档案已转正")),
    "adjust": Step(_("调整（应调则调）"), AdjustForm, lambda u, f, d: services.file_adjust(actor=u, file=f, **d), _("已调整")),
    "lift": Step(_("脱困"), ReasonForm, lambda u, f, d: services.file_lift(actor=u, file=f, reason=d["reason"]), _("已办理脱困")),
    "safety_net": Step(_("转兜底保障"), ReasonForm, lambda u, f, d: services.file_safety_net(actor=u, file=f, reason=d["reason"]), _("已转兜底保障")),
    "cancel": Step(
        _("注销"),
        CancelForm,
        lambda u, f, d: services.file_cancel(actor=u, file=f, reason_code=d["reason_code"], note=d["reason"]),
        _("档案已注销"),
    ),
    "annual_review": Step(
        _("年度复核"),
        AnnualReviewForm,
        lambda u, f, d: services.annual_review(actor=u, file=f, **d),
        _("已登记年度复核"),
        aliases=(("reason", "note"), ("reason_code", "cancel_reason")),
    ),
    "contact": Step(
        _("指定帮扶联系人"), ContactForm, lambda u, f, d: services.contact_assign(actor=u, file=f, cadre=d["cadre"]), _("已指定帮扶联系人")
    ),
    "visit_log": Step(_("登记走访"), VisitLogForm, lambda u, f, d: services.visit_record(actor=u, file=f, **d), _("已登记走访")),
}
# Shown in their own sections of the page rather than under 办理.
SECTION_STEPS = ("contact", "visit_log")

EVENT_LABELS = {
    "create": _("建立草稿"),
    "submit": _("提交审核"),
    "relapse": _("返困重新申请"),
    "prelim": _("初审通过"),
    "visit": _("入户调查"),
    "review": _("复核通过"),
    "publicize": _("公示"),
    "objection": _("登记异议"),
    "approve": _("批准建档"),
    "return": _("退回"),
    "convert": _("临时档案转正"),
    "adjust": _("调整"),
    "lift": _("脱困"),
    "safety_net": _("转兜底保障"),
    "cancel": _("注销"),
}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, queries.get_file_for_user(request.user, pk))


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    file = queries.get_file_for_user(request.user, pk, action="operate")
    s = STEPS[action]
    form = s.form(request.POST, file=file, step=action)
    if form.is_valid():
        try:
            s.call(request.user, file, form.cleaned_data)
        except ServiceError as e:
            aliased = dict(s.aliases).get(e.field or "")
            apply_error(form, ServiceError(e.message, field=aliased) if aliased else e)
        else:
            messages.success(request, s.done)
            return redirect("hardship:detail", pk=file.pk)
    # A refusal may have recorded something (a 比对 conflict); the page reads the file afresh.
    return _detail(request, queries.get_file_for_user(request.user, pk), bound=(action, form))


def _detail(request: HttpRequest, file: HardshipFile, *, bound: tuple[str, StepForm] | None = None) -> HttpResponse:
    user = request.user
    actions = queries.file_actions(user, file)
    if bound and bound[0] not in actions:
        actions.append(bound[0])  # a refused step stays on the page with its message
    steps = {}
    for a in actions:
        if a in STEPS:
            form = bound[1] if bound and bound[0] == a else STEPS[a].form(file=file, step=a)
            label = _("返困重新申请") if a == "submit" and file.status == HardshipFile.Status.LIFTED else STEPS[a].label
            steps[a] = {"name": a, "label": label, "form": form, "url": reverse(f"hardship:file_{a}", kwargs={"pk": file.pk})}
    lines, assessment_error = _lines(lambda: services.assessment(file))
    members = list(file.members.all())
    context = {
        "file": file,
        "members": members,
        "income_fen": sum(m.income_fen for m in members),
        "lines": lines,
        "assessment_error": assessment_error,
        "can_edit": "edit" in actions,
        "can_aid": "aid" in actions,
        "aid": queries.aid_of(file),
        "workflow": [s for a, s in steps.items() if a not in SECTION_STEPS],
        "steps": steps,
        "events": [
            (e, EVENT_LABELS.get(e.action, e.action), _label(HardshipFile.Status, e.to_status), _event_note(e)) for e in queries.timeline(file)
        ],
        "contacts": queries.contact_history(file),
        "visits": queries.visits_of(file),
        "reviews": queries.reviews_of(file),
        "can_reveal": policy.user_can(user, "reveal", file.org),
        "can_view_holder": policy.user_can(user, "view", file.holder.org),
    }
    return render(request, "hardship/detail.html", context)


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def _event_note(e: FileEvent) -> str:
    """What an event's data says, in words (codes shown as their labels)."""
    d = e.data or {}
    if e.action == "publicize" and "from" in d:
        return str(_("公示期 %(a)s 至 %(b)s") % {"a": d["from"], "b": d["to"]})
    if e.action == "adjust":
        return str(
            _("困难类别 %(c1)s → %(c2)s，建档标准 %(l1)s → %(l2)s")
            % {
                "c1": _label(Category, d.get("from_category")),
                "c2": _label(Category, d.get("to_category")),
                "l1": _label(FileLevel, d.get("from_level")),
                "l2": _label(FileLevel, d.get("to_level")),
            }
        )
    if e.action == "cancel" and "reason" in d:
        return str(_("注销原因：%(r)s") % {"r": _label(CancelReason, d["reason"])})
    if d.get("category"):
        return str(_("困难类别：%(c)s") % {"c": _label(Category, d["category"])})
    return ""


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    member = queries.get_member_for_user(request.user, pk, action="reveal")
    value = services.member_reveal(actor=request.user, member=member)
    response = render(request, "people/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


# ---- aid (帮扶资金) ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def aid(request: HttpRequest, pk: int) -> HttpResponse:
    """申请帮扶资金 for an on-record file: one money application, which then waits for approval."""
    file = queries.get_file_for_user(request.user, pk, action="operate")
    try:
        services.aid_check_on_file(file)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("hardship:detail", pk=file.pk)
    form = AidForm(request.POST if request.method == "POST" else None, file=file)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.aid_apply(
                actor=request.user, file=file, envelope=d["envelope"], amount=d["amount"], self_paid=d["self_paid"],
                fund_source=d["fund_source"], campaign=d["campaign"],
            )  # fmt: skip
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已提交帮扶申请#%(n)s，待审批") % {"n": app.pk})
            return redirect("hardship:detail", pk=file.pk)
    return render(request, "hardship/aid.html", {"file": file, "form": form})


# ---- 比对 conflicts ------------------------------------------------------------------------------


@login_required
def conflicts(request: HttpRequest) -> HttpResponse:
    return _conflicts(request)


def _conflicts(request: HttpRequest, *, bound: tuple[int, ResolveForm] | None = None) -> HttpResponse:
    user = request.user
    if not policy.scope_paths(user, "view"):
        raise PermissionDenied
    show = request.GET.get("show", "open")
    qs = queries.conflicts_for(user)
    if show in DedupeConflict.Status.values:
        qs = qs.filter(status=show)
    page = paginate(qs, request.GET.get("page"))
    shown = list(page.rows)
    if bound and bound[0] not in {c.pk for c in shown}:
        shown[:0] = queries.conflicts_for(user).filter(pk=bound[0])  # a refused form stays on the page
    rows = []
    for c in shown:
        # Only what this side may read goes into the page (queries.conflict_view).
        seen = queries.conflict_view(user, c)
        may_resolve = c.status == DedupeConflict.Status.OPEN and any(policy.user_can(user, "operate", o) for o in (c.raised_org, c.holding_org))
        form = bound[1] if bound and bound[0] == c.pk else (ResolveForm(auto_id=f"c{c.pk}-%s") if may_resolve else None)
        rows.append({"c": seen, "status": DedupeConflict.Status(c.status).label, "form": form})
    return render(request, "hardship/conflicts.html", {"rows": rows, "page": page, "show": show, "query": urlencode({"show": show})})


@login_required
@require_POST
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.get_conflict_for_user(request.user, pk, action="operate")
    form = ResolveForm(request.POST, auto_id=f"c{c.pk}-%s")
    if form.is_valid():
        try:
            dedupe.conflict_resolve(actor=request.user, conflict=c, resolution=form.cleaned_data["resolution"])
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已登记协调结果"))
            return redirect("hardship:conflicts")
    return _conflicts(request, bound=(c.pk, form))


# ---- 低保 standards ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def standards(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policy.scope_paths(user, "view"):
        raise PermissionDenied
    regions = queries.standard_regions(user)
    if request.method == "POST" and not regions:
        raise PermissionDenied  # 低保 is recorded by a province-level (or the national) federation
    form = StandardForm(request.POST or None, regions=regions) if regions else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = services.standard_set(actor=user, region_code=d["region_code"], year=d["year"], area=d["area"], monthly=d["monthly"])
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已录入低保标准：%(row)s") % {"row": row})
            return redirect(reverse("hardship:standards") + "?" + urlencode({"region_code": row.region_code}))
    search = StandardFilterForm(request.GET or None)
    filters = {k: v for k, v in (search.cleaned_data if search.is_valid() else {}).items() if v}
    page = paginate(queries.standards(**filters), request.GET.get("page"))
    return render(request, "hardship/standards.html", {"form": form, "search": search, "page": page, "query": query_without_page(request)})
