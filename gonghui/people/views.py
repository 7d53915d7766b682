from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.audit import services as audit
from gonghui.exports import xlsx
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.web.helpers import apply_error, form_page, paginate, post_action, query_without_page

from . import exports, queries, services
from .forms import PersonProfileForm, PersonRegisterForm, RollFilterForm, TransferDecideForm, TransferRequestForm, TransitionForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def roll(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    form = RollFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(queries.roll(request.user, org=org, **{k: v for k, v in filters.items() if v}), request.GET.get("page"))
    context = {
        "org": org,
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_operate": policy.user_can(request.user, "operate", org),
    }
    template = "people/_roll_rows.html" if request.htmx else "people/roll.html"
    return render(request, template, context)


@login_required
def roll_export(request: HttpRequest, org_id: int) -> StreamingHttpResponse:
    org = policy.get_org_for_user(request.user, org_id)
    form = RollFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    audit.record(actor=request.user, action="people.export", target=org, data={"filters": sorted(filters)})
    rows = exports.roll_rows(queries.roll(request.user, org=org, **filters))
    response = StreamingHttpResponse(xlsx.stream(sheet_name="会员名册", headers=exports.HEADERS, rows=rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(org.name + '会员名册')}.xlsx"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    form = PersonRegisterForm(request.POST or None)
    offer_transfer = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        id_number = data["id_number"]  # kept: a refused field leaves cleaned_data
        try:
            person = services.person_register(
                actor=request.user,
                org=org,
                data=data,
                membership_status=data["membership_status"],
                joined_on=data["joined_on"],
                in_scope=lambda p: policy.user_can(request.user, "view", p.org),
            )
        except services.PersonExists as e:
            apply_error(form, e)
            if e.in_scope:
                offer_transfer = {"existing_url": e.person.pk}
            else:
                offer_transfer = {"form": TransferRequestForm(initial={"id_number": id_number})}
        except ServiceError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("已登记：%(name)s") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/register.html", {"form": form, "org": org, "offer": offer_transfer})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user(request.user, pk)
    in_scope = policy.user_can(request.user, "view", person.org)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "memberships": queries.memberships_of(person),
            "can_operate": in_scope and policy.user_can(request.user, "operate", person.org),
            "can_reveal": in_scope and policy.user_can(request.user, "reveal", person.org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user(request.user, pk, action="operate")
    initial = {k: getattr(person, k) for k in services.PROFILE_FIELDS}
    data = request.POST.copy() if request.method == "POST" else None
    return form_page(
        request,
        PersonProfileForm(data, initial=initial),
        save=lambda d: services.person_update(actor=request.user, person=person, data=_profile_changes(d, person)),
        success=_("已保存"),
        done=lambda p: redirect("people:detail", pk=p.pk),
        title=_("编辑：%(name)s") % {"name": person.name},
        template="people/edit.html",
        person=person,
    )


def _profile_changes(data: dict, person) -> dict:  # type: ignore[no-untyped-def]
    """A blank phone means "unchanged": the full number is never put into the form."""
    data = dict(data)
    if not data["phone"] and person.phone_masked:
        data.pop("phone")
    return data


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user(request.user, pk, action="reveal")
    field = request.POST.get("field")
    if field not in ("id_number", "phone"):
        return HttpResponseBadRequest("field 须为 id_number 或 phone")
    value = services.person_reveal(actor=request.user, person=person, field=field)
    response = render(request, "people/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    membership = queries.get_membership_for_user(request.user, pk, action="operate")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效：会籍状态不正确"))
    else:
        d = form.cleaned_data
        post_action(
            request,
            lambda: services.membership_transition(actor=request.user, membership=membership, to_status=d["to_status"], reason=d["reason"]),
            success=_("会籍状态已变更"),
        )
    return redirect("people:detail", pk=membership.person_id)


@login_required
@require_POST
def rejoin(request: HttpRequest, pk: int) -> HttpResponse:
    person = queries.get_person_for_user(request.user, pk, action="operate")
    post_action(request, lambda: services.membership_rejoin(actor=request.user, person=person, org=person.org), success=_("已提交重新入会申请"))
    return redirect("people:detail", pk=person.pk)


@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    if not policy.scope_paths(request.user, "view"):
        raise PermissionDenied
    page = paginate(queries.transfers_for(request.user), request.GET.get("page"))
    # The receiving side learns nothing about the person's current union beyond the request.
    from_side = {tr.pk for tr in page.rows if policy.user_can(request.user, "view", tr.from_org)}
    decidable = {tr.pk for tr in page.rows if tr.status == "pending" and tr.pk in from_side and policy.user_can(request.user, "operate", tr.from_org)}
    return render(request, "people/transfers.html", {"page": page, "decidable": decidable, "from_side": from_side})


@login_required
@require_POST
def transfer_request(request: HttpRequest, org_id: int) -> HttpResponse:
    org = policy.get_org_for_user(request.user, org_id, action="operate")
    form = TransferRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写身份证号"))
        return redirect("people:register", org_id=org.pk)
    try:
        services.transfer_request(actor=request.user, id_number=form.cleaned_data["id_number"], to_org=org, note=form.cleaned_data["note"])
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("people:register", org_id=org.pk)
    messages.success(request, _("已发起转会申请，待原工会审批"))
    return redirect("people:transfers")


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    tr = queries.get_transfer_for_user(request.user, pk)
    policy.require(request.user, "operate", tr.from_org)
    form = TransferDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效"))
    else:
        d = form.cleaned_data
        post_action(
            request,
            lambda: services.transfer_decide(actor=request.user, transfer=tr, approve=d["decision"] == "approve", note=d["note"]),
            success=_("已处理转会申请"),
        )
    return redirect("people:transfers")
