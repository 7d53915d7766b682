"""Pages of the statistics part: reading needs ``view`` on the union (outside it, 404); every
figure and list comes from ``stats`` and so from the user's scope. Exports stream .xlsx with the
ID number masked, and are audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.audit import services as audit
from gonghui.exports import xlsx
from gonghui.lib import idcard
from gonghui.lib.errors import ServiceError
from gonghui.lib.masking import mask_id
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.web.helpers import apply_error, paginate, query_without_page

from . import stats
from .forms_stats import CoverageForm, IdLookupForm, QueryForm, YearForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(name: str, *, sheet: str, headers: list[Any], rows: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(xlsx.stream(sheet_name=sheet, headers=[str(h) for h in headers], rows=rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def statistics(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    form = YearForm(request.GET or None)
    year = form.year_or_current()
    context = {
        "org": org,
        "form": form,
        "year": year,
        "counts": [(stats.COUNT_TITLES[k], rows) for k, rows in stats.counts(request.user, org).items()],
        "report": stats.dynamic_report(request.user, org, year),
        "payments": [(how, stats.payments(request.user, org, by=by)) for by, how in stats.PAYMENT_BY.items()],
        "queries": stats.QUERIES,
    }
    return render(request, "hardship/stats/index.html", context)


@login_required
@require_GET
def statistics_export(request: HttpRequest, org_id: int) -> StreamingHttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    year = YearForm(request.GET or None).year_or_current()
    audit.record(actor=request.user, action="hardship.export", target=org, data={"what": "statistics", "year": year})
    rows = stats.stats_rows(request.user, org, year)
    name = _("%(org)s困难职工档案统计%(year)s年") % {"org": org.name, "year": year}
    return _xlsx(name, sheet=_("档案统计"), headers=stats.STATS_HEADERS, rows=rows)


@login_required
@require_GET
def coverage(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    show = CoverageForm(request.GET or None).show_or_default()
    page = paginate(stats.coverage_list(request.user, org, show), request.GET.get("page"))
    context = {
        "org": org,
        "cov": stats.coverage(request.user, org),
        "show": show,
        "lists": stats.COVERAGE_LISTS,
        "page": page,
        "queries": stats.QUERIES,
    }
    return render(request, "hardship/stats/coverage.html", context | {"query": query_without_page(request)})


@login_required
@require_GET
def coverage_export(request: HttpRequest, org_id: int) -> StreamingHttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    show = CoverageForm(request.GET or None).show_or_default()
    audit.record(actor=request.user, action="hardship.export", target=org, data={"what": "coverage", "show": show})
    rows = stats.file_rows(stats.coverage_list(request.user, org, show))
    return _xlsx(f"{org.name}{stats.COVERAGE_LISTS[show]}", sheet=str(stats.COVERAGE_LISTS[show]), headers=stats.FILE_HEADERS, rows=rows)


def _query(request: HttpRequest, org_id: int, kind: str) -> tuple[Org, QueryForm, Any]:
    """The union, the filled form, and the matching files (None until the form is valid)."""
    org = policy.get_org_for_user(request.user, org_id)
    if kind not in stats.QUERIES:
        raise Http404
    form = QueryForm(request.GET if (request.GET or kind not in stats.NEEDS_VALUE) else None, kind=kind)
    if not form.is_valid():
        return org, form, None
    try:
        qs = stats.run_query(request.user, org, kind, form.cleaned_data.get("value", ""), migrant=form.migrant())
    except ServiceError as e:
        apply_error(form, e)
        return org, form, None
    return org, form, qs


@login_required
@require_GET
def query(request: HttpRequest, org_id: int, kind: str) -> HttpResponse:
    org, form, qs = _query(request, org_id, kind)
    page = paginate(qs, request.GET.get("page")) if qs is not None else None
    context = {"org": org, "form": form, "kind": kind, "title": stats.QUERIES[kind], "queries": stats.QUERIES, "page": page}
    template = "hardship/stats/_results.html" if request.htmx else "hardship/stats/query.html"
    return render(request, template, context | {"query": query_without_page(request)})


@login_required
@require_GET
def query_export(request: HttpRequest, org_id: int, kind: str) -> HttpResponse:
    org, form, qs = _query(request, org_id, kind)
    if qs is None:
        return HttpResponseBadRequest("；".join(str(e) for errors in form.errors.values() for e in errors) or _("请填写户主姓名"))
    audit.record(
        actor=request.user, action="hardship.export", target=org, data={"what": "query", "kind": kind, "worker": form.cleaned_data["worker"]}
    )
    return _xlsx(f"{org.name}{stats.QUERIES[kind]}", sheet=str(stats.QUERIES[kind]), headers=stats.FILE_HEADERS, rows=stats.file_rows(qs))


@login_required
@require_http_methods(["GET", "POST"])
def id_lookup(request: HttpRequest, org_id: int) -> HttpResponse:
    """按身份证号查询: the number is posted (a full ID number never goes into a URL or a log); each
    lookup is audited without the number."""
    org = policy.get_org_for_user(request.user, org_id)
    form = IdLookupForm(request.POST or None)
    files, asked = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            files = list(stats.by_id_number(request.user, org, form.cleaned_data["id_number"]))
        except ServiceError as e:
            form.add_error("id_number", e.message)
        else:
            audit.record(actor=request.user, action="hardship.query_id_number", target=org, data={"found": len(files)})
            asked = mask_id(idcard.normalize(form.cleaned_data["id_number"]))
            form = IdLookupForm()  # the number is not echoed back into the page
    context = {"org": org, "form": form, "files": files, "asked": asked, "queries": stats.QUERIES}
    response = render(request, "hardship/stats/_id_results.html" if request.htmx else "hardship/stats/id_lookup.html", context)
    response["Cache-Control"] = "no-store"
    return response
