from __future__ import annotations

from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.hardship.models import SubsistenceStandard
from tests.factories import make_user

URL = reverse("hardship:standards")


def rows() -> list[tuple[str, int, str, int]]:
    return list(SubsistenceStandard.objects.order_by("region_code", "year", "area").values_list("region_code", "year", "area", "monthly_fen"))


def test_it_lists_and_filters_the_standards(hs, login) -> None:
    r = login("viewer").get(URL)
    assert [(s.region_code, s.year, s.area, s.monthly_fen) for s in r.context["page"].rows] == [
        ("340100", 2026, "urban", 80_000),
        ("630000", 2026, "urban", 75_000),
    ]
    assert "¥800.00" in r.content.decode()
    assert [s.region_code for s in login("viewer").get(URL, {"region_code": "63"}).context["page"].rows] == ["630000"]
    assert login("viewer").get(URL, {"area": "rural"}).context["page"].rows == []
    # a prefecture's cadre reads them and is offered no form
    r = login("cadre").get(URL)
    assert (r.status_code, r.context["form"]) == (200, None)


def test_a_province_federation_sets_its_provinces_standard(hs, login) -> None:
    # other_cadre is a cadre of 青海省总工会 (province level)
    client = login("other_cadre")
    assert client.get(URL).context["form"] is not None
    r = client.post(URL, {"region_code": "630100", "year": 2026, "area": "rural", "monthly": "680.5"})
    assert (r.status_code, r["Location"]) == (302, URL + "?region_code=630100")
    assert ("630100", 2026, "rural", 68_050) in rows()
    assert AuditEvent.objects.filter(action="hardship.standard_set", actor_id=hs.users["other_cadre"].pk).count() == 1
    assert "已录入低保标准：630100 2026 农村" in client.get(r["Location"]).content.decode()
    # outside its province: refused at the field, nothing written
    before = (rows(), AuditEvent.objects.count())
    r = client.post(URL, {"region_code": "340100", "year": 2026, "area": "rural", "monthly": "700"})
    assert r.context["form"].errors == {"region_code": ["您只能录入本省的低保标准（行政区划代码以63xxxx开头）"]}
    r = client.post(URL, {"region_code": "630100", "year": 2026, "area": "rural", "monthly": "-1"})
    assert r.context["form"].errors == {"monthly": ["低保月标准：金额不能为负数"]}
    assert (rows(), AuditEvent.objects.count()) == before


def test_a_national_federation_sets_any_region(hs, login) -> None:
    hs.users["national"] = make_user("national", "cadre", org=hs.w.root)
    r = login("national").post(URL, {"region_code": "650100", "year": 2026, "area": "urban", "monthly": "770"})
    assert r.status_code == 302
    assert ("650100", 2026, "urban", 77_000) in rows()


def test_a_prefecture_or_read_only_user_may_not_set_a_standard(hs, login) -> None:
    before = (rows(), AuditEvent.objects.count())
    for role in ("cadre", "unit_cadre", "viewer"):
        r = login(role).post(URL, {"region_code": "340100", "year": 2026, "area": "urban", "monthly": "900"})
        assert r.status_code == 403, role
    # a province viewer may read but not set
    hs.users["prov_viewer"] = make_user("prov_viewer", "viewer", org=hs.w.prov_a)
    assert login("prov_viewer").post(URL, {"region_code": "340100", "year": 2026, "area": "urban", "monthly": "900"}).status_code == 403
    assert (rows(), AuditEvent.objects.count()) == before
