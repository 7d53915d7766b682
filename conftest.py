"""Shared test set-up: a small tree with personas in every relation to it.

root (national)
├── prov_a (province)          ← "ancestor" of the personas' node
│   ├── city_a1 (prefecture)   ← every org-scoped persona is granted here
│   │   └── unit_a1 (grassroots, "own")
│   └── city_a2 (prefecture)   ← "sibling"
│       └── unit_a2 (grassroots)
└── prov_b (province)          ← "other province"
    └── unit_b (grassroots)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gonghui.alliances import services as alliance_services
from tests.factories import L, World, make_org, make_person, make_user


@pytest.fixture
def world(db: Any) -> World:
    root = make_org(None, "中华全国总工会", L.NATIONAL, region="110000")
    prov_a = make_org(root, "安徽省总工会", L.PROVINCE, region="340000")
    city_a1 = make_org(prov_a, "合肥市总工会", L.PREFECTURE, region="340100")
    unit_a1 = make_org(city_a1, "合肥甲公司工会", L.GRASSROOTS, region="340100")
    city_a2 = make_org(prov_a, "芜湖市总工会", L.PREFECTURE, region="340200")
    unit_a2 = make_org(city_a2, "芜湖乙公司工会", L.GRASSROOTS, region="340200")
    prov_b = make_org(root, "青海省总工会", L.PROVINCE, region="630000")
    unit_b = make_org(prov_b, "西宁丙公司工会", L.GRASSROOTS, region="630100")
    alliance = alliance_services.alliance_create(actor=None, host_org=city_a1, name="合肥工会联盟", founded_on=dt.date(2020, 1, 1))
    alliance_services.alliance_member_join(actor=None, alliance=alliance, org=unit_a1, joined_on=dt.date(2020, 1, 1), is_founder=True)
    alliance_services.alliance_member_join(actor=None, alliance=alliance, org=unit_a2, joined_on=dt.date(2020, 2, 1))
    alliance_b = alliance_services.alliance_create(actor=None, host_org=prov_b, name="西宁工会联盟")
    w = World(root, prov_a, city_a1, unit_a1, city_a2, unit_a2, prov_b, unit_b, alliance, alliance_b)
    for rel in ("own", "sibling", "ancestor", "other"):
        w.people[rel] = make_person(w.org_for(rel), f"{rel}人员")
    w.users = {
        "fed_admin": make_user("fed_admin", "fed_admin", org=city_a1, can_reveal=True),
        "org_admin": make_user("org_admin", "org_admin", org=city_a1),
        "cadre": make_user("cadre", "cadre", org=city_a1),
        "viewer": make_user("viewer", "viewer", org=city_a1),
        "coord": make_user("coord", "alliance_coord", alliance=alliance),
        "worker": make_user("worker", "worker", person=w.people["own"]),
        "nobody": make_user("nobody"),
    }
    return w


@pytest.fixture
def as_user(client: Any, world: World):  # type: ignore[no-untyped-def]
    def login(role: str) -> Any:
        client.logout()
        if role != "anon":
            client.force_login(world.users[role])
        return client

    return login
