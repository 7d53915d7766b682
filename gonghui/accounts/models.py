from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Custom from the first migration. A worker's account links to their person record."""

    person = models.OneToOneField("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account")
    display_name = models.CharField(_("显示名称"), max_length=50, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role on an org node (covering its subtree) or, for coordinators, on an alliance."""

    class Role(models.TextChoices):
        FED_ADMIN = "fed_admin", _("总工会管理员")
        ORG_ADMIN = "org_admin", _("工会管理员")
        CADRE = "cadre", _("工会干部")
        VIEWER = "viewer", _("只读查看")
        ALLIANCE_COORD = "alliance_coord", _("联盟协调员")
        WORKER = "worker", _("职工")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="grants", verbose_name=_("组织"))
    alliance = models.ForeignKey("alliances.Alliance", null=True, blank=True, on_delete=models.PROTECT, related_name="grants", verbose_name=_("联盟"))
    can_reveal = models.BooleanField(_("可查看完整证件号和手机号"), default=False)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="alliance_coord", alliance__isnull=False, org__isnull=True))
                | (models.Q(role="worker", alliance__isnull=True, org__isnull=True))
                | (~models.Q(role__in=["alliance_coord", "worker"]) & models.Q(org__isnull=False, alliance__isnull=True)),
                name="grant_target_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org or (self.alliance.host_org if self.alliance_id else None)


class LoginAttempt(models.Model):
    """Failed and successful logins, per account: the lockout counts these, never IPs."""

    username = models.CharField(max_length=150, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(db_index=True)
    success = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.success else 'failed'}"


class UserSession(AbstractBaseSession):
    """Django's session row plus the signed-in user's id as a column (set whenever the session is
    saved), so a request reads its session, its user and the user's grants in one statement
    (``backends.SessionStore.load``). No foreign key: the row only points the read at the user;
    Django's rules (expiry, ``is_active``, the session auth hash) still decide."""

    user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("会话")
        verbose_name_plural = _("会话")

    @classmethod
    def get_session_store_class(cls) -> type:
        from .backends import SessionStore

        return SessionStore
