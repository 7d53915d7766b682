"""Writes to the org tree. Each runs in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.lib.textrange import prefix_q

from .models import Org, OrgMove

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "code",
    "level",
    "org_type",
    "region_code",
    "unit_name",
    "unit_credit_code",
    "unit_category",
    "established_on",
    "contact",
)
_REGION = re.compile(r"^\d{6}$")
_CREDIT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
LEVEL_ORDER = [c.value for c in Org.Level]


# Current records of other apps that copy an org's path for subtree queries; they follow a move.
# Facts keep the path they had (check-ins, walk-ins, rollups, ledger transactions, audit, events),
# and so does Activity.organizer_path: where the activity's 期 and 场次 are counted. Who may see or
# manage an activity follows the organizer's live path (activities.queries).
FOLLOWING_PATHS = [
    ("activities.ActivityAudience", "org_path"),
    ("activities.Campaign", "org_path"),
    ("training.TrainingPlan", "org_path"),
    ("money.Envelope", "org_path"),
    ("money.Application", "org_path"),
    ("money.DisbursementBatch", "org_path"),
    ("money.AidCampaign", "org_path"),
    ("hardship.HardshipFile", "org_path"),
]


def generate_code() -> str:
    return "GH" + secrets.token_hex(5).upper()


def _validate(data: dict[str, Any], *, parent: Org | None, exclude_pk: int | None = None) -> None:
    if not (data.get("name") or "").strip():
        raise ServiceError(_("名称不能为空"), field="name")
    if not _REGION.match(data.get("region_code") or ""):
        raise ServiceError(_("行政区划代码应为6位数字（GB/T 2260）"), field="region_code")
    credit = data.get("unit_credit_code") or ""
    if credit and not _CREDIT.match(credit):
        raise ServiceError(_("统一社会信用代码应为18位（数字或大写字母，不含I、O、Z、S、V）"), field="unit_credit_code")
    if parent is not None and data.get("level") and LEVEL_ORDER.index(data["level"]) < LEVEL_ORDER.index(parent.level):
        raise ServiceError(_("下级组织的层级不能高于上级组织"), field="level")
    code = data.get("code") or ""
    if code and Org.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ServiceError(_("组织编码已被使用"), field="code")


@transaction.atomic
def org_create(*, actor: Any, parent: Org | None, data: dict[str, Any]) -> Org:
    if parent is not None and not parent.is_open:
        raise ServiceError(_("上级组织已撤销，不能在其下新建组织"), field="parent")
    _validate(data, parent=parent)
    fields = {k: data[k] for k in EDITABLE_FIELDS if k in data and data[k] is not None}
    fields["code"] = fields.get("code") or generate_code()
    # The path needs the primary key: insert with a unique placeholder, then set it.
    org = Org.objects.create(parent=parent, path=f"~{secrets.token_hex(8)}", depth=(parent.depth + 1) if parent else 0, **fields)
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    audit.record(actor=actor, action="orgs.create", target=org, data={"name": org.name, "parent": getattr(parent, "pk", None)})
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Org, data: dict[str, Any]) -> Org:
    _validate({**{k: getattr(org, k) for k in EDITABLE_FIELDS}, **data}, parent=org.parent, exclude_pk=org.pk)
    if not data.get("code"):
        data = {k: v for k, v in data.items() if k != "code"}  # blank code: keep the current one
    before = {k: getattr(org, k) for k in EDITABLE_FIELDS}
    for k in EDITABLE_FIELDS:
        if k in data:
            empty = None if Org._meta.get_field(k).null else ""
            setattr(org, k, empty if data[k] is None else data[k])
    changed = audit.changed_fields(org, before)
    if changed:
        org.save(update_fields=list(changed))
        audit.record(actor=actor, action="orgs.update", target=org, data=changed)
    return org


@transaction.atomic
def org_move(*, actor: Any, org: Org, new_parent: Org, reason: str = "") -> Org:
    """Move a subtree: one UPDATE rewrites the paths of the node and all its descendants."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.select_for_update().get(pk=new_parent.pk)
    if org.parent_id is None:
        raise ServiceError(_("根组织不能移动"), field="parent")
    if new_parent.path.startswith(org.path):
        raise ServiceError(_("不能把组织移动到它自己或它的下级组织之下"), field="parent")
    if not new_parent.is_open:
        raise ServiceError(_("目标上级组织已撤销"), field="parent")
    if new_parent.pk == org.parent_id:
        raise ServiceError(_("目标上级组织与当前上级组织相同"), field="parent")
    if LEVEL_ORDER.index(org.level) < LEVEL_ORDER.index(new_parent.level):
        raise ServiceError(_("不能移动到层级更低的组织之下"), field="parent")
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    depth_delta = new_parent.depth + 1 - org.depth
    cut = len(old_path) + 1

    def rewrite(field: str) -> Concat:
        return Concat(Value(new_path), Substr(field, cut))

    from gonghui.people.models import Membership, Person

    # Current records follow the move; event rows (MembershipEvent, OrgMove) keep the path they had.
    Person.objects.filter(prefix_q("org_path", old_path)).update(org_path=rewrite("org_path"))
    Membership.objects.filter(prefix_q("org_path", old_path)).update(org_path=rewrite("org_path"))
    for label, field in FOLLOWING_PATHS:
        apps.get_model(label).objects.filter(prefix_q(field, old_path)).update(**{field: rewrite(field)})
    Org.objects.filter(prefix_q("path", old_path)).update(path=rewrite("path"), depth=F("depth") + depth_delta)
    from_parent_id = org.parent_id
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    OrgMove.objects.create(
        org=org,
        from_parent_id=from_parent_id,
        to_parent=new_parent,
        old_path=old_path,
        new_path=new_path,
        moved_at=timezone.now(),
        moved_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )
    org.refresh_from_db()
    audit.record(actor=actor, action="orgs.move", target=org, data={"from_parent": from_parent_id, "to_parent": new_parent.pk, "reason": reason})
    return org


@transaction.atomic
def org_close(*, actor: Any, org: Org, on: dt.date, reason: str) -> Org:
    org = Org.objects.select_for_update().get(pk=org.pk)
    if not org.is_open:
        raise ServiceError(_("该组织已撤销"), field="status")
    if not reason.strip():
        raise ServiceError(_("请填写撤销原因"), field="reason")
    if org.children.filter(status=Org.Status.OPEN).exists():
        raise ServiceError(_("该组织还有未撤销的下级组织，请先撤销或迁移下级组织"), field="status")
    from gonghui.people.models import Membership

    if Membership.objects.filter(org=org, status__in=Membership.OPEN).exists():
        raise ServiceError(_("该组织还有在册会员，请先办理转会或会籍变更"), field="status")
    org.status, org.closed_on, org.close_reason = Org.Status.CLOSED, on, reason.strip()
    org.save(update_fields=["status", "closed_on", "close_reason"])
    audit.record(actor=actor, action="orgs.close", target=org, data={"on": on.isoformat(), "reason": org.close_reason})
    return org
