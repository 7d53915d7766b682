"""The demo: the organizations and people of the seed newspaper page (Anhui, May 2021).

Everything goes through the same services as the UI, so the demo is also a smoke test of them.
Figures match the page: 亚父街道工会联盟 has 14 member unions (安徽川海工贸有限公司 among them)
and close to 1,000 members (会员近千人). 界首's hardship files are in ``demo_hardship``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from gonghui.accounts import services as account_services
from gonghui.accounts.models import User
from gonghui.alliances import services as alliance_services
from gonghui.alliances.models import Alliance
from gonghui.lib import names
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org
from gonghui.people import services as people_services
from gonghui.people.models import Person
from gonghui.web import demo_activities, demo_hardship

DEMO_PASSWORD = "Gonghui-demo-2026"  # noqa: S105 - printed for the demo; never used outside it
L, T = Org.Level, Org.OrgType

# (key, parent key, name, level, type, region, unit name)
TREE: list[tuple[str, str | None, str, str, str, str, str]] = [
    ("acftu", None, "中华全国总工会", L.NATIONAL, T.FEDERATION, "110000", ""),
    ("ah", "acftu", "安徽省总工会", L.PROVINCE, T.FEDERATION, "340000", ""),
    ("hf", "ah", "合肥市总工会", L.PREFECTURE, T.FEDERATION, "340100", ""),
    ("fx", "hf", "肥西县总工会", L.COUNTY, T.FEDERATION, "340123", ""),
    ("fx_taohua", "fx", "桃花镇总工会", L.TOWN, T.TOWN, "340123", ""),
    ("fx_xinhua", "fx_taohua", "新华新园社区工会", L.GRASSROOTS, T.COMMUNITY, "340123", "新华新园社区"),
    ("fx_kfq", "fx", "肥西经济开发区总工会", L.TOWN, T.REGIONAL, "340123", ""),
    ("fx_huagang", "fx", "花岗镇总工会", L.TOWN, T.TOWN, "340123", ""),
    ("fx_zipeng", "fx", "紫蓬镇总工会", L.TOWN, T.TOWN, "340123", ""),
    ("fx_baiyan", "fx", "柏堰科技园工会联合会", L.TOWN, T.REGIONAL, "340123", ""),
    ("ch", "hf", "巢湖市总工会", L.COUNTY, T.FEDERATION, "340181", ""),
    ("ch_yafu", "ch", "亚父街道总工会", L.TOWN, T.TOWN, "340181", ""),
    ("fy", "ah", "阜阳市总工会", L.PREFECTURE, T.FEDERATION, "341200", ""),
    ("js", "fy", "界首市总工会", L.COUNTY, T.FEDERATION, "341282", ""),
    ("yq", "fy", "颍泉区总工会", L.COUNTY, T.FEDERATION, "341204", ""),
    ("fy20", "yq", "阜阳市第二十中学工会", L.GRASSROOTS, T.SINGLE, "341204", "阜阳市第二十中学"),
    ("wh", "ah", "芜湖市总工会", L.PREFECTURE, T.FEDERATION, "340200", ""),
    ("hs", "ah", "黄山市总工会", L.PREFECTURE, T.FEDERATION, "341000", ""),
    ("hs_songbai", "hs", "黄山松柏高尔夫乡村俱乐部有限公司工会", L.GRASSROOTS, T.SINGLE, "341000", "黄山松柏高尔夫乡村俱乐部有限公司"),
    ("hb", "ah", "淮北市总工会", L.PREFECTURE, T.FEDERATION, "340600", ""),
    ("hb_zxz", "hb", "淮北矿业集团朱仙庄矿工会", L.GRASSROOTS, T.SINGLE, "340600", "淮北矿业集团朱仙庄矿"),
    ("la", "ah", "六安市总工会", L.PREFECTURE, T.FEDERATION, "341500", ""),
    ("la_ja", "la", "金安区总工会", L.COUNTY, T.FEDERATION, "341502", ""),
    ("la_slq", "la_ja", "三里桥街道总工会", L.TOWN, T.TOWN, "341502", ""),
    ("la_jq", "la_slq", "金桥社区工会", L.GRASSROOTS, T.COMMUNITY, "341502", "金桥社区"),
    ("qh", "acftu", "青海省总工会", L.PROVINCE, T.FEDERATION, "630000", ""),
    ("xn", "qh", "西宁市总工会", L.PREFECTURE, T.FEDERATION, "630100", ""),
    ("xn_unit", "xn", "西宁特殊钢股份有限公司工会", L.GRASSROOTS, T.SINGLE, "630100", "西宁特殊钢股份有限公司"),
    # Added for the activity work (issue #4); appended so earlier demo codes stay as they were.
    ("js_u1", "js", "界首市田营科技园工会联合会", L.TOWN, T.REGIONAL, "341282", ""),
    ("js_u2", "js", "安徽华铂再生资源科技有限公司工会", L.GRASSROOTS, T.SINGLE, "341282", "安徽华铂再生资源科技有限公司"),
    ("js_u3", "js", "界首市人民医院工会", L.GRASSROOTS, T.SINGLE, "341282", "界首市人民医院"),
    ("hs_tx", "hs", "屯溪区总工会", L.COUNTY, T.FEDERATION, "341002", ""),
    ("hs_hsq", "hs", "黄山区总工会", L.COUNTY, T.FEDERATION, "341003", ""),
    ("hs_hz", "hs", "徽州区总工会", L.COUNTY, T.FEDERATION, "341004", ""),
    ("hs_sx", "hs", "歙县总工会", L.COUNTY, T.FEDERATION, "341021", ""),
    ("wh_jg", "wh", "芜湖市总工会机关工会", L.GRASSROOTS, T.SINGLE, "340200", "芜湖市总工会"),
]

# The 14 member unions of 亚父街道工会联盟: (unit, 单位类别, 生产经营特点, members, founder).
YAFU_MEMBERS: list[tuple[str, str, str, int, bool]] = [
    ("安徽川海工贸有限公司", "110", "商贸", 96, True),
    ("巢湖市亚父保安服务有限公司", "110", "保安", 88, True),
    ("巢湖市麦香园食品有限公司", "110", "食品", 74, True),
    ("巢湖市亚父社区卫生服务中心", "400", "医疗卫生", 52, True),
    ("安徽巢湖律师事务所", "600", "法律服务", 31, False),
    ("巢湖市金穗纺织有限公司", "110", "纺织", 118, False),
    ("巢湖市亚父物业管理有限公司", "110", "物业", 67, False),
    ("巢湖市华强建材有限公司", "110", "建材", 83, False),
    ("巢湖市亚父幼儿园", "400", "教育", 29, False),
    ("巢湖市振兴汽车维修有限公司", "110", "汽修", 45, False),
    ("巢湖市亚父社会工作服务社", "600", "社会工作", 18, False),
    ("巢湖市鑫源电子科技有限公司", "110", "电子", 142, False),
    ("巢湖市亚父农贸市场管理有限公司", "110", "商贸", 57, False),
    ("巢湖市润泽餐饮管理有限公司", "110", "餐饮", 86, False),
]
OTHER_MEMBERS = {
    "js": 40,
    "hb_zxz": 60,
    "fy20": 25,
    "hs_songbai": 20,
    "la_jq": 15,
    "xn_unit": 30,
    "fx_xinhua": 20,
    "js_u1": 120,
    "js_u2": 120,
    "js_u3": 120,
    "wh_jg": 48,
}

USERS = [
    # username, display name, role, org key (or alliance), can_reveal
    ("quanzong", "全总管理员", "fed_admin", "acftu", True),
    ("anhui_admin", "安徽省总工会管理员", "fed_admin", "ah", True),
    ("chaohu_cadre", "巢湖市总工会干部", "cadre", "ch", False),
    ("yafu_admin", "亚父街道总工会管理员", "org_admin", "ch_yafu", True),
    ("jieshou_viewer", "界首市总工会查看员", "viewer", "js", False),
    ("yafu_coord", "亚父街道工会联盟协调员", "alliance_coord", "alliance", False),
    ("qinghai_admin", "青海省总工会管理员", "fed_admin", "qh", True),
    # Added for the hardship work (issue #5): contacts register with real names.
    ("jieshou_cadre", "王立新", "cadre", "js", False),
    ("jieshou_admin", "界首市总工会管理员", "org_admin", "js", False),
    ("jieshou_hospital", "陈静", "cadre", "js_u3", False),
]


@dataclass
class DemoResult:
    created: bool
    orgs: int
    people: int


def credit_code(rng: random.Random, region: str) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + region + "".join(rng.choice(chars) for _ in range(10))


@transaction.atomic
def load(*, seed: int = 2021) -> DemoResult:
    if Org.objects.filter(code="D110000-0001").exists():
        return DemoResult(False, Org.objects.count(), Person.objects.count())
    rng = random.Random(seed)
    orgs: dict[str, Org] = {}
    for i, (key, parent, name, level, org_type, region, unit) in enumerate(TREE, start=1):
        data = {"name": name, "level": level, "org_type": org_type, "region_code": region, "code": f"D{region}-{i:04d}", "unit_name": unit}
        if unit:
            data |= {"unit_category": "110", "unit_credit_code": credit_code(rng, region)}
        orgs[key] = org_services.org_create(actor=None, parent=orgs[parent] if parent else None, data=data)
    yafu = orgs["ch_yafu"]
    members = []
    for j, (unit, category, _strengths, _n, _f) in enumerate(YAFU_MEMBERS, start=1):
        org = org_services.org_create(
            actor=None,
            parent=yafu,
            data={
                "name": f"{unit}工会",
                "level": L.GRASSROOTS,
                "org_type": T.SINGLE if category == "110" else T.JOINT,
                "region_code": "340181",
                "code": f"D340181-Y{j:03d}",
                "unit_name": unit,
                "unit_category": category,
                "unit_credit_code": credit_code(rng, "340181"),
                "established_on": dt.date(2019, 6, 1) + dt.timedelta(days=20 * j),
            },
        )
        members.append(org)
    alliance = alliance_services.alliance_create(
        actor=None,
        host_org=yafu,
        name="亚父街道工会联盟",
        founded_on=dt.date(2020, 1, 8),
        description="为辖区企业、社会组织搭建互学互鉴的交流平台，形成条块融合、优势互补、供需对接、精准服务的区域化工会大联盟格局。",
    )
    alliance_services.alliance_set_charter(
        actor=None,
        alliance=alliance,
        purpose="党建带工建，服务辖区职工",
        mechanisms=["轮值机制", "联席会议机制", "资源共享机制"],
        platforms=["初心讲堂", "书香筑梦阅览室", "健身休息室与心理咨询室", "普惠帮扶工作站"],
        brands=["保安技能竞赛", "烘焙培训", "演讲比赛", "普法宣传", "传统节日文化活动"],
    )
    for org, (_unit, _c, strengths, _n, founder) in zip(members, YAFU_MEMBERS, strict=True):
        alliance_services.alliance_member_join(
            actor=None,
            alliance=alliance,
            org=org,
            joined_on=dt.date(2020, 1, 8) if founder else dt.date(2020, 3, 1),
            is_founder=founder,
            strengths=strengths,
        )
    people: dict[str, list[Person]] = {}
    for org, (_u, _c, _s, n, _f) in zip(members, YAFU_MEMBERS, strict=True):
        people[org.code] = _people(rng, org, n)
    for key, n in OTHER_MEMBERS.items():
        people[orgs[key].code] = _people(rng, orgs[key], n)
    roles = [("chair", 0), ("vice_chair", 1), ("secretary_general", 2), ("audit_head", 3), ("women_head", 4), ("councillor", 5), ("councillor", 6)]
    for role, idx in roles:
        org = members[idx]
        alliance_services.council_seat_add(
            actor=None,
            alliance=alliance,
            person=people[org.code][0],
            role=role,
            term_start=dt.date(2020, 1, 8),
            term_end=dt.date(2025, 1, 7),
            member_org=org,
        )
    _users(orgs, alliance, worker=people[members[0].code][1])
    demo_activities.load(rng, orgs, alliance, people)
    demo_hardship.load(random.Random(seed + 5), orgs, people)  # its own stream: the data above stays as it was
    return DemoResult(True, Org.objects.count(), Person.objects.count())


def _people(rng: random.Random, org: Org, n: int) -> list[Person]:
    out = []
    for _ in range(n):
        while True:
            id_number = names.person_id(rng, org.region_code)
            if not Person.objects.filter(id_bidx=people_services.id_bidx(id_number)).exists():
                break
        out.append(
            people_services.person_register(
                actor=None,
                org=org,
                data={
                    "name": names.person_name(rng),
                    "id_number": id_number,
                    "phone": names.mobile(rng),
                    "ethnicity": "汉族",
                    "political_status": rng.choice(["中共党员", "群众", "群众", "共青团员"]),
                    "education": rng.choice(["大学本科", "大学专科", "中专/高中"]),
                    "is_migrant_worker": rng.random() < 0.3,
                },
                joined_on=dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
            )
        )
    return out


def _users(orgs: dict[str, Org], alliance: Alliance, *, worker: Person) -> None:
    for username, display, role, key, reveal in USERS:
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display)
        if role == "alliance_coord":
            account_services.role_grant(actor=None, user=user, role=role, alliance=alliance)
        else:
            account_services.role_grant(actor=None, user=user, role=role, org=orgs[key], can_reveal=reveal)
    w = User.objects.create_user(username="zhigong", password=DEMO_PASSWORD, display_name=worker.name, person=worker)
    account_services.role_grant(actor=None, user=w, role="worker")


def logins_text() -> str:
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for username, display, _role, _key, _r in USERS:
        lines.append(f"  {username:<16} {display}")
    lines.append(f"  {'zhigong':<16} 职工（手机端“我的”页面）")
    return "\n".join(lines)
