"""Targets of the reports URLs (statistics dashboard, campaigns) for the authorization matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gonghui.reports import services


def _campaign(org: Any) -> Any:
    return services.campaign_create(
        actor=None, org=org, name=f"{org.name}专项", unit="sessions", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    w, org = targets.w, targets.org
    match name:
        case "reports:dashboard" | "reports:campaigns":
            return {"org_id": org.pk}, {"start": "2026-01", "end": "2026-12"}
        case "reports:campaign_create":
            return {"org_id": org.pk}, {"name": "红色电影进企业", "unit": "sessions", "starts_on": "2026-03-01", "ends_on": "2026-12-31"}
        case "reports:campaign":
            return {"pk": _campaign(org).pk}, {}
        case "reports:campaign_target":
            # A campaign one level up from the target org, so the org is a valid sub-org of it.
            parent = org.parent if targets.rel != "own" else w.city_a1
            return {"pk": _campaign(parent).pk}, {"org": org.code, "target": 5}
    return None
