"""The cadres' money pages: budget envelopes per org and year, applications, approve and reject.

Reading needs ``view`` on the union (its subtree); approving or rejecting needs ``manage`` on the
paying envelope's union, and the service then checks the rest (the step's level, maker-checker,
the budget) and refuses in words shown to the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import apply_error, paginate, query_without_page

from . import queries, services
from .forms import CampaignForm
from .models import Application


@login_required
def envelopes(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    years = queries.envelope_years(request.user, org)
    year = _int(request.GET.get("year"), 2000, 2100) or (years[0] if years else timezone.localdate().year)
    rows = list(queries.envelopes_of(request.user, org, year=year))
    totals = {k: sum(getattr(e, k) for e in rows) for k in ("funded", "committed", "remaining")}
    pending = dict(
        Application.objects.filter(envelope__in=rows, status=Application.Status.PENDING)
        .values("envelope_id")
        .annotate(s=Sum("amount"))
        .values_list("envelope_id", "s")
    )
    for e in rows:
        e.pending = pending.get(e.pk, 0)  # type: ignore[attr-defined]
    context = {"org": org, "year": year, "years": sorted({*years, year}, reverse=True), "envelopes": rows, "totals": totals}
    return render(request, "money/envelopes.html", context)


@login_required
def applications(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    status = request.GET.get("status", "")
    status = status if status in Application.Status.values else ""
    envelope_id = _int(request.GET.get("envelope"))
    envelope = queries.envelopes_visible_to(request.user).filter(pk=envelope_id).first() if envelope_id else None
    qs = queries.applications_of(request.user, org, status=status, envelope_id=envelope.pk if envelope else None)
    page = paginate(qs, request.GET.get("page"))
    context = {
        "org": org,
        "page": page,
        "rows": [_row(request.user, a) for a in page.rows],
        "query": query_without_page(request),
        "back": request.get_full_path(),
        "statuses": Application.Status.choices,
        "chosen": {"status": status, "envelope": envelope},
    }
    return render(request, "money/_applications.html" if request.htmx else "money/applications.html", context)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest, org_id: int) -> HttpResponse:
    """帮扶专项 that concern the union, with what was given in its subtree; a manager launches one."""
    org = policy.get_org_for_user(request.user, org_id)
    can_create = policy.user_can(request.user, "manage", org)
    if request.method == "POST" and not can_create:
        raise PermissionDenied
    form = CampaignForm(request.POST or None) if can_create else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            c = services.campaign_create(actor=request.user, org=org, **form.cleaned_data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已设立帮扶专项“%(name)s”") % {"name": c.name})
            return redirect("money:campaigns", org_id=org.pk)
    labels = dict(services.subject_categories())
    rows = queries.campaigns_for(request.user, org)
    for c in rows:
        c.category_labels = [labels.get(code, code) for code in c.categories]  # type: ignore[attr-defined]
    return render(request, "money/campaigns.html", {"org": org, "campaigns": rows, "form": form})


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    app = queries.get_application_for_user(request.user, pk, action="manage")
    return _decide(request, app, lambda: services.application_approve(actor=request.user, application=app), _("已同意申请#%(pk)s") % {"pk": app.pk})


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    app = queries.get_application_for_user(request.user, pk, action="manage")
    reason = request.POST.get("reason", "")
    return _decide(
        request, app, lambda: services.application_reject(actor=request.user, application=app, reason=reason), _("已驳回申请#%(pk)s") % {"pk": app.pk}
    )


def _decide(request: HttpRequest, app: Application, call: Any, success: str) -> HttpResponse:
    """One service call; htmx gets the row back with the outcome in it, a plain form a redirect."""
    try:
        call()
    except ServiceError as e:
        notice, ok = e.message, False
    else:
        notice, ok = success, True
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        nxt = reverse("money:applications", kwargs={"org_id": app.org_id}) + "?status=pending"
    if request.htmx:  # type: ignore[attr-defined]
        fresh = queries.applications_of(request.user, app.org).get(pk=app.pk)
        context = {"r": _row(request.user, fresh), "notice": notice, "notice_ok": ok, "back": nxt}
        return render(request, "money/_application_row.html", context)
    (messages.success if ok else messages.error)(request, notice)
    return redirect(nxt)


# The page of each kind of subject an application pays, and how to name it (the engine is generic;
# its subject apps are listed here). A subject the viewer may not open answers 404 on its own page.
SUBJECT_PAGES: dict[str, tuple[str, Any]] = {"hardship.file": ("hardship:detail", gettext_lazy("困难档案"))}


def _row(user: Any, app: Application) -> dict[str, Any]:
    """An application with its current step, whether this user decides that step, and a link to
    the subject it pays."""
    step = queries.current_step(app)
    page = SUBJECT_PAGES.get(app.subject_kind)
    subject = (page[1], reverse(page[0], kwargs={"pk": app.subject_id})) if page else (app.subject_kind, None)
    return {"a": app, "step": step, "can_decide": step is not None and policy.user_can(user, "manage", step.org), "subject": subject}


def _int(raw: Any, low: int = 1, high: int = 2**53) -> int | None:
    """A query-string integer within bounds, else None (a huge one would overflow the database)."""
    try:
        n = int(raw)
    except (TypeError, ValueError):
        return None
    return n if low <= n <= high else None
