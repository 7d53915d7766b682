"""Input and output schemas of API v1, written out per endpoint (no model-derived schemas).

Inputs name every accepted field with the column's length limits (PostgreSQL refuses longer
values, so a missing limit would be a 500 there); org, path, status and actor fields are never
accepted except where a service takes them as explicit arguments. Outputs of people are always
masked: no full ID or phone number, no birth date.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from gonghui.api.pagination import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT
from gonghui.orgs.models import Org
from gonghui.people.forms import EDUCATION, ETHNICITIES, POLITICAL
from gonghui.people.models import Membership

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def Text(max_length: int, *, min_length: int = 0) -> Any:  # reads as a type
    # NUL never reaches the database: PostgreSQL refuses it in text columns.
    return Annotated[str, StringConstraints(max_length=max_length, min_length=min_length, pattern=r"^[^\x00]*$")]


def _one_of(values: list[str]) -> Any:
    return Literal[tuple(values)]


Level = _one_of(Org.Level.values)
OrgType = _one_of(Org.OrgType.values)
UnitCategory = _one_of(["", *Org.UnitCategory.values])
NewMembershipStatus = _one_of(["active", "applied"])
TransitionStatus = _one_of(["active", "retained", "withdrawn", "expelled"])
Ethnicity = _one_of(["", *ETHNICITIES])
Political = _one_of(["", *POLITICAL])
Education = _one_of(["", *EDUCATION])


def _no_null_defaults(schema: dict[str, Any]) -> None:
    # PATCH fields default to "not sent" (None internally) but do not accept an explicit null.
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]


class PatchSchema(Schema):
    model_config = ConfigDict(json_schema_extra=_no_null_defaults)

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent."""
        return self.model_dump(exclude_unset=True)


RollStatus = _one_of(["", "all", *Membership.Status.values])


# ---------------------------------------------------------------- list parameters (query string)


class PageIn(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–200）")
    cursor: Annotated[str, StringConstraints(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")] | None = Field(
        None, description="上一页返回的 next_cursor"
    )


class OrgFilters(PageIn):
    parent_id: Id | None = Field(None, description="只列出该组织的直接下级")
    level: Level | None = None
    q: Text(50) | None = Field(None, description="名称包含")


class PersonFilters(PageIn):
    org_id: Id | None = Field(None, description="组织（含下级）；不传时为调用者的全部可见范围")
    name: Text(50) = Field("", description="姓名前缀")
    id_tail: Text(6) = Field("", description="身份证号后几位")
    phone: Text(20) = Field("", description="手机号（完整号码，精确匹配）")
    status: RollStatus = Field("", description="会籍状态；空为在册（申请中、会员、保留会籍），all 为全部")


class MembershipFilters(PageIn):
    person_id: Id | None = Field(None, description="该人员的全部会籍（含历史）")
    org_id: Id | None = Field(None, description="组织（含下级）；与 person_id 都不传时为调用者的全部可见范围")
    status: RollStatus = Field("all", description="会籍状态；空为在册，all 为全部")


class AllianceFilters(PageIn):
    q: Text(50) | None = Field(None, description="名称包含")


# ---------------------------------------------------------------- errors


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class ValidationErrorOut(Schema):
    code: str
    message: str
    detail: list[dict[str, Any]]


# ---------------------------------------------------------------- me


class GrantOut(Schema):
    role: str
    org_id: int | None
    alliance_id: int | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    person_id: int | None
    grants: list[GrantOut]


# ---------------------------------------------------------------- orgs


class OrgOut(Schema):
    id: int
    parent_id: int | None = Field(description="上级组织；不在调用者可见范围内时为 null")
    name: str
    short_name: str
    code: str
    level: str
    org_type: str
    region_code: str
    unit_name: str
    unit_credit_code: str
    unit_category: str
    established_on: dt.date | None
    contact: str
    status: str
    closed_on: dt.date | None
    close_reason: str
    depth: int
    member_count: int = Field(description="本级会员数（会员与保留会籍）")


class OrgPermissions(Schema):
    manage: bool
    move: bool
    operate: bool


class OrgDetailOut(OrgOut):
    subtree_member_total: int
    subtree_org_count: int
    permissions: OrgPermissions


class OrgPage(Schema):
    items: list[OrgOut]
    next_cursor: str | None


class OrgCreateIn(Schema):
    parent_id: Id
    name: Text(100, min_length=1)
    short_name: Text(50) = ""
    code: Text(32) = Field("", description="留空时由系统生成")
    level: Level
    org_type: OrgType
    region_code: Text(6)
    unit_name: Text(100) = ""
    unit_credit_code: Text(18) = ""
    unit_category: UnitCategory = ""
    established_on: dt.date | None = None
    contact: Text(100) = ""


class OrgUpdateIn(PatchSchema):
    name: Text(100, min_length=1) = None
    short_name: Text(50) = None
    code: Text(32) = None
    level: Level = None
    org_type: OrgType = None
    region_code: Text(6) = None
    unit_name: Text(100) = None
    unit_credit_code: Text(18) = None
    unit_category: UnitCategory = None
    established_on: dt.date | None = None
    contact: Text(100) = None


class OrgMoveIn(Schema):
    new_parent_id: Id
    reason: Text(200) = ""


class OrgCloseIn(Schema):
    closed_on: dt.date
    reason: Text(200, min_length=1)


# ---------------------------------------------------------------- people and memberships


class MembershipOut(Schema):
    id: int
    person_id: int
    org_id: int
    org_name: str
    status: str
    joined_on: dt.date | None
    ended_on: dt.date | None


class MembershipPage(Schema):
    items: list[MembershipOut]
    next_cursor: str | None


class PersonOut(Schema):
    """Always masked: the ID number as 340***********1234, the phone as 139****5678, the birth
    year and age but never the birth date."""

    id: int
    name: str
    sex: str
    birth_year: int
    age: int
    id_masked: str
    phone_masked: str
    org_id: int
    ethnicity: str
    political_status: str
    education: str
    is_migrant_worker: bool


class RollItemOut(PersonOut):
    membership: MembershipOut


class PersonPage(Schema):
    items: list[RollItemOut]
    next_cursor: str | None


class PersonPermissions(Schema):
    operate: bool


class PersonDetailOut(PersonOut):
    org_name: str
    memberships: list[MembershipOut]
    permissions: PersonPermissions


class PersonCreateIn(Schema):
    org_id: Id
    name: Text(50, min_length=1)
    id_number: Text(24, min_length=1)
    phone: Text(20) = ""
    ethnicity: Ethnicity = ""
    political_status: Political = ""
    education: Education = ""
    is_migrant_worker: bool = False
    membership_status: NewMembershipStatus = "active"
    joined_on: dt.date | None = None


class PersonUpdateIn(PatchSchema):
    name: Text(50, min_length=1) = None
    phone: Text(20) = Field(None, description="空字符串表示删除手机号；不传表示不变")
    ethnicity: Ethnicity = None
    political_status: Political = None
    education: Education = None
    is_migrant_worker: bool = None


class TransitionIn(Schema):
    to_status: TransitionStatus
    reason: Text(200) = ""
    on: dt.date | None = None


# ---------------------------------------------------------------- alliances


class AllianceOut(Schema):
    id: int
    name: str
    host_org_id: int
    host_org_name: str
    founded_on: dt.date | None
    description: str
    purpose: str
    mechanisms: list[str]
    platforms: list[str]
    brands: list[str]
    charter_form: str


class AlliancePage(Schema):
    items: list[AllianceOut]
    next_cursor: str | None


class AllianceMemberOut(Schema):
    id: int
    org_id: int
    org_name: str
    joined_on: dt.date
    left_on: dt.date | None
    is_founder: bool
    strengths: str


class AllianceMemberRow(AllianceMemberOut):
    members: int = Field(description="该成员工会及其下级的会员总数")


class SeatOut(Schema):
    role: str
    person_name: str
    member_org_name: str | None
    term_start: dt.date
    term_end: dt.date | None


class AllianceFigures(Schema):
    unions: int
    members: int


class AllianceDetailOut(AllianceOut):
    members: list[AllianceMemberRow]
    figures: AllianceFigures
    seats: list[SeatOut]
    can_manage: bool


class AllianceCreateIn(Schema):
    host_org_id: Id
    name: Text(100, min_length=1)
    founded_on: dt.date | None = None
    description: Text(2000) = ""


Item = Text(200, min_length=1)


class AllianceUpdateIn(PatchSchema):
    purpose: Text(200, min_length=1) = None
    mechanisms: Annotated[list[Item], Field(max_length=50)] = None
    platforms: Annotated[list[Item], Field(max_length=50)] = None
    brands: Annotated[list[Item], Field(max_length=50)] = None


class AllianceMemberJoinIn(Schema):
    org_code: Text(32, min_length=1) = Field(description="成员工会的组织编码（任何工会均可加入联盟）")
    joined_on: dt.date
    is_founder: bool = False
    strengths: Text(200) = ""


class AllianceMemberLeaveIn(Schema):
    left_on: dt.date
