from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.lib import crypto
from gonghui.lib.fields import BinaryCharField
from gonghui.lib.masking import mask_id


class Person(models.Model):
    """One record per human across the whole deployment.

    The ID number and mobile are stored encrypted (``<kid>:…``) with a keyed blind index for
    exact lookup; ``id_tail`` (last 4, as shown masked) serves searches by last digits.
    ``org`` is the union holding the record (their membership's union, or where they were
    registered); ``org_path`` mirrors its path for subtree queries.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    PERSONAL_FIELDS = frozenset({"name", "id_cipher", "phone_cipher", "birth_date", "sex", "ethnicity", "political_status", "education"})

    name = BinaryCharField(_("姓名"), max_length=50, db_index=True)
    id_cipher = models.TextField()
    id_bidx = models.CharField(max_length=32, unique=True)
    id_head = models.CharField(max_length=3)
    id_tail = models.CharField(max_length=4, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    phone_cipher = models.TextField(blank=True)
    phone_bidx = models.CharField(max_length=32, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    degree = models.CharField(_("学位"), max_length=20, blank=True)
    skill_level = models.CharField(_("技能等级"), max_length=20, blank=True)
    household_type = models.CharField(_("户籍类型"), max_length=10, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=10, blank=True)
    is_migrant_worker = models.BooleanField(_("农民工"), default=False)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="people", verbose_name=_("所属工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["org_path", "id"], name="person_orgpath_id_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org

    # Decrypted values are only for services that reveal (with audit) or re-encrypt.
    def id_number(self) -> str:
        return crypto.decrypt(self.id_cipher, aad=b"person.id")

    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher, aad=b"person.phone") if self.phone_cipher else ""

    @property
    def id_masked(self) -> str:
        # Lists never decrypt: the masked form is built from the stored head and tail.
        return mask_id(self.id_head + "0" * 11 + self.id_tail)

    @property
    def birth_year(self) -> int:
        return self.birth_date.year

    def age(self, today: dt.date | None = None) -> int:
        today = today or dt.date.today()  # noqa: DTZ011 - the server's local date (Asia/Shanghai)
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


class Membership(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("申请中")
        ACTIVE = "active", _("会员")
        RETAINED = "retained", _("保留会籍")
        TRANSFERRED = "transferred", _("已转出")
        WITHDRAWN = "withdrawn", _("已退会")
        EXPELLED = "expelled", _("已除名")

    OPEN = (Status.APPLIED, Status.ACTIVE, Status.RETAINED)
    COUNTED = (Status.ACTIVE, Status.RETAINED)  # counted as 会员 in Org.member_count
    # Transfers are their own service (a pair of memberships), so TRANSFERRED is not listed here.
    ALLOWED: dict[str, tuple[str, ...]] = {
        Status.APPLIED: (Status.ACTIVE, Status.WITHDRAWN),
        Status.ACTIVE: (Status.RETAINED, Status.WITHDRAWN, Status.EXPELLED),
        Status.RETAINED: (Status.ACTIVE, Status.WITHDRAWN),
        Status.TRANSFERRED: (),
        Status.WITHDRAWN: (),
        Status.EXPELLED: (),
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("所在工会"))
    org_path = BinaryCharField(max_length=255)
    status = models.CharField(_("会籍状态"), max_length=12, choices=Status.choices)
    joined_on = models.DateField(_("入会日期"), null=True, blank=True)
    card_no = models.CharField(_("会员证号"), max_length=30, blank=True)
    ended_on = models.DateField(_("会籍结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org_path", "id"], name="membership_orgpath_id_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["applied", "active", "retained"]),
                name="membership_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.org_id} {self.status}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class MembershipEvent(models.Model):
    """One row per state change, with the union's place in the tree at that moment."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_status or '—'} → {self.to_status}"


class TransferRequest(models.Model):
    """转会: asked for by the receiving union, decided by the union holding the person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("已拒绝")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfer_requests")
    from_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=models.Q(status="pending"), name="transfer_one_pending_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_org_id} → {self.to_org_id} {self.status}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.from_org


class PersonImportRow(models.Model):
    """Staging for a member-roll import: validated, encrypted rows wait here between preview and
    apply, so the apply is one short set-based transaction (INSERT … SELECT, UPDATE … FROM)."""

    job = models.ForeignKey("imports.ImportJob", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    row_no = models.PositiveIntegerField()
    action = models.CharField(max_length=8)  # create | update
    person_id = models.BigIntegerField(null=True)
    org_id = models.BigIntegerField()
    org_path = models.CharField(max_length=255)
    name = models.CharField(max_length=50)
    id_cipher = models.TextField()
    id_bidx = models.CharField(max_length=32)
    id_head = models.CharField(max_length=3)
    id_tail = models.CharField(max_length=4)
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    phone_cipher = models.TextField(blank=True)
    phone_bidx = models.CharField(max_length=32, blank=True)
    phone_masked = models.CharField(max_length=11, blank=True)
    ethnicity = models.CharField(max_length=20, blank=True)
    political_status = models.CharField(max_length=20, blank=True)
    education = models.CharField(max_length=20, blank=True)
    degree = models.CharField(max_length=20, blank=True)
    skill_level = models.CharField(max_length=20, blank=True)
    household_type = models.CharField(max_length=10, blank=True)
    marital_status = models.CharField(max_length=10, blank=True)
    is_migrant_worker = models.BooleanField(default=False)
    membership_status = models.CharField(max_length=12)
    joined_on = models.DateField(null=True)
    card_no = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "action"], name="personimport_job_action_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.row_no} {self.action}"
