from __future__ import annotations

from gonghui.hardship import services
from gonghui.money import services as money
from gonghui.money.models import Programme
from tests.factories import make_user


def test_a_worker_sees_their_own_file_contact_and_aid_on_their_page(hs, client) -> None:
    file = hs.on_file()
    services.contact_assign(actor=hs.users["cadre"], file=file, cadre=hs.users["unit_cadre"])
    env = money.envelope_create(actor=hs.users["org_admin"], programme=Programme.objects.get(code="living"), org=hs.w.city_a1, year=2026)
    money.envelope_fund(actor=hs.users["org_admin"], envelope=env, amount=1_000_000)
    app = services.aid_apply(actor=hs.users["unit_cadre"], file=file, envelope=env, amount=640_000)
    money.application_approve(actor=hs.users["org_admin"], application=app)
    pending = hs.on_file()  # someone else's file: not shown
    worker = make_user("zhang", "worker", person=file.holder)
    client.force_login(worker)
    page = client.get("/me/").content.decode()
    assert page.count('data-testid="hardship-file"') == 1
    assert f"{file.number} · 在档 · 深度困难" in page
    assert "<dt>帮扶联系人</dt><dd>赵干事</dd>" in page
    assert "<dt>2026 生活救助</dt><dd>¥6,400.00</dd>" in page
    assert pending.number not in page
