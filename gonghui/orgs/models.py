from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.lib.fields import BinaryCharField


def path_ids(path: str) -> list[int]:
    """The node ids of a materialized path, root first: ``/1/12/345/`` → [1, 12, 345]."""
    return [int(p) for p in path.strip("/").split("/")]


def ancestor_paths(path: str) -> list[str]:
    """The paths of every node on ``path``, root first, itself included."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


class Org(models.Model):
    """A node of the union tree (全总 → 省 → 市 → 县 → 乡镇/街道 → 基层).

    ``path`` is a materialized path of primary keys, ``/1/12/345/``; a subtree is the range of
    paths starting with a node's path, served by one B-tree index on both databases.
    """

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("地市级")
        COUNTY = "county", _("区县级")
        TOWN = "town", _("乡镇(街道)")
        GRASSROOTS = "grassroots", _("基层")

    class OrgType(models.TextChoices):
        FEDERATION = "federation", _("地方总工会")
        INDUSTRY = "industry", _("产业工会")
        SINGLE = "single", _("单独基层工会")
        JOINT = "joint", _("联合基层工会")
        REGIONAL = "regional", _("区域(行业)工会联合会")
        TOWN = "town", _("乡镇(街道)总工会")
        COMMUNITY = "community", _("村(社区)工会")
        BRANCH = "branch", _("分会/工会小组")

    class UnitCategory(models.TextChoices):
        # 单位类别 of the host unit, following the 基层工会调查表 coding.
        DOMESTIC = "110", _("内资企业")
        HKMOTW = "200", _("港澳台商投资企业")
        FOREIGN = "300", _("外商投资企业")
        INSTITUTION = "400", _("事业单位")
        ORGAN = "500", _("机关")
        SOCIAL = "600", _("社会组织")
        INDIVIDUAL = "700", _("个体工商户")

    class Status(models.TextChoices):
        OPEN = "open", _("正常")
        CLOSED = "closed", _("已撤销")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级组织"))
    path = BinaryCharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("组织编码"), max_length=32, unique=True, help_text=_("基层工会统计编码；没有时由系统生成"))
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    org_type = models.CharField(_("组织类型"), max_length=16, choices=OrgType.choices)
    region_code = models.CharField(_("行政区划代码"), max_length=6, help_text=_("GB/T 2260，6位数字"))
    unit_name = models.CharField(_("所在单位"), max_length=100, blank=True)
    unit_credit_code = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    unit_category = models.CharField(_("单位类别"), max_length=3, choices=UnitCategory.choices, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    contact = models.CharField(_("办公联系方式"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    close_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    # Direct members (会员 and 保留会籍) of this node; kept by the membership services in the
    # same transaction, proven by `manage.py recount_members`. Subtree totals are a SUM over nodes.
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(parent__isnull=True) | ~models.Q(parent=models.F("id")), name="org_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self) -> Org:
        return self

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)[:-1]

    def contains(self, other: Org) -> bool:
        return other.path.startswith(self.path)


class OrgMove(models.Model):
    """Where a subtree was before it moved: facts recorded earlier keep their own paths."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="moves")
    from_parent = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    to_parent = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    old_path = models.CharField(max_length=255)
    new_path = models.CharField(max_length=255)
    moved_at = models.DateTimeField()
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.old_path} → {self.new_path}"
