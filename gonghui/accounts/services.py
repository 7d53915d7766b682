"""Account writes: login with per-account lockout, role grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy

from .models import LoginAttempt, RoleGrant, User


class LockedOut(ServiceError):
    def __init__(self, until: dt.datetime) -> None:
        local = timezone.localtime(until)
        super().__init__(
            _("该账号因连续登录失败已被临时锁定，请于 %(time)s 后再试，或联系管理员重置密码") % {"time": f"{local:%H:%M}"}, code="locked"
        )
        self.until = until


def lockout_until(username: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account's lock ends: LIMIT failures inside the window since the last success."""
    now = now or timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = list(LoginAttempt.objects.filter(username=username, at__gte=now - window).order_by("-at").values_list("success", "at")[:50])
    failures = []
    for success, at in recent:
        if success:
            break
        failures.append(at)
    if len(failures) >= settings.LOGIN_FAILURE_LIMIT:
        until = failures[settings.LOGIN_FAILURE_LIMIT - 1] + window
        return until if until > now else None
    return None


def login_attempt(*, request: Any, username: str, password: str, ip: str | None) -> User:
    username = (username or "").strip()[:150]
    now = timezone.now()
    until = lockout_until(username, now=now)
    if until is not None:
        # Audited, but not counted: attempts during a lock must not extend it (else anyone could
        # keep an account locked for ever by trying it every few minutes).
        with transaction.atomic():
            audit.record(actor=None, action="accounts.login_locked", success=False, data={"username_len": len(username)})
        raise LockedOut(until)
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        LoginAttempt.objects.create(username=username, user=user, at=now, success=user is not None, ip=ip)
        if user is None:
            known = User.objects.filter(username=username).only("pk").first()
            audit.record(actor=known, action="accounts.login_failed", success=False)
        else:
            audit.record(actor=user, action="accounts.login", target=user)
    if user is None:
        until = lockout_until(username, now=now)
        if until is not None:
            raise LockedOut(until)
        raise ServiceError(_("用户名或密码不正确"), field="password", code="bad_credentials")
    return user


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str, display_name: str = "", person: Any = None) -> User:
    username = username.strip()
    if username.lower() in {"admin", "root", "test", "sa", "administrator"}:
        raise ServiceError(_("不能使用默认账号名"), field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError(_("用户名已被使用"), field="username")
    from django.contrib.auth.password_validation import ValidationError, validate_password

    user = User(username=username, display_name=display_name, person=person)
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ServiceError("；".join(e.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action="accounts.user_create", target=user)
    return user


def role_grant(*, actor: Any, user: User, role: str, org: Any = None, alliance: Any = None, can_reveal: bool = False) -> RoleGrant:
    if getattr(actor, "pk", None) == user.pk:
        # The refusal itself is a security event: recorded in its own transaction, kept.
        with transaction.atomic():
            audit.record(actor=actor, action="accounts.grant_self_refused", target=user, success=False, data={"role": role})
        raise ServiceError(_("不能给自己授予角色"), field="user")
    return _role_grant(actor=actor, user=user, role=role, org=org, alliance=alliance, can_reveal=can_reveal)


@transaction.atomic
def _role_grant(*, actor: Any, user: User, role: str, org: Any, alliance: Any, can_reveal: bool) -> RoleGrant:
    if role not in RoleGrant.Role.values:
        raise ServiceError(_("角色无效"), field="role")
    if role == RoleGrant.Role.ALLIANCE_COORD:
        if alliance is None:
            raise ServiceError(_("请选择联盟"), field="alliance")
        target_org, org = alliance.host_org, None
    elif role == RoleGrant.Role.WORKER:
        if user.person_id is None:
            raise ServiceError(_("职工账号须关联人员档案"), field="user")
        target_org, org, alliance = user.person.org, None, None
    else:
        if org is None:
            raise ServiceError(_("请选择组织"), field="org")
        target_org, alliance = org, None
    if actor is not None:  # None: system set-up (demo loader, first federation admin)
        allowed = {
            r for g in policy.active_grants(actor) if g.org_id and target_org.path.startswith(g.org.path) for r in policy.GRANTABLE.get(g.role, ())
        }
        if role not in allowed:
            raise ServiceError(_("无权授予该角色"), field="role")
        if can_reveal and not policy.user_can(actor, "reveal", target_org) and not policy.has_role(actor, ["fed_admin"]):
            raise ServiceError(_("无权授予查看完整证件号的权限"), field="can_reveal")
    g = RoleGrant.objects.create(user=user, role=role, org=org, alliance=alliance, can_reveal=can_reveal, granted_by=actor, granted_at=timezone.now())
    audit.record(actor=actor, action="accounts.grant", target=g, org=target_org, data={"role": role, "user": user.pk, "can_reveal": can_reveal})
    return g


@transaction.atomic
def role_revoke(*, actor: Any, grant: RoleGrant) -> RoleGrant:
    g = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if g.revoked_at is not None:
        raise ServiceError(_("该角色已撤销"), field="grant")
    if getattr(actor, "pk", None) == g.user_id:
        raise ServiceError(_("不能撤销自己的角色"), field="grant")
    g.revoked_at = timezone.now()
    g.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="accounts.revoke", target=g, data={"role": g.role, "user": g.user_id})
    return g
