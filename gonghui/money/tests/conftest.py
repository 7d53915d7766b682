"""Money personas on top of the shared world: admins at the province and the national federation
(the approval chain climbs there), and a budget of ¥100,000 at city_a1 for a rule-free programme."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gonghui.money import services
from gonghui.money.models import Envelope, Programme
from tests.factories import World, make_user


@dataclass
class Money:
    w: World
    programme: Programme
    envelope: Envelope
    users: dict[str, Any]

    def submit(self, amount: int, *, subject_id: int = 1, actor: str = "cadre", envelope: Envelope | None = None, org: Any = None, **kw: Any):  # type: ignore[no-untyped-def]
        return services.application_submit(
            actor=self.users[actor], org=org or self.w.unit_a1, envelope=envelope or self.envelope,
            subject_kind="hardship.file", subject_id=subject_id, amount=amount, **kw,
        )  # fmt: skip


@pytest.fixture
def money(world: World) -> Money:
    users = dict(world.users)
    users["prov_admin"] = make_user("prov_admin", "org_admin", org=world.prov_a)
    users["prov_admin2"] = make_user("prov_admin2", "org_admin", org=world.prov_a)
    users["nat_admin"] = make_user("nat_admin", "org_admin", org=world.root)
    users["other_admin"] = make_user("other_admin", "org_admin", org=world.prov_b)
    programme = Programme.objects.create(code="test", name="测试救助", sort=99)
    env = services.envelope_create(actor=users["org_admin"], programme=programme, org=world.city_a1, year=2026)
    services.envelope_fund(actor=users["org_admin"], envelope=env, amount=10_000_000)  # ¥100,000
    env.refresh_from_db()
    return Money(world, programme, env, users)


APPEND_ONLY_TABLES = ("audit_auditevent", "money_ledgertransaction", "money_ledgerentry")


def _reset_triggers(*, create: bool) -> None:
    from django.db import connection

    from gonghui.lib import appendonly

    with connection.cursor() as c:
        for table in APPEND_ONLY_TABLES:
            for sql in appendonly.drop_sql(connection.vendor, table) + (appendonly.create_sql(connection.vendor, table) if create else []):
                c.execute(sql)


@pytest.fixture
def flushable_ledger(db: Any) -> Any:
    """For ``transaction=True`` tests. The flush that empties the database after such a test is
    refused by the append-only triggers, and it runs after every function fixture's teardown. So
    this teardown wraps the next flush once: triggers dropped just before it, reinstalled just
    after, the original command restored."""
    yield
    from django.core.management.commands import flush

    original = flush.Command.handle

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        flush.Command.handle = original  # type: ignore[method-assign]
        _reset_triggers(create=False)
        try:
            return original(self, *args, **options)
        finally:
            _reset_triggers(create=True)

    flush.Command.handle = handle  # type: ignore[method-assign]
