from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Alliance(models.Model):
    """A 工会联盟: a group over tree nodes, not a node. Run by ``host_org``'s union."""

    name = models.CharField(_("联盟名称"), max_length=100, unique=True)
    host_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="hosted_alliances", verbose_name=_("牵头工会"))
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    # The "1+345" form as data: one purpose, N mechanisms, N platforms, N brands.
    purpose = models.CharField(_("宗旨"), max_length=200, blank=True)
    mechanisms = models.JSONField(_("工作机制"), default=list, blank=True)
    platforms = models.JSONField(_("服务平台"), default=list, blank=True)
    brands = models.JSONField(_("活动品牌"), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.host_org

    @property
    def charter_form(self) -> str:
        """E.g. "1+345": one purpose, 3 mechanisms, 4 platforms, 5 brands."""
        return f"1+{len(self.mechanisms)}{len(self.platforms)}{len(self.brands)}"


class AllianceMember(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="alliance_memberships", verbose_name=_("成员工会"))
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    is_founder = models.BooleanField(_("发起单位"), default=False)
    strengths = models.CharField(_("生产经营特点"), max_length=200, blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "org"], condition=models.Q(left_on__isnull=True), name="alliance_member_once_active"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.org}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org


class CouncilSeat(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("主席")
        VICE_CHAIR = "vice_chair", _("副主席")
        SECRETARY_GENERAL = "secretary_general", _("秘书长")
        AUDIT_HEAD = "audit_head", _("经审委主任")
        WOMEN_HEAD = "women_head", _("女工委主任")
        COUNCILLOR = "councillor", _("理事")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="seats")
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="council_seats", verbose_name=_("人员"))
    member_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在成员工会"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "role", "term_start"]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.get_role_display()}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org
