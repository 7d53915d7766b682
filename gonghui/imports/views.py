from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.orgs import policy
from gonghui.web.helpers import form_page, paginate, post_action

from . import kinds, queries, services, workbooks
from .forms import UploadForm


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not policy.scope_paths(request.user, "operate"):
        raise PermissionDenied
    return render(request, "imports/index.html", {"page": paginate(queries.jobs_visible_to(request.user), request.GET.get("page"))})


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if not policy.scope_paths(request.user, "operate"):
        raise PermissionDenied
    if kind not in kinds.registry():
        raise Http404
    k = kinds.get(kind)
    data = workbooks.template(sheet_name=k.sheet_name, columns=k.columns, title=k.title)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(k.title)}.xlsx"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    return form_page(
        request,
        UploadForm(request.POST or None, request.FILES or None, initial={"kind": "people"}),
        save=lambda d: services.job_create(actor=request.user, org=org, kind=d["kind"], upload=d["file"]),
        success=_("文件已上传，正在校验"),
        done=lambda job: redirect("imports:job", pk=job.uid),
        title=_("批量导入：%(org)s") % {"org": org.name},
        template="imports/new.html",
        org=org,
    )


@login_required
def job(request: HttpRequest, pk: str) -> HttpResponse:
    j = queries.get_job_for_user(request.user, pk)
    template = "imports/_status.html" if request.htmx else "imports/job.html"
    return render(request, template, {"job": j})


@login_required
@require_POST
def apply(request: HttpRequest, pk: str) -> HttpResponse:
    j = queries.get_job_for_user(request.user, pk)
    post_action(request, lambda: services.job_request_apply(actor=request.user, job=j), success=_("已开始导入"))
    return redirect("imports:job", pk=j.uid)


@login_required
def errors(request: HttpRequest, pk: str) -> HttpResponse:
    j = queries.get_job_for_user(request.user, pk)
    if not j.error_report:
        raise Http404
    response = FileResponse(j.error_report.open("rb"), as_attachment=True, filename=f"错误报告-{j.filename}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
