"""The money engine: programmes with rules as data, budget envelopes, applications with an
approval chain up the org tree, disbursement batches, and an append-only double-entry ledger.

Amounts are integer fen (分) everywhere. Ledger rows (transactions and entries) are only ever
inserted — database triggers refuse UPDATE and DELETE — and reference the people or files they
concern by ``subject_kind`` + ``subject_id`` only, so purging a file's personal data leaves every
amount intact. Envelope running totals are a cache of the ledger, changed only by the guarded
UPDATE in ``ledger.post`` and proven by ``manage.py reconcile_envelopes``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.lib.fields import BinaryCharField


class Account(models.Model):
    """A general ledger account. Envelope accounts carry programme, org and year."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        LIABILITY = "liability", _("负债")
        EQUITY = "equity", _("净资产(基金)")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    code = models.CharField(_("科目编码"), max_length=100, unique=True)
    name = models.CharField(_("科目名称"), max_length=100)
    kind = models.CharField(_("科目类别"), max_length=10, choices=Kind.choices)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属工会"))
    programme = models.ForeignKey("Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("帮扶项目"))
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LedgerTransaction(models.Model):
    """One balanced posting. Append-only; a correction is a new transaction with ``reversal_of``."""

    class Kind(models.TextChoices):
        FUNDING = "funding", _("预算拨入")
        APPROVAL = "approval", _("审批列支")
        DISBURSEMENT = "disbursement", _("发放")
        REVERSAL = "reversal", _("冲正")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A fixed phrase or a reference number, never a name or an ID number.
    memo = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_at = models.DateTimeField()
    # Unique: a transaction can be reversed once; two racing reversals meet this constraint.
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="reversed_by")
    org = models.ForeignKey("orgs.Org", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    org_path = BinaryCharField(max_length=255, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class LedgerEntry(models.Model):
    """One line of a transaction: ``amount`` in fen, debit positive, credit negative."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.DO_NOTHING, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.DO_NOTHING, related_name="entries")
    amount = models.BigIntegerField()
    subject_kind = models.CharField(max_length=32, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"], name="money_entry_subject_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="money_entry_amount_nonzero"),
            models.CheckConstraint(
                condition=Q(subject_kind="", subject_id__isnull=True) | (~Q(subject_kind="") & Q(subject_id__isnull=False)),
                name="money_entry_subject_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class Programme(models.Model):
    """An aid programme (生活救助, 医疗救助, 金秋助学 …)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=50, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeRule(models.Model):
    """A cap on one payment, as data. ``category`` selects the rule for a file category
    (e.g. 深度 / 相对); a blank category is the programme's default rule."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("固定上限")
        MONTHS_OF_DIBAO = "months_of_dibao", _("低保标准的月数")
        PERCENT_OF_SELF_PAID = "percent_of_self_paid", _("自付费用的比例")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rules")
    category = models.CharField(_("适用类别"), max_length=20, blank=True)
    kind = models.CharField(_("规则"), max_length=24, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(_("月数"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("比例(%)"), null=True, blank=True)
    max_fen = models.BigIntegerField(_("最高金额(分)"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="money_rule_one_per_category"),
            models.CheckConstraint(condition=~Q(kind="months_of_dibao") | Q(months__gt=0), name="money_rule_months_set"),
            models.CheckConstraint(condition=~Q(kind="percent_of_self_paid") | Q(percent__gt=0, percent__lte=100), name="money_rule_percent_set"),
            models.CheckConstraint(condition=~Q(kind="fixed") | Q(max_fen__gt=0), name="money_rule_fixed_set"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.category or '*'}: {self.kind}"


class Envelope(models.Model):
    """A budget per programme × org × year, backed by two ledger accounts: ``fund_account``
    (credited when the envelope is funded) and ``expense_account`` (debited by approvals).

    ``funded``/``committed``/``remaining`` are running totals for speed, changed only by the
    guarded UPDATE in ``ledger.post`` inside the posting's transaction. The check constraints
    make an overspent or inconsistent row impossible even for a buggy caller.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("帮扶项目"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    fund_account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="fund_envelope")
    expense_account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="expense_envelope")
    funded = models.BigIntegerField(default=0)
    committed = models.BigIntegerField(default=0)
    remaining = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "org_path", "programme_id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "org", "year"], name="money_envelope_one_per_year"),
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(committed__gte=0), name="money_envelope_not_overspent"),
            models.CheckConstraint(condition=Q(remaining=F("funded") - F("committed")), name="money_envelope_totals_agree"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.programme_id}@{self.org_id}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class SubjectTotal(models.Model):
    """Requested-or-approved amount per subject × programme × year: the cumulative figure the
    approval thresholds apply to, and the row that serializes submissions for one subject."""

    subject_kind = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id", "programme", "year"], name="money_subject_total_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="money_subject_total_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}#{self.subject_id} {self.year}: {self.total}"


class FundSource(models.TextChoices):
    """Where the money of a payment comes from (资金来源), as the assistance reports break it down."""

    CENTRAL = "central", _("中央财政专项资金")
    PROVINCE = "province", _("省总工会")
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县级工会")
    OWN = "own", _("本级工会经费")
    SOCIAL = "social", _("社会捐助")


class AidCampaign(models.Model):
    """A 帮扶专项 (两节送温暖, 金秋助学, 大病救助 …) launched by a union for its subtree: a period and,
    optionally, the file categories it is for. Payments may be tagged to it and are counted by it."""

    name = models.CharField(_("专项名称"), max_length=100)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("发起工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # Category codes of the subjects it is for (e.g. ["deep"]); empty: every category.
    categories = models.JSONField(_("适用类别"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="money_campaign_dates_ordered"),
            models.UniqueConstraint(fields=["org", "name"], name="money_campaign_name_once"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class Application(models.Model):
    """A request to pay ``amount`` from an envelope to a subject (a household file, a person …)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")
        REVERSED = "reversed", _("已撤销批准")
        PAID = "paid", _("已发放")

    ALLOWED: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
        Status.APPROVED: frozenset({Status.REVERSED, Status.PAID}),
        Status.REJECTED: frozenset(),
        Status.WITHDRAWN: frozenset(),
        Status.REVERSED: frozenset(),
        Status.PAID: frozenset(),
    }
    # States whose amounts count toward the cumulative threshold.
    COUNTED = frozenset({Status.PENDING, Status.APPROVED, Status.PAID})
    # States whose amounts were granted: help given (rejected, withdrawn and reversed were not).
    GIVEN = frozenset({Status.APPROVED, Status.PAID})

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="applications", verbose_name=_("预算"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("帮扶项目"))
    year = models.PositiveSmallIntegerField(_("年度"))
    subject_kind = models.CharField(_("对象类型"), max_length=32)
    subject_id = models.BigIntegerField(_("对象编号"))
    amount = models.BigIntegerField(_("金额(分)"))
    fund_source = models.CharField(_("资金来源"), max_length=12, choices=FundSource.choices, default=FundSource.OWN)
    campaign = models.ForeignKey(
        AidCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="applications", verbose_name=_("帮扶专项")
    )
    # Rule inputs (category, 低保 monthly amount, self-paid costs): numbers and codes only.
    basis = models.JSONField(default=dict, blank=True)
    cumulative = models.BigIntegerField(help_text="subject × programme × year total including this one, at submission")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    approval_txn = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey("DisbursementBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="applications")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id", "programme", "year"], name="money_app_subject_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="money_app_amount_positive")]

    def __str__(self) -> str:
        return f"申请#{self.pk}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class ApprovalStep(models.Model):
    """One level of an application's chain: someone with ``manage`` on ``org`` decides it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("同意")
        REJECTED = "rejected", _("驳回")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16)
    reason = models.CharField(max_length=100, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["application_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="money_step_seq_unique"),
            # Each level is decided by a different person (NULLs of undecided steps are distinct).
            models.UniqueConstraint(fields=["application", "decided_by"], name="money_step_distinct_deciders"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.seq}"


class ApplicationEvent(models.Model):
    """A state change of an application, written by the service that made it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.action}"


class DisbursementBatch(models.Model):
    """Approved applications paid together: posted as ONE ledger transaction (one entry per
    payment against the payable account, one credit to the org's cash account), so a bank file
    and its ledger posting succeed or fail as a whole."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待发放")
        POSTED = "posted", _("已发放")

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = BinaryCharField(max_length=255, db_index=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    txn = models.OneToOneField(LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"批次#{self.pk}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org
