from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One audited action. Append-only: a database trigger refuses UPDATE and DELETE.

    Targets are referenced by type and id only, and ``data`` never holds plain personal data
    (for people it lists the changed field names), so personal data can be purged later without
    touching this trail.
    """

    # Indexes serve the audit page's filters only: (org_path, at) for scope + order, target, action,
    # actor. Every extra index is paid by each bulk import's audit rows.
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    org_path = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    success = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["org_path", "at"], name="audit_orgpath_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
