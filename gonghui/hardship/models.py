"""困难职工帮扶: one file per household, from intake through dynamic management to exit.

Rules and where they live:
- the category arithmetic (深度 / 相对 / 意外致困 against the regional 低保) is ``category.py``;
- the state machine is ``HardshipFile.ALLOWED``; every transition is a service in ``services.py``
  writing a ``FileEvent`` row in the same transaction;
- 比对 (dedupe): ``HouseholdClaim`` holds one row per ID number (blind index) for every file that
  is past the draft and not cancelled, so "one person belongs to one household file" is a unique
  index, and a check is one indexed lookup per number (``dedupe.py``);
- personal data (names, ID numbers, incomes, notes) lives on ``HardshipFile`` and
  ``HouseholdMember`` only; events, conflicts, claims and ledger rows hold ids and codes, so the
  10-year purge of a closed file (``manage.py purge_closed_files``) leaves every trail and amount.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.lib import crypto
from gonghui.lib.fields import BinaryCharField


class Area(models.TextChoices):
    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class SubsistenceStandard(models.Model):
    """低保标准: monthly amount per person for a region (GB/T 2260), year and urban/rural."""

    region_code = models.CharField(_("行政区划代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.CharField(_("城乡"), max_length=5, choices=Area.choices)
    monthly_fen = models.BigIntegerField(_("月标准(分)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["region_code", "-year", "area"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year", "area"], name="hardship_standard_once"),
            models.CheckConstraint(condition=Q(monthly_fen__gt=0), name="hardship_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year} {self.get_area_display()}"


class Category(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")


class FileLevel(models.TextChoices):
    NATIONAL = "national", _("全国级")
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("区县级")
    GRASSROOTS = "grassroots", _("基层")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    EDUCATION = "education", _("子女就学")
    UNEMPLOYMENT = "unemployment", _("失业")
    INJURY = "injury", _("工伤")
    DISASTER = "disaster", _("因灾")
    CLOSURE = "closure", _("企业关停并转")
    WAGES = "wages", _("欠薪")
    ACCIDENT = "accident", _("意外事故")
    OTHER = "other", _("其他")


class CancelReason(models.TextChoices):
    DEATH = "death", _("死亡")
    RETIRED = "retired", _("退休")
    TRANSFERRED = "transferred", _("调离")
    MISMATCH = "mismatch", _("比对不符")
    OTHER = "other", _("其他")


class HardshipFile(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        PRELIM_OK = "prelim_ok", _("初审通过")
        VISITED = "visited", _("已入户调查")
        REVIEWED = "reviewed", _("复核通过")
        PUBLICIZED = "publicized", _("公示中")
        ACTIVE = "active", _("在档")
        TEMP_ACTIVE = "temp_active", _("临时救助")
        RETURNED = "returned", _("已退回")
        LIFTED = "lifted", _("已脱困")
        SAFETY_NET = "safety_net", _("兜底保障")
        CANCELLED = "cancelled", _("已注销")

    class Kind(models.TextChoices):
        FORMAL = "formal", _("正式档案")
        TEMPORARY = "temporary", _("临时救助档案")

    ALLOWED: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.PRELIM_OK, Status.RETURNED}),
        Status.PRELIM_OK: frozenset({Status.VISITED, Status.RETURNED}),
        Status.VISITED: frozenset({Status.REVIEWED, Status.RETURNED}),
        Status.REVIEWED: frozenset({Status.PUBLICIZED, Status.RETURNED}),
        Status.PUBLICIZED: frozenset({Status.ACTIVE, Status.TEMP_ACTIVE, Status.RETURNED}),
        Status.RETURNED: frozenset({Status.SUBMITTED}),
        Status.TEMP_ACTIVE: frozenset({Status.ACTIVE, Status.CANCELLED}),
        Status.ACTIVE: frozenset({Status.LIFTED, Status.SAFETY_NET, Status.CANCELLED}),
        Status.SAFETY_NET: frozenset({Status.LIFTED, Status.CANCELLED}),
        Status.LIFTED: frozenset({Status.SUBMITTED, Status.CANCELLED}),
        Status.CANCELLED: frozenset(),
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # Files on record (在档库): aid may be paid, a contact is required, annual review applies.
    ON_FILE = (Status.ACTIVE, Status.TEMP_ACTIVE, Status.SAFETY_NET)
    # Past the draft and not closed: the household's ID numbers are claimed (one person, one file).
    CLAIMING = (
        Status.SUBMITTED,
        Status.PRELIM_OK,
        Status.VISITED,
        Status.REVIEWED,
        Status.PUBLICIZED,
        Status.ACTIVE,
        Status.TEMP_ACTIVE,
        Status.LIFTED,
        Status.SAFETY_NET,
    )
    REVIEW_STEPS = (Status.SUBMITTED, Status.PRELIM_OK, Status.VISITED, Status.REVIEWED, Status.PUBLICIZED)

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="hardship_files", verbose_name=_("建档工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    holder = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="hardship_files", verbose_name=_("户主(职工)"))
    kind = models.CharField(_("档案类型"), max_length=10, choices=Kind.choices, default=Kind.FORMAL)
    level = models.CharField(_("建档标准"), max_length=10, choices=FileLevel.choices, default=FileLevel.GRASSROOTS)
    is_migrant_worker = models.BooleanField(_("农民工"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    category = models.CharField(_("困难类别"), max_length=10, choices=Category.choices, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    area = models.CharField(_("城乡"), max_length=5, choices=Area.choices, default=Area.URBAN)
    cause_main = models.CharField(_("主要致困原因"), max_length=16, choices=Cause.choices)
    cause_secondary = models.CharField(_("次要致困原因"), max_length=16, choices=Cause.choices, blank=True)
    accident_event = models.CharField(_("意外事件"), max_length=200, blank=True, help_text=_("意外致困时填写：突发事件、意外伤害或重大疾病"))
    # 因困支出 by type and 必要就业成本, yearly, in fen; incomes are on the household members.
    medical_expense_fen = models.BigIntegerField(_("医疗支出(分)"), default=0)
    education_expense_fen = models.BigIntegerField(_("教育支出(分)"), default=0)
    other_expense_fen = models.BigIntegerField(_("其他因困支出(分)"), default=0)
    job_cost_fen = models.BigIntegerField(_("必要就业成本(分)"), default=0)
    housing_type = models.CharField(_("住房类型"), max_length=16, blank=True)
    housing_area = models.CharField(_("住房面积"), max_length=8, blank=True)
    bank_cipher = models.TextField(blank=True)
    bank_tail = models.CharField(_("银行账号"), max_length=4, blank=True)
    application_signed = models.BooleanField(_("已签《困难职工帮扶申请书》"), default=False)
    consent_signed = models.BooleanField(_("已签《家庭经济状况核对授权委托书》"), default=False)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示截止"), null=True, blank=True)
    cancel_reason = models.CharField(_("注销原因"), max_length=12, choices=CancelReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="last change of the file's content or state (一年未改的档案)")
    filed_on = models.DateField(_("建档日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤档日期"), null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "status"], name="hardship_file_scope_idx"),
            models.Index(fields=["status", "changed_at"], name="hardship_file_changed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(medical_expense_fen__gte=0) & Q(education_expense_fen__gte=0) & Q(other_expense_fen__gte=0) & Q(job_cost_fen__gte=0),
                name="hardship_file_amounts_non_negative",
            ),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="hardship_file_cancel_has_reason"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"KN{self.pk:08d}" if self.pk else "KN(未保存)"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org

    @property
    def hardship_expense_fen(self) -> int:
        return self.medical_expense_fen + self.education_expense_fen + self.other_expense_fen

    def bank_account(self) -> str:
        return crypto.decrypt(self.bank_cipher, aad=b"hardship.bank") if self.bank_cipher else ""


class HouseholdMember(models.Model):
    class Relation(models.TextChoices):
        SELF = "self", _("本人")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        OTHER = "other", _("其他")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("健康")
        CHRONIC = "chronic", _("慢性病")
        SERIOUS = "serious", _("重大疾病")
        DISABLED = "disabled", _("残疾")

    class WorkStatus(models.TextChoices):
        EMPLOYED = "employed", _("在岗")
        LAID_OFF = "laid_off", _("下(待)岗")
        UNEMPLOYED = "unemployed", _("失(无)业")
        RETIRED = "retired", _("退休")
        SICK_LEAVE = "sick_leave", _("病休")
        STUDENT = "student", _("在校学生")
        MIGRANT = "migrant", _("农民工")
        NONE = "none", _("无劳动能力")

    PERSONAL_FIELDS = frozenset({"name", "id_cipher", "birth_year"})

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="members")
    relation = models.CharField(_("与户主关系"), max_length=8, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_cipher = models.TextField()
    id_bidx = models.CharField(max_length=32, db_index=True)
    id_tail = models.CharField(max_length=4)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"))
    health = models.CharField(_("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    disability_type = models.CharField(_("残疾类别"), max_length=16, blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True)
    work_status = models.CharField(_("工作状态"), max_length=12, choices=WorkStatus.choices)
    # Yearly income by source, in fen (单位 / 再就业 / 养老金 / 低保及救助 / 其他).
    wage_fen = models.BigIntegerField(_("工资收入(分)"), default=0)
    pension_fen = models.BigIntegerField(_("养老金(分)"), default=0)
    relief_fen = models.BigIntegerField(_("低保及救助(分)"), default=0)
    other_income_fen = models.BigIntegerField(_("其他收入(分)"), default=0)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["file", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["file", "id_bidx"], name="hardship_member_once_per_file"),
            models.UniqueConstraint(fields=["file"], condition=Q(relation="self"), name="hardship_member_one_holder"),
            models.CheckConstraint(
                condition=Q(wage_fen__gte=0) & Q(pension_fen__gte=0) & Q(relief_fen__gte=0) & Q(other_income_fen__gte=0),
                name="hardship_member_income_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | (Q(disability_grade__gte=1) & Q(disability_grade__lte=4)),
                name="hardship_member_disability_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def income_fen(self) -> int:
        return self.wage_fen + self.pension_fen + self.relief_fen + self.other_income_fen

    @property
    def id_masked(self) -> str:
        return f"{'*' * 14}{self.id_tail}"

    def id_number(self) -> str:
        return crypto.decrypt(self.id_cipher, aad=b"hardship.member.id")


class HouseholdClaim(models.Model):
    """One person, one household file: a row per ID number of every file in ``CLAIMING`` states."""

    id_bidx = models.CharField(max_length=32, unique=True)
    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.file_id}:{self.id_bidx[:6]}"


class FileEvent(models.Model):
    """Append-only history of a file: each transition and each logged adjustment."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # The file's union as it was at the moment (reports survive transfers and subtree moves).
    org_id_at = models.BigIntegerField()
    org_path_at = BinaryCharField(max_length=255, db_index=True)
    reason = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "at"], name="hardship_event_action_at_idx")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.action}"


class DedupeConflict(models.Model):
    """比对 result: a number on a new or changed file is already claimed by another union's file.

    The raising side is shown only the holding union's name and contact route; the holding side
    sees the conflict against its own file. Neither sees the other's household or amounts.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待协调")
        RESOLVED = "resolved", _("已协调")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="conflicts_raised")
    member = models.ForeignKey(HouseholdMember, null=True, on_delete=models.SET_NULL, related_name="+")
    other_file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="conflicts_held")
    raised_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    holding_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["file", "other_file", "member"], condition=Q(status="open"), name="hardship_conflict_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}↔{self.other_file_id}"


class ContactAssignment(models.Model):
    """帮扶联系人: a named cadre per file; history kept (``ended_at`` set when replaced)."""

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="contacts")
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hardship_contacts", verbose_name=_("帮扶联系人"))
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["file", "-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["file"], condition=Q(ended_at__isnull=True), name="hardship_contact_one_current")]

    def __str__(self) -> str:
        return f"{self.file_id}→{self.cadre_id}"


class Visit(models.Model):
    """走访记录 with the 三清: cause, needs and measures."""

    class Channel(models.TextChoices):
        HOME = "home", _("登门")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网络")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    cause_note = models.CharField(_("致困原因"), max_length=500)
    needs_note = models.CharField(_("帮扶需求"), max_length=500)
    measures_note = models.CharField(_("帮扶措施"), max_length=500)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["file", "visited_on"], name="hardship_visit_file_on_idx")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.visited_on}"


class AnnualReview(models.Model):
    class Outcome(models.TextChoices):
        KEEP = "keep", _("保留")
        ADJUST = "adjust", _("调整")
        LIFT = "lift", _("脱困")
        CANCEL = "cancel", _("注销")

    file = models.ForeignKey(HardshipFile, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    outcome = models.CharField(_("结论"), max_length=8, choices=Outcome.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["file", "year"], name="hardship_review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.year}"
