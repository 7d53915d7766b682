from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from gonghui.api.pagination import page
from gonghui.orgs import policy
from gonghui.orgs.queries import scope_roots
from gonghui.people import queries, services
from gonghui.people.models import Membership, Person

from .common import LIST, READ, WRITE, actor
from .schemas import (
    ErrorOut,
    Id,
    MembershipFilters,
    MembershipOut,
    MembershipPage,
    PersonCreateIn,
    PersonDetailOut,
    PersonFilters,
    PersonPage,
    PersonUpdateIn,
    TransitionIn,
)

router = Router()


def person_out(p: Person) -> dict[str, Any]:
    """Masked, always: the stored head and tail of the ID number, never a decrypted value."""
    return {
        "id": p.pk,
        "name": p.name,
        "sex": p.sex,
        "birth_year": p.birth_year,
        "age": p.age(),
        "id_masked": p.id_masked,
        "phone_masked": p.phone_masked,
        "org_id": p.org_id,
        "ethnicity": p.ethnicity,
        "political_status": p.political_status,
        "education": p.education,
        "is_migrant_worker": p.is_migrant_worker,
    }


def membership_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "person_id": m.person_id,
        "org_id": m.org_id,
        "org_name": m.org.name,
        "status": m.status,
        "joined_on": m.joined_on,
        "ended_on": m.ended_on,
    }


def person_detail_out(user: Any, p: Person) -> dict[str, Any]:
    in_scope = policy.user_can(user, "view", p.org)
    return {
        **person_out(p),
        "org_name": p.org.name,
        "memberships": [membership_out(m) for m in queries.memberships_of(p)],
        "permissions": {"operate": in_scope and policy.user_can(user, "operate", p.org)},
    }


def _roll(user: Any, org_id: int | None, **filters: Any) -> Any:
    """The roll of one org, or of all the caller's scope roots when no org is named."""
    orgs = [policy.get_org_for_user(user, org_id)] if org_id is not None else list(scope_roots(user))
    qs = Membership.objects.none()
    for org in orgs:
        qs = qs | queries.roll(user, org=org, **filters)
    return qs.select_related("person", "org")


@router.get("/people", response={200: PersonPage, **LIST}, url_name="person_list", summary="会员名册（按组织子树）")
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    user = actor(request)
    f = filters
    qs = _roll(user, f.org_id, name=f.name, id_tail=f.id_tail, phone=f.phone, status=f.status)
    rows, next_cursor = page(qs, keys=("org_path", "id"), limit=f.limit, cursor=f.cursor)
    return {"items": [{**person_out(m.person), "membership": membership_out(m)} for m in rows], "next_cursor": next_cursor}


@router.post("/people", response={201: PersonDetailOut, 409: ErrorOut, **WRITE}, url_name="person_create", summary="登记人员并建立会籍")
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Any:
    user = actor(request)
    org = policy.get_org_for_user(user, payload.org_id, action="operate")
    data = payload.model_dump(exclude={"org_id", "membership_status", "joined_on"})
    person = services.person_register(
        actor=user,
        org=org,
        data=data,
        membership_status=payload.membership_status,
        joined_on=payload.joined_on,
        # A duplicate outside the caller's scope answers 409 without naming the record.
        in_scope=lambda p: policy.user_can(user, "view", p.org),
    )
    return 201, person_detail_out(user, Person.objects.select_related("org").get(pk=person.pk))


@router.get("/people/{person_id}", response={200: PersonDetailOut, **READ}, url_name="person_detail", summary="人员详情（脱敏）")
def person_detail(request: HttpRequest, person_id: Id) -> Any:
    user = actor(request)
    return person_detail_out(user, queries.get_person_for_user(user, person_id))


@router.patch("/people/{person_id}", response={200: PersonDetailOut, **WRITE}, url_name="person_update", summary="修改人员信息（只改传入的字段）")
def person_update(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> Any:
    user = actor(request)
    person = queries.get_person_for_user(user, person_id, action="operate")
    person = services.person_update(actor=user, person=person, data=payload.changes())
    return person_detail_out(user, Person.objects.select_related("org").get(pk=person.pk))


@router.post("/people/{person_id}/rejoin", response={201: MembershipOut, **WRITE}, url_name="person_rejoin", summary="会籍结束的人员重新入会")
def person_rejoin(request: HttpRequest, person_id: Id) -> Any:
    user = actor(request)
    person = queries.get_person_for_user(user, person_id, action="operate")
    return 201, membership_out(services.membership_rejoin(actor=user, person=person, org=person.org))


@router.get("/memberships", response={200: MembershipPage, **LIST}, url_name="membership_list", summary="会籍（按人员或按组织子树）")
def membership_list(request: HttpRequest, filters: Query[MembershipFilters]) -> Any:
    user = actor(request)
    person_id, org_id, status = filters.person_id, filters.org_id, filters.status
    if person_id is not None:
        person = queries.get_person_for_user(user, person_id)
        qs = Membership.objects.filter(person=person).select_related("org")
        if status == "":
            qs = qs.filter(status__in=Membership.OPEN)
        elif status != "all":
            qs = qs.filter(status=status)
        if org_id is not None:
            qs = qs.filter(org=policy.get_org_for_user(user, org_id))
    else:
        qs = _roll(user, org_id, status=status)
    rows, next_cursor = page(qs, keys=("id",), limit=filters.limit, cursor=filters.cursor)
    return {"items": [membership_out(m) for m in rows], "next_cursor": next_cursor}


@router.post(
    "/memberships/{membership_id}/transition", response={200: MembershipOut, **WRITE}, url_name="membership_transition", summary="会籍状态变更"
)
def membership_transition(request: HttpRequest, membership_id: Id, payload: TransitionIn) -> Any:
    user = actor(request)
    m = queries.get_membership_for_user(user, membership_id, action="operate")
    m = services.membership_transition(actor=user, membership=m, to_status=payload.to_status, reason=payload.reason, on=payload.on)
    return membership_out(Membership.objects.select_related("org").get(pk=m.pk))
