"""Writes of the money engine: envelopes, funding, applications and their approval chain,
disbursement batches. One transaction each, audited; every amount goes through ``ledger.post``.

Postings:
- funding an envelope:  Dr org cash            / Cr envelope fund account
- approving a payment:  Dr envelope expense    / Cr org payable        (both with the subject)
- paying a batch:       Dr org payable (each)  / Cr org cash (total)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.lib.money import yuan
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from . import approval, ledger
from .ledger import Line
from .models import (
    Account,
    AidCampaign,
    Application,
    ApplicationEvent,
    ApprovalStep,
    DisbursementBatch,
    Envelope,
    FundSource,
    LedgerTransaction,
    Programme,
    ProgrammeRule,
    SubjectTotal,
)

SUBJECT_KIND = re.compile(r"^[a-z_]{2,15}\.[a-z_]{2,15}$")
# Rule inputs only: numbers and a category code. Anything else could carry personal data.
BASIS_KEYS = frozenset({"category", "dibao_monthly_fen", "self_paid_fen"})
Status = Application.Status


def _forbid(message: str, field: str = "actor") -> ServiceError:
    return ServiceError(message, field=field, code="forbidden")


def _require(actor: Any, action: str, org: Org, message: str) -> None:
    if not policy.user_can(actor, action, org):
        raise _forbid(message)


# ---- accounts and envelopes --------------------------------------------------------------


def org_account(org: Org, kind: str) -> Account:
    names = {Account.Kind.ASSET: ("CASH", "银行存款"), Account.Kind.LIABILITY: ("PAYABLE", "应付帮扶款")}
    suffix, name = names[kind]  # type: ignore[index]
    account, _created = Account.objects.get_or_create(code=f"ORG-{org.pk}-{suffix}", defaults={"name": f"{org.name}{name}", "kind": kind, "org": org})
    return account


@transaction.atomic
def envelope_create(*, actor: Any, programme: Programme, org: Org, year: int) -> Envelope:
    _require(actor, "manage", org, _("您无权为该工会设立预算"))
    if not 2000 <= int(year) <= 2100:
        raise ServiceError(_("年度无效"), field="year")
    if Envelope.objects.filter(programme=programme, org=org, year=year).exists():
        raise ServiceError(
            _("%(org)s%(year)s年度的%(programme)s预算已存在") % {"org": org.name, "year": year, "programme": programme.name},
            field="programme",
            code="exists",
        )
    base = f"ENV-{year}-{org.pk}-{programme.code}"
    fund = Account.objects.create(
        code=f"{base}-FUND", name=f"{year}年{programme.name}预算", kind=Account.Kind.EQUITY, org=org, programme=programme, year=year
    )
    expense = Account.objects.create(
        code=f"{base}-EXP", name=f"{year}年{programme.name}支出", kind=Account.Kind.EXPENSE, org=org, programme=programme, year=year
    )
    env = Envelope.objects.create(programme=programme, org=org, org_path=org.path, year=year, fund_account=fund, expense_account=expense)
    audit.record(actor=actor, action="money.envelope_create", target=env, data={"programme": programme.code, "year": year})
    return env


# ---- aid campaigns -------------------------------------------------------------------------


def subject_categories() -> list[tuple[str, str]]:
    """The categories (code, label) a campaign may be limited to: those of hardship files, the
    engine's subjects so far (another subject app would add its own here). The form's choices,
    the campaigns page's labels and ``campaign_create``'s check all read this one list."""
    from gonghui.hardship.models import Category

    return list(Category.choices)


@transaction.atomic
def campaign_create(*, actor: Any, org: Org, name: str, starts_on: dt.date, ends_on: dt.date, categories: Any = ()) -> AidCampaign:
    """A 帮扶专项 for ``org``'s subtree (两节送温暖, 金秋助学 …); ``categories`` limits it to subjects
    of those category codes (empty: all)."""
    _require(actor, "manage", org, _("您无权为该工会设立帮扶专项"))
    if not org.is_open:
        raise ServiceError(_("%(org)s已撤销，不能设立帮扶专项") % {"org": org.name}, field="org")
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("请填写专项名称"), field="name")
    if len(name) > 100:
        raise ServiceError(_("专项名称不能超过100个字"), field="name")
    for field, value, label in (("starts_on", starts_on, _("开始日期")), ("ends_on", ends_on, _("结束日期"))):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ServiceError(_("%(label)s须为日期") % {"label": label}, field=field)
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期"), field="ends_on")
    categories = categories or ()
    known = {code for code, _label in subject_categories()}
    if isinstance(categories, str) or not all(isinstance(c, str) and c in known for c in categories):
        raise ServiceError(_("适用类别无效"), field="categories")
    try:
        with transaction.atomic():  # the unique (org, name) decides, also between concurrent twins
            campaign = AidCampaign.objects.create(
                name=name, org=org, org_path=org.path, starts_on=starts_on, ends_on=ends_on, categories=sorted(set(categories)), created_by=actor
            )
    except IntegrityError:
        raise ServiceError(_("%(org)s已有名为“%(name)s”的帮扶专项") % {"org": org.name, "name": name}, field="name", code="exists") from None
    audit.record(actor=actor, action="money.campaign_create", target=campaign, data={"name": name, "categories": campaign.categories})
    return campaign


def _check_campaign(campaign: AidCampaign | None, *, org: Org, year: int, basis: dict[str, Any]) -> None:
    if campaign is None:
        return
    if not campaign.org.contains(org):
        raise ServiceError(_("“%(campaign)s”不是本工会或上级工会设立的帮扶专项") % {"campaign": campaign.name}, field="campaign")
    today = timezone.localdate()
    if today < campaign.starts_on:
        raise ServiceError(
            _("“%(campaign)s”%(starts_on)s开始，尚未开始") % {"campaign": campaign.name, "starts_on": campaign.starts_on},
            field="campaign",
            code="campaign_closed",
        )
    if today > campaign.ends_on:
        raise ServiceError(
            _("“%(campaign)s”已于%(ends_on)s结束") % {"campaign": campaign.name, "ends_on": campaign.ends_on},
            field="campaign",
            code="campaign_closed",
        )
    if not campaign.starts_on.year <= year <= campaign.ends_on.year:
        raise ServiceError(
            _("“%(campaign)s”的期间（%(starts_on)s至%(ends_on)s）不在%(year)s年度")
            % {"campaign": campaign.name, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on, "year": year},
            field="campaign",
        )
    if campaign.categories and basis.get("category", "") not in campaign.categories:
        raise ServiceError(_("该对象的困难类别不在“%(campaign)s”的适用范围内") % {"campaign": campaign.name}, field="campaign", code="not_eligible")


def _fen(amount: Any, field: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ServiceError(_("金额必须是以分为单位的整数"), field=field, code="not_fen")
    if amount <= 0:
        raise ServiceError(_("金额须大于零"), field=field)
    return amount


@transaction.atomic
def envelope_fund(*, actor: Any, envelope: Envelope, amount: int, memo: str = "") -> LedgerTransaction:
    _require(actor, "manage", envelope.org, _("您无权向该预算拨款"))
    amount = _fen(amount)
    txn = ledger.post(
        actor=actor,
        kind=LedgerTransaction.Kind.FUNDING,
        org=envelope.org,
        memo=memo or f"预算#{envelope.pk}拨入",
        lines=[Line(org_account(envelope.org, Account.Kind.ASSET), amount), Line(envelope.fund_account, -amount)],
    )
    audit.record(actor=actor, action="money.envelope_fund", target=envelope, data={"amount": amount, "txn": txn.pk})
    return txn


@transaction.atomic
def envelope_fund_reverse(*, actor: Any, txn: LedgerTransaction, reason: str) -> LedgerTransaction:
    """Take back a funding. Refused (guarded update) when the money is already committed."""
    if txn.kind != LedgerTransaction.Kind.FUNDING:
        raise ServiceError(_("只能撤回预算拨款"), field="txn")
    _require(actor, "manage", Org.objects.get(pk=txn.org_id), _("您无权撤回该笔拨款"))
    return ledger.transaction_reverse(actor=actor, txn=txn, reason=reason)


# ---- rules -------------------------------------------------------------------------------


def _clean_basis(basis: dict[str, Any] | None) -> dict[str, Any]:
    basis = dict(basis or {})
    extra = set(basis) - BASIS_KEYS
    if extra:
        raise ServiceError(_("依据只能包含：%(keys)s") % {"keys": "、".join(sorted(BASIS_KEYS))}, field="basis")
    for key in ("dibao_monthly_fen", "self_paid_fen"):
        if key in basis:
            v = basis[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ServiceError(_("依据中的金额必须是以分为单位的非负整数"), field=f"basis.{key}")
    if not isinstance(basis.get("category", ""), str) or len(basis.get("category", "")) > 20:
        raise ServiceError(_("类别无效"), field="basis.category")
    return basis


def programme_cap(*, programme: Programme, basis: dict[str, Any]) -> tuple[int | None, str]:
    """The largest allowed single payment and how it was computed (None: no rule)."""
    rules = {r.category: r for r in ProgrammeRule.objects.filter(programme=programme)}
    rule = rules.get(basis.get("category", "")) or rules.get("")
    if rule is None:
        return None, ""
    K = ProgrammeRule.Kind
    if rule.kind == K.FIXED:
        cap, how = int(rule.max_fen or 0), _("上限%(max)s") % {"max": yuan(int(rule.max_fen or 0))}
    elif rule.kind == K.MONTHS_OF_DIBAO:
        monthly = basis.get("dibao_monthly_fen")
        if not monthly:
            raise ServiceError(
                _("%(programme)s按低保标准计算上限，请填写当地低保月标准") % {"programme": programme.name}, field="basis.dibao_monthly_fen"
            )
        cap, how = rule.months * monthly, _("%(months)d个月低保（%(monthly)s/月）") % {"months": rule.months, "monthly": yuan(monthly)}  # type: ignore[operator]
    else:
        paid = basis.get("self_paid_fen")
        if not paid:
            raise ServiceError(_("%(programme)s按自付费用比例计算上限，请填写自付费用") % {"programme": programme.name}, field="basis.self_paid_fen")
        cap, how = paid * rule.percent // 100, _("自付费用%(paid)s的%(percent)d%%") % {"paid": yuan(paid), "percent": rule.percent}  # type: ignore[operator]
    if rule.max_fen is not None and rule.kind != K.FIXED and rule.max_fen < cap:
        cap, how = int(rule.max_fen), _("%(how)s，最高%(max)s") % {"how": how, "max": yuan(int(rule.max_fen))}
    return cap, how


# ---- applications ------------------------------------------------------------------------


def _event(app: Application, *, action: str, from_status: str, actor: Any, note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=app, action=action, from_status=from_status, to_status=app.status, actor=actor, at=timezone.now(), note=note[:200]
    )


def _transition(app: Application, to: str, *, actor: Any, action: str, note: str = "") -> None:
    src = app.status
    if to not in Application.ALLOWED[src]:
        raise ServiceError(
            _("申请当前状态为“%(status)s”，不能%(action)s") % {"status": Status(src).label, "action": action_label(action)},
            field="status",
            code="wrong_state",
        )
    # Conditional: of two concurrent transitions from the same state only one matches.
    if Application.objects.filter(pk=app.pk, status=src).update(status=to) != 1:
        raise ServiceError(_("申请状态已被他人改变，请刷新后重试"), field="status", code="conflict")
    app.status = to
    _event(app, action=action, from_status=src, actor=actor, note=note)


ACTION_LABELS = {
    "approve": gettext_lazy("审批"),
    "reject": gettext_lazy("驳回"),
    "withdraw": gettext_lazy("撤回"),
    "reverse": gettext_lazy("撤销批准"),
    "pay": gettext_lazy("发放"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _subject_total(*, subject_kind: str, subject_id: int, programme: Programme, year: int, delta: int) -> int:
    """Add ``delta`` to the subject's cumulative figure, holding its row lock until commit."""
    SubjectTotal.objects.get_or_create(subject_kind=subject_kind, subject_id=subject_id, programme=programme, year=year)
    row = SubjectTotal.objects.select_for_update().get(subject_kind=subject_kind, subject_id=subject_id, programme=programme, year=year)
    SubjectTotal.objects.filter(pk=row.pk).update(total=F("total") + delta)
    return row.total + delta


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    org: Org,
    envelope: Envelope,
    subject_kind: str,
    subject_id: int,
    amount: int,
    basis: dict[str, Any] | None = None,
    fund_source: str = FundSource.OWN,
    campaign: AidCampaign | None = None,
) -> Application:
    _require(actor, "operate", org, _("您无权为该工会录入帮扶申请"))
    if not getattr(actor, "pk", None):
        raise _forbid(_("申请须由登录用户录入"))
    amount = _fen(amount)
    if not SUBJECT_KIND.match(subject_kind or ""):
        raise ServiceError(_("帮扶对象类型无效"), field="subject_kind")
    if isinstance(subject_id, bool) or not isinstance(subject_id, int) or subject_id <= 0:
        raise ServiceError(_("帮扶对象编号无效"), field="subject_id")
    if not envelope.org.contains(org):
        raise ServiceError(_("所选预算不属于本工会或其上级工会"), field="envelope")
    if not envelope.programme.is_active:
        raise ServiceError(_("%(programme)s已停用") % {"programme": envelope.programme.name}, field="envelope")
    if fund_source not in FundSource.values:
        raise ServiceError(_("资金来源无效"), field="fund_source")
    basis = _clean_basis(basis)
    _check_campaign(campaign, org=org, year=envelope.year, basis=basis)
    cap, how = programme_cap(programme=envelope.programme, basis=basis)
    if cap is not None and amount > cap:
        raise ServiceError(
            _("金额%(amount)s超过%(programme)s的上限%(cap)s（%(how)s）")
            % {"amount": yuan(amount), "programme": envelope.programme.name, "cap": yuan(cap), "how": how},
            field="amount",
            code="over_cap",
        )
    cumulative = _subject_total(subject_kind=subject_kind, subject_id=subject_id, programme=envelope.programme, year=envelope.year, delta=amount)
    now = timezone.now()
    app = Application.objects.create(
        org=org, org_path=org.path, envelope=envelope, programme=envelope.programme, year=envelope.year, subject_kind=subject_kind,
        subject_id=subject_id, amount=amount, fund_source=fund_source, campaign=campaign, basis=basis, cumulative=cumulative,
        created_by=actor, created_at=now,
    )  # fmt: skip
    steps = approval.chain_for(envelope_org=envelope.org, cumulative=cumulative)
    ApprovalStep.objects.bulk_create(
        [ApprovalStep(application=app, seq=i, org=s.org, level=s.level, reason=s.reason) for i, s in enumerate(steps, start=1)]
    )
    _event(app, action="submit", from_status="", actor=actor)
    audit.record(
        actor=actor,
        action="money.application_submit",
        target=app,
        data={
            "amount": amount,
            "cumulative": cumulative,
            "steps": len(steps),
            "fund_source": fund_source,
            "campaign": campaign.pk if campaign else None,
        },
    )
    return app


def _current_step(app: Application) -> ApprovalStep:
    step = app.steps.filter(decision=ApprovalStep.Decision.PENDING).select_related("org").order_by("seq").first()
    if step is None:
        raise ServiceError(_("该申请没有待审批的环节"), field="status", code="wrong_state")
    return step


def _check_checker(*, actor: Any, app: Application, action: str) -> ApprovalStep:
    if app.status != Status.PENDING:
        raise ServiceError(
            _("申请当前状态为“%(status)s”，不能%(action)s") % {"status": Status(app.status).label, "action": action_label(action)},
            field="status",
            code="wrong_state",
        )
    if getattr(actor, "pk", None) is not None and actor.pk == app.created_by_id:
        # The refusal is a control event: recorded in its own transaction, kept.
        with transaction.atomic():
            audit.record(actor=actor, action="money.maker_checker_refused", target=app, success=False, data={"action": action})
        raise _forbid(_("录入人不能审批自己录入的申请（审批须由他人完成）"), field="approver")
    step = _current_step(app)
    if not policy.user_can(actor, "manage", step.org):
        raise _forbid(_("本环节须由%(org)s的管理员审批，您无此权限") % {"org": step.org.name}, field="approver")
    if app.steps.filter(decided_by_id=actor.pk).exists():
        raise _forbid(_("同一申请的各级审批须由不同的人完成"), field="approver")
    return step


def _decide(step: ApprovalStep, *, actor: Any, decision: str, note: str) -> None:
    n = ApprovalStep.objects.filter(pk=step.pk, decision=ApprovalStep.Decision.PENDING).update(
        decision=decision, decided_by=actor, decided_at=timezone.now(), note=note[:200]
    )
    if n != 1:
        raise ServiceError(_("该环节已被他人处理，请刷新后重试"), field="status", code="conflict")


def application_approve(*, actor: Any, application: Application, note: str = "") -> Application:
    _check_checker(actor=actor, app=application, action="approve")  # outside the atomic block: its audit row is kept
    return _approve(actor=actor, application=application, note=note)


@transaction.atomic
def _approve(*, actor: Any, application: Application, note: str) -> Application:
    app = Application.objects.select_related("envelope__org", "envelope__expense_account").get(pk=application.pk)
    step = _check_checker(actor=actor, app=app, action="approve")
    _decide(step, actor=actor, decision=ApprovalStep.Decision.APPROVED, note=note)
    remaining_steps = app.steps.filter(decision=ApprovalStep.Decision.PENDING).count()
    if remaining_steps == 0:
        env = app.envelope
        txn = ledger.post(
            actor=actor,
            kind=LedgerTransaction.Kind.APPROVAL,
            org=env.org,
            memo=f"申请#{app.pk}批准",
            lines=[
                Line(env.expense_account, app.amount, app.subject_kind, app.subject_id),
                Line(org_account(env.org, Account.Kind.LIABILITY), -app.amount, app.subject_kind, app.subject_id),
            ],
        )  # raises Overspent (nothing written) when the envelope cannot afford it
        Application.objects.filter(pk=app.pk).update(approval_txn=txn)
        app.approval_txn = txn
        _transition(app, Status.APPROVED, actor=actor, action="approve", note=note)
    else:
        _event(app, action="approve_step", from_status=app.status, actor=actor, note=f"第{step.seq}级同意")
    audit.record(actor=actor, action="money.application_approve", target=app, data={"step": step.seq, "final": remaining_steps == 0})
    application.status, application.approval_txn = app.status, app.approval_txn
    return app


def application_reject(*, actor: Any, application: Application, reason: str) -> Application:
    if not (reason or "").strip():
        raise ServiceError(_("请填写驳回原因"), field="reason")
    _check_checker(actor=actor, app=application, action="reject")
    return _reject(actor=actor, application=application, reason=reason.strip())


@transaction.atomic
def _reject(*, actor: Any, application: Application, reason: str) -> Application:
    app = Application.objects.get(pk=application.pk)
    step = _check_checker(actor=actor, app=app, action="reject")
    _decide(step, actor=actor, decision=ApprovalStep.Decision.REJECTED, note=reason)
    _transition(app, Status.REJECTED, actor=actor, action="reject", note=reason)
    _subject_total(subject_kind=app.subject_kind, subject_id=app.subject_id, programme=app.programme, year=app.year, delta=-app.amount)
    audit.record(actor=actor, action="money.application_reject", target=app, data={"step": step.seq})
    application.status = app.status
    return app


@transaction.atomic
def application_withdraw(*, actor: Any, application: Application) -> Application:
    app = Application.objects.get(pk=application.pk)
    if getattr(actor, "pk", None) != app.created_by_id:
        _require(actor, "manage", app.org, _("只有录入人或本工会管理员可以撤回申请"))
    _transition(app, Status.WITHDRAWN, actor=actor, action="withdraw")
    _subject_total(subject_kind=app.subject_kind, subject_id=app.subject_id, programme=app.programme, year=app.year, delta=-app.amount)
    audit.record(actor=actor, action="money.application_withdraw", target=app)
    application.status = app.status
    return app


@transaction.atomic
def application_reverse(*, actor: Any, application: Application, reason: str) -> Application:
    """Undo an approval before payment: the approval posting is reversed, the budget freed."""
    app = Application.objects.select_related("envelope__org").get(pk=application.pk)
    _require(actor, "manage", app.envelope.org, _("您无权撤销该批准"))
    if app.status == Status.APPROVED and app.batch_id is not None:
        raise ServiceError(_("该申请已列入发放批次，不能撤销批准"), field="status", code="in_batch")
    if app.status != Status.APPROVED or app.approval_txn_id is None:
        raise ServiceError(
            _("申请当前状态为“%(status)s”，不能%(action)s") % {"status": Status(app.status).label, "action": action_label("reverse")},
            field="status",
            code="wrong_state",
        )
    ledger.transaction_reverse(actor=actor, txn=app.approval_txn, reason=reason, _domain=True)  # type: ignore[arg-type]
    _transition(app, Status.REVERSED, actor=actor, action="reverse", note=reason)
    _subject_total(subject_kind=app.subject_kind, subject_id=app.subject_id, programme=app.programme, year=app.year, delta=-app.amount)
    audit.record(actor=actor, action="money.application_reverse", target=app)
    application.status = app.status
    return app


# ---- disbursement ------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor: Any, org: Org, applications: list[Application]) -> DisbursementBatch:
    _require(actor, "operate", org, _("您无权为该工会编制发放批次"))
    if not applications:
        raise ServiceError(_("请选择要发放的申请"), field="applications")
    batch = DisbursementBatch.objects.create(org=org, org_path=org.path, created_by=actor, created_at=timezone.now())
    ids = sorted({a.pk for a in applications})
    # Conditional: an application already in another batch, or no longer approved, is not taken.
    taken = Application.objects.filter(pk__in=ids, status=Status.APPROVED, batch__isnull=True, envelope__org=org).update(batch=batch)
    if taken != len(ids):
        raise ServiceError(_("所选申请中有未批准、已列入其他批次或不属于本工会预算的，请重新选择"), field="applications")
    audit.record(actor=actor, action="money.batch_create", target=batch, data={"applications": len(ids)})
    return batch


@transaction.atomic
def batch_post(*, actor: Any, batch: DisbursementBatch) -> DisbursementBatch:
    _require(actor, "manage", batch.org, _("您无权确认该批次发放"))
    if getattr(actor, "pk", None) == batch.created_by_id:
        raise _forbid(_("编制人不能确认自己编制的发放批次"), field="approver")
    if DisbursementBatch.objects.filter(pk=batch.pk, status=DisbursementBatch.Status.DRAFT).update(
        status=DisbursementBatch.Status.POSTED, posted_by=actor, posted_at=timezone.now()
    ) != 1:  # fmt: skip
        raise ServiceError(_("该批次已发放"), field="status", code="wrong_state")
    apps = list(Application.objects.filter(batch=batch).order_by("pk"))
    payable = org_account(batch.org, Account.Kind.LIABILITY)
    lines = [Line(payable, a.amount, a.subject_kind, a.subject_id) for a in apps]
    lines.append(Line(org_account(batch.org, Account.Kind.ASSET), -sum(a.amount for a in apps)))
    txn = ledger.post(actor=actor, kind=LedgerTransaction.Kind.DISBURSEMENT, org=batch.org, memo=f"批次#{batch.pk}发放", lines=lines)
    DisbursementBatch.objects.filter(pk=batch.pk).update(txn=txn)
    for a in apps:
        _transition(a, Status.PAID, actor=actor, action="pay")
    audit.record(actor=actor, action="money.batch_post", target=batch, data={"applications": len(apps), "txn": txn.pk})
    batch.refresh_from_db()
    return batch
