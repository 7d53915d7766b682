"""Hardship personas on top of the shared world: a grassroots cadre at unit_a1 (builds files), the
shared world's city cadre (a 帮扶中心: reviews, publicizes, approves), a cadre in another province,
and 合肥's 2026 urban 低保 of ¥800 a month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from gonghui.hardship import services
from gonghui.hardship.models import HardshipFile, HouseholdMember
from gonghui.hardship.services import MemberInput
from gonghui.people.models import Person
from tests.factories import World, make_person, make_user, new_id

DIBAO = "800"  # ¥800 a month per person
MARCH_2 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def member(relation: str, name: str, number: str, *, wage: str = "0", work: str = "employed", **kw: Any) -> MemberInput:
    return MemberInput(relation=relation, name=name, id_number=number, work_status=work, wage=wage, **kw)


@dataclass
class Hs:
    w: World
    users: dict[str, Any]
    numbers: dict[str, str] = field(default_factory=dict)

    def household(self, holder: Person, *, wage: str = "20000", spouse: str | None = None, child: str | None = None) -> list[MemberInput]:
        """A three-person household: the holder's yearly wage, spouse without income, a child at school."""
        spouse = spouse or new_id("340100", sex="F")
        child = child or new_id("340100")
        return [
            member("self", holder.name, holder.id_number(), wage=wage),
            member("spouse", "李秀英", spouse, work="unemployed"),
            member("child", "张小明", child, work="student"),
        ]

    def draft(self, holder: Person | None = None, *, org: Any = None, actor: str = "unit_cadre", wage: str = "20000", **data: Any) -> HardshipFile:
        holder = holder or make_person(org or self.w.unit_a1, "张建国")
        members = data.pop("members", None) or self.household(holder, wage=wage)
        fields = {"cause_main": "illness", "medical_expense": "6000"} | data
        return services.file_create(actor=self.users[actor], org=org or holder.org, holder=holder, data=fields, members=members)

    def walk(self, file: HardshipFile, upto: str, *, notice_to: dt.date = dt.date(2026, 3, 8)) -> HardshipFile:
        """On 2 March 2026, take a draft through intake up to the state ``upto`` (submitted,
        prelim_ok, visited, reviewed or publicized; the notice runs from that day)."""
        import time_machine

        u = self.users
        steps = {
            "submitted": lambda: services.file_submit(actor=u["unit_cadre"], file=file),
            "prelim_ok": lambda: services.file_prelim(actor=u["unit_cadre"], file=file),
            "visited": lambda: visit(file, u["unit_cadre"], on=dt.date(2026, 3, 2)),
            "reviewed": lambda: services.file_review(actor=u["cadre"], file=file),
            "publicized": lambda: services.file_publicize(actor=u["cadre"], file=file, notice_from=dt.date(2026, 3, 2), notice_to=notice_to),
        }
        with time_machine.travel(MARCH_2, tick=False):
            for state, step in steps.items():
                step()
                if state == upto:
                    break
        file.refresh_from_db()
        return file

    def on_file(self, file: HardshipFile | None = None, **kw: Any) -> HardshipFile:
        """Walk a file through intake to 在档 (the notice period set in the past)."""
        import time_machine

        with time_machine.travel(MARCH_2, tick=False):
            file = file or self.draft(**kw)
        self.walk(file, "publicized")
        with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
            services.file_approve(actor=self.users["cadre"], file=file)
        file.refresh_from_db()
        return file

    def foreign_draft(self, held: HardshipFile, relation: str) -> HardshipFile:
        """A draft in 青海 (unit_b) whose household repeats ``held``'s member of ``relation``."""
        twin = held.members.get(relation=relation)
        holder = make_person(self.w.unit_b, "马福")
        return self.draft(
            holder, actor="other_cadre",
            members=[member("self", "马福", holder.id_number(), wage="20000"), member(relation, twin.name, twin.id_number(), work="student")],
        )  # fmt: skip


def visit(file: HardshipFile, actor: Any, *, on: dt.date, signed: bool = True) -> HardshipFile:
    return services.file_visit(
        actor=actor, file=file, visited_on=on, channel="home", cause_note="丈夫患尿毒症长期透析", needs_note="医疗费用",
        measures_note="申请医疗救助，联系社区低保", application_signed=signed, consent_signed=signed,
    )  # fmt: skip


@pytest.fixture
def hs(world: World) -> Hs:
    users = dict(world.users)
    users["unit_cadre"] = make_user("unit_cadre", "cadre", org=world.unit_a1)
    users["unit_cadre"].display_name = "赵干事"
    users["unit_cadre"].save()
    users["cadre"].display_name = "钱主任"
    users["cadre"].save()
    users["other_cadre"] = make_user("other_cadre", "cadre", org=world.prov_b)
    users["other_cadre"].display_name = "孙干事"
    users["other_cadre"].save()
    services.standard_set(actor=None, region_code="340100", year=2026, area="urban", monthly=DIBAO)
    services.standard_set(actor=None, region_code="630000", year=2026, area="urban", monthly="750")
    return Hs(world, users)


def members_of(file: HardshipFile) -> list[tuple[str, str, int]]:
    return [(m.relation, m.name, m.income_fen) for m in HouseholdMember.objects.filter(file=file)]


@pytest.fixture
def login(client: Any, hs: Hs):  # type: ignore[no-untyped-def]
    """A test client logged in as one of the hardship personas (``hs.users``)."""

    def as_(role: str) -> Any:
        client.logout()
        client.force_login(hs.users[role])
        return client

    return as_
