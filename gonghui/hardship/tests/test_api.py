from __future__ import annotations

import json

from django.test import Client

from gonghui.api.services import token_create
from gonghui.hardship.models import FileEvent, HardshipFile


def api(user) -> Client:  # type: ignore[no-untyped-def]
    _, plaintext = token_create(actor=None, user=user, name="t")
    return Client(headers={"authorization": f"Bearer {plaintext}"})


def post(client: Client, url: str, body: dict) -> tuple[int, dict]:
    r = client.post(url, json.dumps(body), content_type="application/json")
    return r.status_code, r.json()


def test_a_conflict_answer_to_another_province_carries_only_the_holding_union(hs) -> None:
    w, u = hs.w, hs.users
    w.unit_a1.contact = "0551-62345678"
    w.unit_a1.save()
    held = hs.on_file()
    child = held.members.get(relation="child")
    draft = hs.foreign_draft(held, "child")
    c = api(u["other_cadre"])
    status, body = post(c, f"/api/v1/hardship/files/{draft.pk}/transition", {"action": "submit"})
    assert (status, body) == (
        409,
        {
            "code": "dedupe_conflict",
            "message": f"比对发现重复建档，暂不能提交：张小明（身份证尾号{child.id_tail}）已在合肥甲公司工会建档（联系方式：0551-62345678）。请与对方工会协调后再提交",
            "field": "members",
        },
    )
    listed = c.get("/api/v1/hardship/conflicts").json()
    assert len(listed) == 1
    one = listed[0]
    assert {k: v for k, v in one.items() if v is not None and k not in ("id", "raised_at")} == {
        "status": "open", "resolution": "", "file_id": draft.pk, "member_name": "张小明", "member_id_tail": child.id_tail,
        "holding_org_name": "合肥甲公司工会", "holding_org_contact": "0551-62345678",
    }  # fmt: skip
    # nothing of the held file: compare with every field it and its household carry
    held_values = {str(getattr(held, f.attname)) for f in HardshipFile._meta.concrete_fields if getattr(held, f.attname) not in ("", None, False)}
    held_values |= {m.name for m in held.members.all()} | {held.holder.name, held.number}
    carried = {
        str(v)
        for k, v in one.items()
        if v is not None and k not in ("id", "raised_at", "status", "resolution", "file_id", "member_name", "member_id_tail")
    }
    assert carried & held_values == set()
    # the other province cannot open the held file at all
    assert c.get(f"/api/v1/hardship/files/{held.pk}").status_code == 404
    # the holding side sees the conflict against its own file
    mine = api(u["cadre"]).get("/api/v1/hardship/conflicts").json()
    assert [(x["held_file_id"], x["raised_org_name"], x["file_id"], x["holding_org_name"]) for x in mine] == [(held.pk, "西宁丙公司工会", None, None)]


def test_the_workflow_runs_over_the_api_with_chinese_refusals(hs) -> None:
    u = hs.users
    file = hs.draft()
    unit, center = api(u["unit_cadre"]), api(u["cadre"])
    url = f"/api/v1/hardship/files/{file.pk}/transition"
    assert post(unit, url, {"action": "prelim"}) == (400, {"code": "wrong_state", "message": "档案当前状态为“草稿”，不能初审", "field": "status"})
    assert post(unit, url, {"action": "submit"})[1]["status"] == "submitted"
    assert post(unit, url, {"action": "prelim", "reason": "材料齐全"})[1]["status"] == "prelim_ok"
    assert post(unit, url, {"action": "return", "reason": ""}) == (400, {"code": "invalid", "message": "请填写退回原因", "field": "reason"})
    assert api(u["viewer"]).post(url, json.dumps({"action": "return", "reason": "x"}), content_type="application/json").status_code == 403
    assert api(u["other_cadre"]).post(url, json.dumps({"action": "return", "reason": "x"}), content_type="application/json").status_code == 404
    status, body = post(center, url, {"action": "return", "reason": "缺少病历"})
    assert (status, body["status"], [e["action"] for e in body["events"]]) == (200, "returned", ["create", "submit", "prelim", "return"])
    assert body["assessment"][-1] == "结论：深度困难"
    assert [m["id_masked"][:14] for m in body["members"]] == ["*" * 14] * 3
    assert FileEvent.objects.filter(file=file).count() == 4
    listed = unit.get("/api/v1/hardship/files", {"status": "returned"}).json()
    assert [(x["id"], x["holder_name"], x["category"]) for x in listed["items"]] == [(file.pk, "张建国", "deep")]
    assert api(u["other_cadre"]).get("/api/v1/hardship/files").json()["items"] == []
    assert post(center, url, {"action": "publicize", "notice_from": "2026-03-02"}) == (
        400,
        {"code": "invalid", "message": "请填写公示起止日期", "field": "notice_from"},
    )
