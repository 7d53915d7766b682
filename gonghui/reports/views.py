from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.orgs import policy
from gonghui.web.helpers import form_page

from . import queries, services
from .forms import CampaignForm, FilterForm, TargetForm


@login_required
@require_GET
def dashboard(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    form = FilterForm(request.GET, default_year=queries.latest_year(org))
    board = queries.dashboard(org, form.cleaned_data["period"], getattr(form.cleaned_data["type"], "pk", None)) if form.is_valid() else None
    return render(request, "reports/dashboard.html", {"org": org, "form": form, "board": board})


@login_required
@require_GET
def campaigns(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    rows = queries.campaigns_in(request.user, org)
    return render(request, "reports/campaigns.html", {"org": org, "campaigns": rows, "can_manage": policy.user_can(request.user, "manage", org)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="manage")
    return form_page(
        request,
        CampaignForm(request.POST or None),
        save=lambda d: services.campaign_create(actor=request.user, org=org, **d),
        success=_("已新建专项行动"),
        done=lambda c: redirect("reports:campaign", pk=c.pk),
        title=_("新建专项行动（发起：%(org)s）") % {"org": org.name},
    )


@login_required
@require_GET
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.get_campaign_for_user(request.user, pk)
    rows = queries.campaign_progress(c)
    can_manage = policy.user_can(request.user, "manage", c.org)
    return render(request, "reports/campaign.html", {"campaign": c, "rows": rows, "can_manage": can_manage, "target_form": TargetForm()})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_target(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.get_campaign_for_user(request.user, pk)
    if not policy.user_can(request.user, "manage", c.org):
        raise PermissionDenied
    return form_page(
        request,
        TargetForm(request.POST or None),
        save=lambda d: services.campaign_set_target(actor=request.user, campaign=c, org=d["org"], target=d["target"]),
        success=_("已设置目标"),
        done=lambda t: redirect("reports:campaign", pk=c.pk),
        title=_("设置目标：%(name)s") % {"name": c.name},
    )
