from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import apply_error, post_action

from . import services
from .forms import GrantForm, LoginForm
from .middleware import client_ip
from .models import RoleGrant, User


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ServiceError as e:
            apply_error(form, e)
        else:
            login(request, user)  # rotates the session key
            request.session["login_at"] = int(time.time())  # start of the absolute lifetime
            nxt = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                nxt = ""
            return redirect(nxt or "web:home")
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="manage")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"].strip(), is_active=True).first()
        if target is None:
            form.add_error("username", _("没有找到该用户名的账号"))
        else:
            try:
                services.role_grant(
                    actor=request.user, user=target, role=form.cleaned_data["role"], org=org, can_reveal=form.cleaned_data["can_reveal"]
                )
            except ServiceError as e:
                apply_error(form, e)
            else:
                messages.success(request, _("已授予 %(user)s 角色") % {"user": target})
                return redirect("accounts:users", org_id=org.pk)
    grants = RoleGrant.objects.filter(org=org, revoked_at__isnull=True).select_related("user").order_by("role", "user__username")
    return render(request, "accounts/users.html", {"org": org, "grants": grants, "form": form})


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = RoleGrant.objects.filter(pk=pk, org__isnull=False).select_related("org").first()
    if grant is None:
        from django.http import Http404

        raise Http404
    policy.require(request.user, "manage", grant.org)
    post_action(request, lambda: services.role_revoke(actor=request.user, grant=grant), success=_("已撤销角色"))
    return redirect("accounts:users", org_id=grant.org_id)
