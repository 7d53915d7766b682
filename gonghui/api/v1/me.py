from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from gonghui.orgs import policy

from .common import actor
from .schemas import ErrorOut, MeOut

router = Router()


@router.get("", response={200: MeOut, 401: ErrorOut}, url_name="me", summary="当前令牌所属的账号及其角色")
def me(request: HttpRequest) -> Any:
    user = actor(request)
    grants = [{"role": g.role, "org_id": g.org_id, "alliance_id": g.alliance_id} for g in policy.active_grants(user)]
    return {"id": user.pk, "username": user.username, "display_name": user.display_name, "person_id": user.person_id, "grants": grants}
