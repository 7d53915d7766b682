from __future__ import annotations

import pytest

from gonghui.accounts import services
from gonghui.accounts.models import RoleGrant
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from tests.factories import make_user


def test_nobody_grants_themselves_a_role_and_the_attempt_is_audited(world) -> None:
    admin = world.users["org_admin"]
    n = RoleGrant.objects.count()
    with pytest.raises(ServiceError, match="不能给自己授予角色"):
        services.role_grant(actor=admin, user=admin, role="fed_admin", org=world.city_a1)
    assert RoleGrant.objects.count() == n
    assert AuditEvent.objects.filter(action="accounts.grant_self_refused", actor_id=admin.pk, success=False).count() == 1


def test_an_org_admin_cannot_grant_federation_admin_or_outside_its_subtree(world) -> None:
    admin, target = world.users["org_admin"], make_user("newcomer")
    with pytest.raises(ServiceError, match="无权授予该角色"):
        services.role_grant(actor=admin, user=target, role="fed_admin", org=world.unit_a1)
    with pytest.raises(ServiceError, match="无权授予该角色"):
        services.role_grant(actor=admin, user=target, role="cadre", org=world.unit_a2)
    g = services.role_grant(actor=admin, user=target, role="cadre", org=world.unit_a1)
    assert (g.role, g.org_id, g.granted_by_id) == ("cadre", world.unit_a1.pk, admin.pk)


def test_revoking_takes_effect_on_the_next_request(world, client) -> None:
    cadre = world.users["cadre"]
    client.force_login(cadre)
    assert client.get(f"/orgs/{world.unit_a1.pk}/").status_code == 200
    services.role_revoke(actor=world.users["fed_admin"], grant=RoleGrant.objects.get(user=cadre))
    assert client.get(f"/orgs/{world.unit_a1.pk}/").status_code == 404
    assert policy.scope_paths(type(cadre).objects.get(pk=cadre.pk)) == []


def test_a_grant_on_a_closed_org_gives_nothing(world) -> None:
    import datetime as dt

    from gonghui.orgs import services as org_services
    from tests.factories import L, make_org

    org = make_org(world.unit_b, "将撤销", L.GRASSROOTS)
    user = make_user("closed_cadre", "cadre", org=org)
    org_services.org_close(actor=None, org=org, on=dt.date(2026, 1, 1), reason="合并")
    assert policy.scope_paths(user) == []
