"""Shared by the import benchmarks: a synthetic N-row member roll in the template's 15 columns."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from gonghui.lib import names
from gonghui.lib.idcard import make_id
from gonghui.people.imports import COLUMNS


def write_roll(path: Path, n: int, *, org_codes: list[str], seed: int = 7) -> None:
    """Unique valid ID numbers (region × birth date × sequence), Chinese names, 15 columns."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("会员名册")
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    base = dt.date(1966, 1, 1)
    regions = ["340181", "340123", "341282", "340100"]
    for i in range(n):
        # 200 distinct numbers per (region, birth date): 100 sequence numbers × 2 sexes
        birth = base + dt.timedelta(days=(i // 200) % 14_000)
        number = make_id(regions[(i // (200 * 14_000)) % 4], birth, (i % 200) // 2, sex="MF"[i % 2])
        ws.write_row(
            i + 1,
            0,
            [
                names.person_name(rng),
                number,
                names.mobile(rng),
                org_codes[i % len(org_codes)],
                "会员",
                f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                f"HY{i:08d}",
                "汉族",
                rng.choice(["中共党员", "群众", "共青团员"]),
                rng.choice(["大学本科", "大学专科", "中专/高中"]),
                rng.choice(["学士", "无"]),
                rng.choice(["中级工", "高级工", "无"]),
                rng.choice(["城镇", "农村"]),
                rng.choice(["已婚", "未婚"]),
                rng.choice(["是", "否"]),
            ],
        )
    wb.close()
