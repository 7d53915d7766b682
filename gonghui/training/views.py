from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.audit import services as audit
from gonghui.exports import xlsx
from gonghui.imports import workbooks
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import apply_error, form_page, paginate, post_action

from . import queries, services, staff
from .forms import AttendanceForm, BatchForm, PlanForm
from .models import TrainingBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def index(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    page = paginate(queries.plans_of(request.user, org), request.GET.get("page"))
    return render(request, "training/index.html", {"org": org, "page": page, "can_operate": policy.user_can(request.user, "operate", org)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    form = PlanForm(request.POST or None, request.FILES or None, user=request.user, org=org)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            people = staff.from_upload(d["file"], org=org) if d["source"] == "upload" else staff.from_roll(request.user, org)
            plan = services.plan_create(
                actor=request.user, org=org, title=d["title"], batches=d["batches"], staff=people, source=d["source"], activity=d["activity"]
            )
        except staff.StaffListInvalid as e:
            errors = e.errors
            form.add_error("file", _("名单有%(n)s处错误，未建立培训计划，请改正后重新上传") % {"n": len(e.errors)})
        except ServiceError as e:
            apply_error(form, e)
        else:
            return redirect("training:detail", pk=plan.pk)
    return render(request, "training/create.html", {"org": org, "form": form, "errors": errors})


@login_required
def template(request: HttpRequest) -> HttpResponse:
    if not policy.scope_paths(request.user, "operate"):
        raise PermissionDenied
    data = workbooks.template(sheet_name=staff.SHEET, columns=staff.COLUMNS, title="培训名单")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('培训名单模板')}.xlsx"
    return response


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    cov = queries.coverage(plan)
    try:
        number = min(max(int(request.GET.get("batch") or 1), 1), plan.batch_count)
    except ValueError:
        number = 1
    page = paginate(queries.roster(plan, batch=number), request.GET.get("page"))
    batch = plan.batches.select_related("session").get(number=number)
    can_operate = policy.user_can(request.user, "operate", plan.org)
    return render(
        request,
        "training/detail.html",
        {"plan": plan, "cov": cov, "batch": batch, "page": page, "can_operate": can_operate, "query": f"batch={number}"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = queries.get_batch_for_user(request.user, pk, action="operate")
    initial = {"starts_on": batch.starts_on, "place": batch.place, "session": batch.session_id}
    return form_page(
        request,
        BatchForm(request.POST or None, initial=initial, batch=batch),
        save=lambda d: services.batch_update(actor=request.user, batch=batch, starts_on=d["starts_on"], place=d["place"], session=d.get("session")),
        success=_("已保存批次信息"),
        done=lambda b: redirect(_detail_url(b)),
        title=_("%(plan)s · 第%(n)s批") % {"plan": batch.plan.title, "n": batch.number},
    )


def _detail_url(batch: TrainingBatch) -> str:
    return reverse("training:detail", kwargs={"pk": batch.plan_id}) + f"?batch={batch.number}"


@login_required
@require_POST
def batch_sync(request: HttpRequest, pk: int) -> HttpResponse:
    batch = queries.get_batch_for_user(request.user, pk, action="operate")
    post_action(request, lambda: services.attendance_from_checkins(actor=request.user, batch=batch), success=_("已按活动签到登记参训"))
    return redirect(_detail_url(batch))


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    a = queries.get_assignment_for_user(request.user, pk, action="operate")
    form = AttendanceForm(request.POST)
    form.is_valid()  # a missing box is "not attended", as browsers send an unchecked checkbox
    services.attendance_mark(actor=request.user, assignment=a, attended=form.cleaned_data.get("attended", False))
    if request.htmx:
        row = queries.roster(a.plan).get(pk=a.pk)
        return render(request, "training/_row.html", {"a": row, "can_operate": True})
    return redirect(_detail_url(a.batch))


@login_required
def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    show = request.GET.get("show", "missing")
    attended = {"missing": False, "attended": True}.get(show)
    page = paginate(queries.roster(plan, attended=attended), request.GET.get("page"))
    return render(
        request, "training/coverage.html", {"plan": plan, "cov": queries.coverage(plan), "page": page, "show": show, "query": f"show={quote(show)}"}
    )


@login_required
def export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    plan = queries.get_plan_for_user(request.user, pk)
    audit.record(actor=request.user, action="training.export", target=plan)
    rows = queries.coverage_rows(plan)
    response = StreamingHttpResponse(xlsx.stream(sheet_name="参训情况", headers=queries.EXPORT_HEADERS, rows=rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(plan.title + '参训情况')}.xlsx"
    response["Cache-Control"] = "no-store"
    return response
