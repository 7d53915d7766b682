"""Check-in pages: the printable poster, the worker's poster scan, the cadre's scanner (with its
JSON sync endpoint), walk-in head counts and the session's check-in list."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import paginate, post_action

from . import checkin, codes
from .models import CheckIn

MAX_SCANS_PER_SYNC = 200


class WalkInForm(forms.Form):
    # Kept beside its only view: forms.py belongs to the activity pages.
    count = forms.IntegerField(label=_("人数"), min_value=1, max_value=checkin.MAX_WALKIN)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


def _hhmm(at: Any) -> str:
    return timezone.localtime(at).strftime("%H:%M")


@login_required
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_for_user(request.user, pk, action="operate")
    scan_url = request.build_absolute_uri(reverse("checkin:scan", kwargs={"pk": session.pk, "token": codes.poster_token(session)}))
    return render(
        request,
        "activities/checkin/poster.html",
        {"session": session, "activity": session.activity, "qr": codes.qr_svg(scan_url, scale=8), "scan_url": scan_url},
    )


@login_required
@require_POST
def rotate(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_for_user(request.user, pk, action="operate")
    post_action(
        request,
        lambda: checkin.session_rotate_checkin_key(actor=request.user, session=session),
        success=_("已更换签到二维码，此前打印的海报不能再签到"),
    )
    return redirect("checkin:poster", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    session = checkin.get_session_for_scan(pk)
    error = None
    if request.method == "POST":
        try:
            _ci, created = checkin.checkin_self(actor=request.user, session=session, token=token)
        except ServiceError as e:
            error = e.message
        else:
            messages.success(request, _("签到成功") if created else _("您已签到"))
            return redirect(request.path)
    else:
        try:
            codes.read_poster_token(token, session=session)
        except ServiceError as e:
            error = e.message
    person = getattr(request.user, "person", None)
    mine = CheckIn.objects.filter(session_id=session.pk, person_id=person.pk).first() if person else None
    return render(request, "activities/checkin/scan.html", {"session": session, "activity": session.activity, "checkin": mine, "error": error})


@login_required
def scanner(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_for_user(request.user, pk, action="operate")
    return render(
        request,
        "activities/checkin/scanner.html",
        {"session": session, "activity": session.activity, "figures": checkin.session_figures(session), "walkin_form": WalkInForm()},
    )


def _scans(request: HttpRequest) -> list[Any]:
    """The queued scans of a JSON body {scans: [{code, nonce, at}]}, or one scan as form fields."""
    if request.content_type == "application/json":
        body = json.loads(request.body or b"null")
        scans = body.get("scans") if isinstance(body, dict) else None
    else:
        scans = [{"code": request.POST.get("code", ""), "nonce": request.POST.get("nonce"), "at": request.POST.get("at")}]
    if not isinstance(scans, list) or len(scans) > MAX_SCANS_PER_SYNC:
        raise ValueError
    return scans


def _sync_one(request: HttpRequest, session: Any, scan: Any) -> dict[str, Any]:
    scan = scan if isinstance(scan, dict) else {}
    nonce = scan.get("nonce") if isinstance(scan.get("nonce"), str) and 0 < len(scan["nonce"]) <= 64 else None
    code = scan.get("code") if isinstance(scan.get("code"), str) else ""
    at = parse_datetime(scan["at"]) if isinstance(scan.get("at"), str) and len(scan["at"]) <= 40 else None
    try:
        ci, created = checkin.checkin_scan_member(actor=request.user, session=session, code=code, nonce=nonce, at=at)
    except ServiceError as e:
        return {"nonce": nonce, "status": "refused", "message": e.message}
    except ValueError:  # a malformed time
        return {"nonce": nonce, "status": "refused", "message": _("扫码时间格式不正确")}
    # A retry of this very scan (same nonce) answers as the first time did.
    status = "created" if created or (nonce and ci.nonce == nonce) else "duplicate"
    message = _("签到成功") if status == "created" else _("已签到过（%(at)s）") % {"at": _hhmm(ci.checked_at)}
    return {"nonce": nonce, "status": status, "message": message, "name": checkin.short_name(ci.person.name), "at": _hhmm(ci.checked_at)}


@login_required
@require_POST
def sync(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_ref_for_user(request.user, pk, action="operate")
    try:
        scans = _scans(request)
    except ValueError:
        return JsonResponse({"error": _("请求格式不正确：应为 {scans: [...]}，每次最多 %(n)d 条") % {"n": MAX_SCANS_PER_SYNC}}, status=400)
    results = [_sync_one(request, session, s) for s in scans]
    return JsonResponse({"results": results})


@login_required
@require_POST
def walkin(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_for_user(request.user, pk, action="operate")
    form = WalkInForm(request.POST)
    if form.is_valid():
        post_action(request, lambda: checkin.walkin_record(actor=request.user, session=session, **form.cleaned_data), success=_("已登记现场人数"))
    else:
        messages.error(request, _("请填写 1 到 %(max)d 之间的人数") % {"max": checkin.MAX_WALKIN})
    return redirect("checkin:list", pk=session.pk)


@login_required
def checkin_list(request: HttpRequest, pk: int) -> HttpResponse:
    session = checkin.get_session_for_user(request.user, pk, action="view")
    page = paginate(checkin.checkins_of(session), request.GET.get("page"))
    for ci in page.rows:
        ci.short_name = checkin.short_name(ci.person.name)
    return render(
        request,
        "activities/checkin/list.html",
        {
            "session": session,
            "activity": session.activity,
            "page": page,
            "figures": checkin.session_figures(session),
            "can_operate": policy.user_can(request.user, "operate", session.activity.organizer),
            "walkin_form": WalkInForm(),
        },
    )
