"""Member-roll import (会员名册): the bulk variant of ``person_register`` / ``person_update``.

Preview validates every row with the same rules as the services (ID number, mobile, name, open
union in the importer's scope, one person per ID number deployment-wide, no duplicate inside the
file), encrypts what will be written and stages it in chunked transactions. Apply merges the
staged rows in ONE transaction of set-based statements, audit rows included, so it holds the
write lock briefly and either all of the file lands or none of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gonghui.imports.kinds import Preview, RowError
from gonghui.imports.reading import Column, Sheet, clean_code, clean_text, parse_date
from gonghui.lib import crypto, fastsql, idcard
from gonghui.lib.masking import mask_phone
from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from .forms import DEGREE, EDUCATION, ETHNICITIES, HOUSEHOLD, MARITAL, POLITICAL, SKILL
from .models import Membership, Person, PersonImportRow
from .services import PROFILE_FIELDS, id_bidx, phone_bidx

STATUS = {"会员": Membership.Status.ACTIVE, "申请中": Membership.Status.APPLIED}
YES_NO = {"是": True, "否": False, "": False}
COLUMNS = [
    Column("name", "姓名", required=True, note="与身份证一致，不超过50字。", example="张三"),
    Column(
        "id_number",
        "身份证号",
        required=True,
        text=True,
        note="18位（15位自动升位）；单元格请设为文本，避免被 Excel 改成科学计数法。",
        example="340181198505060016",
    ),
    Column("phone", "手机号", text=True, note="11位手机号，可空。", example="13812345678"),
    Column(
        "org_code", "所在工会编码", required=True, text=True, note="工会的组织编码（在组织详情页可见），须在您的管理范围内。", example="D340181-Y001"
    ),
    Column("membership_status", "会籍状态", choices=tuple(STATUS), note="空白按“会员”处理。", example="会员"),
    Column("joined_on", "入会日期", note="如 2021-05-14；会员空白时按导入当天。", example="2021-05-14"),
    Column("card_no", "会员证号", text=True, note="可空，不超过30字。"),
    Column("ethnicity", "民族", choices=tuple(ETHNICITIES), example="汉族"),
    Column("political_status", "政治面貌", choices=tuple(POLITICAL), example="群众"),
    Column("education", "学历", choices=tuple(EDUCATION), example="大学本科"),
    Column("degree", "学位", choices=tuple(DEGREE)),
    Column("skill_level", "技能等级", choices=tuple(SKILL)),
    Column("household_type", "户籍类型", choices=tuple(HOUSEHOLD)),
    Column("marital_status", "婚姻状况", choices=tuple(MARITAL)),
    Column("is_migrant_worker", "农民工", choices=("是", "否"), note="是/否，空白为否。", example="否"),
]
CHOICE_ITEMS = [(c.key, c) for c in COLUMNS[7:14]]  # 民族 … 婚姻状况, in column order
CHUNK = 5000
STAGE_FIELDS = [f.column for f in PersonImportRow._meta.concrete_fields if f.column != "id"]
assert STAGE_FIELDS[:3] == ["job_id", "row_no", "action"] and STAGE_FIELDS[-3:] == ["membership_status", "joined_on", "card_no"]  # noqa: S101 - stage_values order


class PeopleKind:
    key = "people"
    title = "会员名册导入模板"
    sheet_name = "会员名册"
    columns = COLUMNS

    def preview(self, *, job: Any, sheet: Sheet, progress: Callable[[int], None]) -> Preview:
        return _Previewer(job).run(sheet, progress)

    def apply(self, *, job: Any) -> dict[str, int]:
        return merge(job)

    def discard(self, *, job: Any) -> None:
        PersonImportRow.objects.filter(job_id=job.pk).delete()


class _Previewer:
    def __init__(self, job: Any) -> None:
        self.job = job
        self.scope = policy.scope_paths(job.created_by, "operate")
        fields = ("pk", "code", "path", "status")
        # Rows may name any union under the job's union, and only those the uploader may operate on.
        in_job = Org.objects.filter(prefix_q("path", job.org.path)).filter(policy.scope_q(job.created_by, "operate"))
        self.orgs = {o["code"]: o for o in in_job.values(*fields)}
        self.today = timezone.localdate()
        self.counts = {"create": 0, "update": 0, "unchanged": 0, "reject": 0}
        self.errors: list[RowError] = []
        self.rejected: dict[int, list[Any]] = {}
        self.seen: dict[str, int] = {}

    def run(self, sheet: Sheet, progress: Callable[[int], None]) -> Preview:
        PersonImportRow.objects.filter(job_id=self.job.pk).delete()
        done = 0
        for chunk in _chunks(sheet.rows, CHUNK):
            parsed = [self.parse(n, cells) for n, cells in chunk]
            self.decide_and_stage([p for p in parsed if p is not None])
            done += len(chunk)
            progress(done)
        if self.counts["reject"]:
            self.discard_staged()
        return Preview(counts=self.counts, errors=self.errors, rejected=self.rejected)

    def reject(self, row: int, cells: list[Any], column: str, reason: str) -> None:
        if row not in self.rejected:
            self.counts["reject"] += 1
            self.rejected[row] = cells
        self.errors.append(RowError(row, column, reason))

    def parse(self, row: int, cells: list[Any]) -> dict[str, Any] | None:
        """One row → validated values, or None after recording every problem it has."""
        (name, raw_id, phone, code, status_text, joined_raw, card_no, *choice_cells, migrant) = cells
        problems: list[tuple[str, str]] = []
        name = clean_text(name)
        if not name:
            problems.append(("姓名", "不能为空"))
        elif len(name) > 50:
            problems.append(("姓名", "不能超过50字"))
        info = None
        if isinstance(raw_id, float):  # Excel turned the number into a float: digits are lost
            problems.append(("身份证号", "被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新填写"))
        else:
            try:
                info = idcard.parse(clean_text(raw_id), today=self.today)
            except idcard.InvalidIdNumber as e:
                problems.append(("身份证号", str(e)))
        phone = clean_text(phone)
        if phone:
            try:
                phone = idcard.normalize_mobile(phone)
            except idcard.InvalidMobile as e:
                problems.append(("手机号", str(e)))
        code = clean_code(code)
        org = self.orgs.get(code)
        if not code:
            problems.append(("所在工会编码", "不能为空"))
        elif org is None:
            problems.append(("所在工会编码", f"“{code}”不存在或不在您的管理范围内"))
        elif org["status"] != Org.Status.OPEN:
            problems.append(("所在工会编码", f"“{code}”已撤销，不能导入"))
        status = STATUS.get(clean_text(status_text) or "会员")
        if status is None:
            problems.append(("会籍状态", f"只能是{'或'.join(STATUS)}"))
        try:
            joined_on = parse_date(joined_raw)
        except (ValueError, OverflowError):
            joined_on = None
            problems.append(("入会日期", "日期格式不正确，应如 2021-05-14"))
        if joined_on and joined_on > self.today:
            problems.append(("入会日期", "不能晚于今天"))
        card_no = clean_code(card_no)
        if len(card_no) > 30:
            problems.append(("会员证号", "不能超过30字"))
        profile: dict[str, Any] = {"name": name}
        for (key, col), raw in zip(CHOICE_ITEMS, choice_cells, strict=True):
            value = clean_text(raw)
            if value and value not in col.choices:
                problems.append((col.header, f"“{value}”不是可选值（{'、'.join(col.choices)}）"))
            profile[key] = value
        migrant = clean_text(migrant)
        if migrant not in YES_NO:
            problems.append(("农民工", "只能填“是”或“否”"))
        profile["is_migrant_worker"] = YES_NO.get(migrant, False)
        if problems or info is None or org is None or status is None:
            for column, reason in problems:
                self.reject(row, cells, column, reason)
            return None
        bidx = id_bidx(info.number)
        first = self.seen.get(bidx)
        if first is not None:
            self.reject(row, cells, "身份证号", f"与第{first}行的身份证号重复")
            return None
        self.seen[bidx] = row
        if status == Membership.Status.ACTIVE and joined_on is None:
            joined_on = self.today
        return {
            "row": row,
            "cells": cells,
            "info": info,
            "bidx": bidx,
            "phone": phone,
            "org": org,
            "name": name,
            "status": status,
            "joined_on": joined_on,
            "card_no": card_no,
            "profile": profile,
        }

    def decide_and_stage(self, rows: list[dict[str, Any]]) -> None:
        existing = {
            p["id_bidx"]: p
            for p in Person.objects.filter(id_bidx__in=[r["bidx"] for r in rows]).values(
                "pk", "id_bidx", "org_id", "org_path", "phone_bidx", *PROFILE_FIELDS
            )
        }
        names = {}
        staged = []
        for r in rows:
            old = existing.get(r["bidx"])
            if old is None:
                self.counts["create"] += 1
                staged.append(self.stage_values(r, "create", None))
                continue
            if not any(old["org_path"].startswith(p) for p in self.scope):
                self.reject(r["row"], r["cells"], "身份证号", "该人员已在其他工会登记，不能重复建档；可在系统中向其所在工会发起转会申请")
                continue
            if old["org_id"] != r["org"]["pk"]:
                names = names or dict(Org.objects.filter(pk__in=[e["org_id"] for e in existing.values()]).values_list("pk", "name"))
                self.reject(r["row"], r["cells"], "所在工会编码", f"该人员已登记在“{names.get(old['org_id'], '')}”，与表中工会不一致；调动请办理转会")
                continue
            phone_same = (old["phone_bidx"] == (phone_bidx(r["phone"]) if r["phone"] else "")) or not r["phone"]
            if phone_same and all(old[k] == r["profile"][k] for k in PROFILE_FIELDS):
                self.counts["unchanged"] += 1
                continue
            self.counts["update"] += 1
            staged.append(self.stage_values(r, "update", old["pk"], keep_phone=phone_same))
        if staged and not self.counts["reject"]:
            with transaction.atomic(), connection.cursor() as c:
                cols = ", ".join(STAGE_FIELDS)
                if connection.vendor == "postgresql":
                    with c.cursor.copy(f"COPY people_personimportrow ({cols}) FROM STDIN") as copy:
                        for values in staged:
                            copy.write_row(values)
                else:
                    marks = ", ".join(["%s"] * len(STAGE_FIELDS))
                    c.executemany(f"INSERT INTO people_personimportrow ({cols}) VALUES ({marks})", staged)  # noqa: S608 - column names are ours

    def stage_values(self, r: dict[str, Any], action: str, person_id: int | None, *, keep_phone: bool = False) -> tuple[Any, ...]:
        """A staging row, in STAGE_FIELDS order (asserted at import time below)."""
        info, phone, p = r["info"], r["phone"], r["profile"]
        new_phone = bool(phone) and not keep_phone
        return (
            self.job.pk,
            r["row"],
            action,
            person_id,
            r["org"]["pk"],
            r["org"]["path"],
            r["name"],
            crypto.encrypt(info.number, aad=b"person.id") if action == "create" else "",
            r["bidx"],
            info.number[:3],
            info.number[-4:],
            info.sex,
            info.birth_date,
            crypto.encrypt(phone, aad=b"person.phone") if new_phone else "",
            phone_bidx(phone) if new_phone else "",
            mask_phone(phone) if new_phone else "",
            p["ethnicity"],
            p["political_status"],
            p["education"],
            p["degree"],
            p["skill_level"],
            p["household_type"],
            p["marital_status"],
            p["is_migrant_worker"],
            r["status"],
            r["joined_on"],
            r["card_no"],
        )

    def discard_staged(self) -> None:
        PersonImportRow.objects.filter(job_id=self.job.pk).delete()


def _chunks(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


PERSON_COLS = [
    "name",
    "id_cipher",
    "id_bidx",
    "id_head",
    "id_tail",
    "sex",
    "birth_date",
    "phone_cipher",
    "phone_bidx",
    "phone_masked",
    *[f for f in PROFILE_FIELDS if f != "name"],
    "org_id",
    "org_path",
]
UPDATE_COLS = list(PROFILE_FIELDS)


def merge(job: Any) -> dict[str, int]:
    """One transaction: people, memberships, events, member counts, audit rows. All or nothing."""
    now = fastsql.db_now(timezone.now())  # hand-written statements: stored as the ORM stores it
    job_key = job.pk
    actor = job.created_by_id
    audit_data = f'{{"job": "{job.pk}"}}'
    t0 = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str, since: list[float] = [t0]) -> None:  # noqa: B006 - a running clock
        now_ = time.perf_counter()
        steps[name] = round(now_ - since[0], 3)
        since[0] = now_

    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            # A bigger page cache for this connection while the write lock is held: at a million
            # rows the indexes outgrow the default 64 MB and the merge slows to a crawl.
            c.execute("PRAGMA cache_size = -262144")
    with transaction.atomic(), connection.cursor() as c:
        cols = ", ".join(PERSON_COLS)
        c.execute(
            f"INSERT INTO people_person ({cols}, created_at, updated_at) "  # noqa: S608 - identifiers are ours
            f"SELECT {cols}, %s, %s FROM people_personimportrow WHERE job_id = %s AND action = 'create' ORDER BY row_no",
            [now, now, job_key],
        )
        created = c.rowcount
        lap("people")
        _failpoint("import.merge")
        c.execute(
            "INSERT INTO people_membership (person_id, org_id, org_path, status, joined_on, card_no, created_at) "
            "SELECT p.id, s.org_id, s.org_path, s.membership_status, s.joined_on, s.card_no, %s "
            "FROM people_personimportrow s JOIN people_person p ON p.id_bidx = s.id_bidx WHERE s.job_id = %s AND s.action = 'create'",
            [now, job_key],
        )
        lap("memberships")
        c.execute(
            "INSERT INTO people_membershipevent (membership_id, from_status, to_status, org_id, org_path, at, actor_id, reason) "
            "SELECT m.id, '', m.status, m.org_id, m.org_path, %s, %s, %s FROM people_personimportrow s "
            "JOIN people_person p ON p.id_bidx = s.id_bidx JOIN people_membership m ON m.person_id = p.id "
            "WHERE s.job_id = %s AND s.action = 'create'",
            [now, actor, "批量导入", job_key],
        )
        lap("events")
        sets = ", ".join(f"{f} = s.{f}" for f in UPDATE_COLS)
        c.execute(
            f"UPDATE people_person SET {sets}, updated_at = %s FROM people_personimportrow s "  # noqa: S608
            "WHERE s.job_id = %s AND s.action = 'update' AND people_person.id = s.person_id",
            [now, job_key],
        )
        updated = c.rowcount
        lap("updates")
        c.execute(
            "UPDATE people_person SET phone_cipher = s.phone_cipher, phone_bidx = s.phone_bidx, phone_masked = s.phone_masked "
            "FROM people_personimportrow s WHERE s.job_id = %s AND s.action = 'update' AND s.phone_cipher <> '' AND people_person.id = s.person_id",
            [job_key],
        )
        c.execute(
            "UPDATE orgs_org SET member_count = member_count + (SELECT COUNT(*) FROM people_personimportrow s "
            "WHERE s.job_id = %s AND s.action = 'create' AND s.membership_status = 'active' AND s.org_id = orgs_org.id) "
            "WHERE id IN (SELECT org_id FROM people_personimportrow WHERE job_id = %s AND action = 'create')",
            [job_key, job_key],
        )
        c.execute(
            "INSERT INTO audit_auditevent (at, actor_id, action, target_type, target_id, org_id, org_path, ip, success, data) "
            "SELECT %s, %s, CASE s.action WHEN 'create' THEN 'people.import_create' ELSE 'people.import_update' END, "
            "'people.person', p.id, s.org_id, s.org_path, NULL, %s, %s "
            "FROM people_personimportrow s JOIN people_person p ON p.id_bidx = s.id_bidx WHERE s.job_id = %s",
            [now, actor, True, audit_data, job_key],
        )
        lap("counts_and_audit")
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA cache_size = -65536")  # back to the settings' value for this connection
    return {"created": created, "updated": updated, "merge_s": round(time.perf_counter() - t0, 3), "steps": steps}


def _failpoint(name: str) -> None:
    """Fault-injection hook for the crash test: pause inside the transaction when asked to."""
    if os.environ.get("GONGHUI_FAILPOINT") == name:
        Path(os.environ["GONGHUI_FAILPOINT_FILE"]).write_text("inside")
        time.sleep(120)
