"""Target builders for the money rows (tests/authz/matrix_money.txt)."""

from __future__ import annotations

from typing import Any

from gonghui.money import services
from gonghui.money.models import Application, Programme
from tests.factories import make_user


def _application(targets: Any) -> Application:
    """A pending ¥1,000 application of the relation's union on its own funded envelope, made by a
    federation admin at the root (never one of the personas: maker-checker stays out of the way)."""
    maker = make_user("money_maker", "fed_admin", org=targets.w.root)
    programme = Programme.objects.create(code="authz", name="授权测试")
    env = services.envelope_create(actor=maker, programme=programme, org=targets.org, year=2026)
    services.envelope_fund(actor=maker, envelope=env, amount=500_000)
    return services.application_submit(actor=maker, org=targets.org, envelope=env, subject_kind="hardship.file", subject_id=1, amount=100_000)


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    match name:
        case "money:envelopes" | "money:applications":
            _application(targets)
            return {"org_id": targets.org.pk}, {}
        case "money:campaigns":
            return {"org_id": targets.org.pk}, {"name": "两节送温暖", "starts_on": "2026-01-01", "ends_on": "2026-02-28"}
        case "money:approve":
            return {"pk": _application(targets).pk}, {}
        case "money:reject":
            return {"pk": _application(targets).pk}, {"reason": "材料不全"}
    return None
