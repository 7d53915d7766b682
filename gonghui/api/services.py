"""API tokens: created and revoked through here (audited), looked up by their hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError

from .models import ApiToken

# last_used_at is bookkeeping, not a trail: refresh it at most once a minute per token.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plaintext is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写令牌名称"), field="name")
    if len(name) > 100:
        raise ServiceError(_("令牌名称不能超过100个字"), field="name")
    if not user.is_active:
        raise ServiceError(_("该账号已停用，不能创建令牌"), field="user")
    plaintext = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=plaintext[:8], token_hash=token_hash(plaintext), created_at=timezone.now())
    audit.record(actor=actor, action="api.token_create", target=token, data={"user": user.pk, "name": name, "prefix": token.prefix})
    return token, plaintext


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ServiceError(_("该令牌已撤销"), field="token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api.token_revoke", target=token, data={"user": token.user_id, "prefix": token.prefix})
    return token


def user_for_token(plaintext: str) -> Any:
    """The active user a live token belongs to, or None."""
    if not plaintext or len(plaintext) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(plaintext), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=token.pk).update(last_used_at=now)
    return token.user
