"""Member-roll export: the roll page's rows and filters, masked, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from gonghui.lib.masking import mask_id

from .models import Membership, Person

HEADERS = ["姓名", "性别", "出生年份", "身份证号", "手机号", "所在工会", "会籍状态", "入会日期", "会员证号", "民族", "政治面貌", "学历"]
FIELDS = (
    "person__name",
    "person__sex",
    "person__birth_date",
    "person__id_head",
    "person__id_tail",
    "person__phone_masked",
    "org__name",
    "status",
    "joined_on",
    "card_no",
    "person__ethnicity",
    "person__political_status",
    "person__education",
)
SEX = dict(Person.Sex.choices)
STATUS = dict(Membership.Status.choices)


def roll_rows(qs: QuerySet[Membership]) -> Iterator[list[Any]]:
    """Rows as shown on the roll page: ID and phone masked, birth year only."""
    for name, sex, birth, head, tail, phone, org, status, joined, card, eth, pol, edu in qs.values_list(*FIELDS).iterator(chunk_size=2000):
        yield [
            name,
            str(SEX.get(sex, "")),
            birth.year,
            mask_id(head + "0" * 11 + tail),
            phone,
            org,
            str(STATUS.get(status, status)),
            joined,
            card,
            eth,
            pol,
            edu,
        ]
