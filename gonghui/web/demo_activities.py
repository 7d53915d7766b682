"""The demo's activity work: the seed page's activities, check-ins, rotation, campaign and
two-batch training, recorded through the same services as the UI (issue #4 §8).

Figures come out as the page phrases them: the alliance's 10 activities with 1,000余人次; 界首's
36 职工学堂 with 1,200余人次 and 44 心理健康讲座 with 5,500余人次; 黄山's 红色电影进企业 toward 50
场; 芜湖's training in two batches; 阜阳's 劳模大讲堂 at a school with 150余人.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from gonghui.activities import checkin
from gonghui.activities import services as activities
from gonghui.activities.models import Activity, ActivityType, CheckIn, Session
from gonghui.alliances import services as alliance_services
from gonghui.alliances.models import Alliance, AllianceMember, RotationPlan
from gonghui.orgs.models import Org
from gonghui.people.models import Person
from gonghui.reports import services as reports
from gonghui.training import services as training
from gonghui.training.services import StaffEntry

TZ = ZoneInfo("Asia/Shanghai")
S = Activity.Status
POSTER = CheckIn.Method.POSTER

# 生产经营特点 → the activity type the unit is good at hosting (保安 → 技能竞赛, 食品 → 烘焙培训 …).
STRENGTHS = {"保安": "skills", "食品": "training", "法律服务": "law", "教育": "lecture", "餐饮": "festival", "医疗卫生": "psych"}
# The alliance's 10 activities in rotation (Aug 2020 – May 2021): title and wanted type.
ALLIANCE_ACTIVITIES = [
    ("保安技能竞赛", "skills"),
    ("烘焙培训", "training"),
    ("“工会联盟一家亲”演讲比赛", "lecture"),
    ("普法宣传进企业", "law"),
    ("中秋传统节日文化活动", "festival"),
    ("职工心理健康讲座", "psych"),
    ("职工趣味运动会", "games"),
    ("元宵节传统节日文化活动", "festival"),
    ("“三八”妇女节普法宣传", "law"),
    ("“五一”劳动技能竞赛", "skills"),
]
# 芜湖市总工会机关: departments for the two-batch 党史学习教育专题培训班.
WUHU_DEPARTMENTS = [("办公室", 8), ("组织部", 6), ("宣教部", 6), ("权益保障部", 6), ("市职工服务中心", 10), ("市工人文化宫", 8), ("离退休干部", 4)]


def at(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def types() -> dict[str, ActivityType]:
    return {t.code: t for t in ActivityType.objects.all()}


def held(
    *,
    organizer: Org,
    type_code: str,
    title: str,
    sessions: list[tuple[dt.datetime, str]],
    attend: Callable[[int], list[Person]],
    walk_ins: Callable[[int], int] = lambda _i: 0,
    summary: str = "",
    **kwargs: object,
) -> Activity:
    """An activity that took place: created, opened, its sessions held with check-ins (and
    head-counts of walk-ins), then closed with a summary. Returns the finished activity."""
    a = activities.activity_create(actor=None, organizer=organizer, activity_type=types()[type_code], title=title, **kwargs)  # type: ignore[arg-type]
    made: list[Session] = [
        activities.session_add(
            actor=None, activity=a, starts_at=start, ends_at=start + dt.timedelta(hours=2), place=place, title=f"第{i}场" if len(sessions) > 1 else ""
        )
        for i, (start, place) in enumerate(sessions, start=1)
    ]
    for to in (S.PUBLISHED, S.REGISTERING, S.ONGOING):
        activities.activity_transition(actor=None, activity=a, to_status=to)
    for i, s in enumerate(made):
        when = s.starts_at + dt.timedelta(minutes=10)
        for person in attend(i):
            checkin.checkin_record(actor=None, session=s, person=person, method=POSTER, at=when)
        if n := walk_ins(i):
            checkin.walkin_record(actor=None, session=s, count=n, note="现场未登记人员", at=when)
    activities.activity_transition(actor=None, activity=a, to_status=S.FINISHED, summary=summary or f"{title}圆满完成。")
    a.refresh_from_db()
    return a


def load(rng: random.Random, orgs: dict[str, Org], alliance: Alliance, people: dict[str, list[Person]]) -> None:
    _alliance(rng, alliance, people)
    _jieshou(rng, orgs, people)
    _huangshan(rng, orgs, people)
    _wuhu(rng, orgs, people)
    _fuyang_huaibei(rng, orgs, people)


def _alliance(rng: random.Random, alliance: Alliance, people: dict[str, list[Person]]) -> None:
    t = types()
    members = list(AllianceMember.objects.filter(alliance=alliance).select_related("org").order_by("joined_on", "id"))
    for m in members:
        if code := STRENGTHS.get(m.strengths):
            alliance_services.member_strengths_set(actor=None, member=m, activity_types=[t[code]])
    everyone = [p for m in members for p in people[m.org.code]]
    plan = alliance_services.rotation_generate(
        actor=None,
        alliance=alliance,
        start=dt.date(2020, 8, 1),
        periods=len(ALLIANCE_ACTIVITIES),
        period_kind=RotationPlan.PeriodKind.MONTH,
        wanted_types=[t[code] for _title, code in ALLIANCE_ACTIVITIES],
    )
    for turn, (title, code) in zip(plan.turns.order_by("starts_on"), ALLIANCE_ACTIVITIES, strict=True):
        day = turn.starts_on + dt.timedelta(days=rng.randint(8, 20))
        a = held(
            organizer=turn.host.org,
            type_code=code,
            title=title,
            alliance=alliance,
            venue=turn.host.org.unit_name,
            sessions=[(at(day.year, day.month, day.day, 14), turn.host.org.unit_name)],
            attend=lambda _i: rng.sample(everyone, rng.randint(101, 112)),  # 1,000余人次 over ten
            summary=f"由{turn.host.org.unit_name}轮值承办。",
        )
        alliance_services.turn_link_activity(actor=None, turn=turn, activity=a)
        alliance_services.turn_done(actor=None, turn=turn)


def _jieshou(rng: random.Random, orgs: dict[str, Org], people: dict[str, list[Person]]) -> None:
    js_people = [p for key in ("js", "js_u1", "js_u2", "js_u3") for p in people[orgs[key].code]]
    audience = [orgs["js"]]
    topics = ["习近平新时代中国特色社会主义思想讲堂", "家庭关系", "心理健康", "健身技能", "音乐技能", "党史学习"]
    # 36 职工学堂 (期), 1,200余人次: 33–35 people a class.
    for i in range(36):
        day = dt.date(2021, 1, 8) + dt.timedelta(days=3 * i)
        held(
            organizer=orgs["js"],
            type_code="training",
            title=f"职工学堂第{i + 1}期：{topics[i % len(topics)]}",
            audience=audience,
            sessions=[(at(day.year, day.month, day.day, 19), "界首市职工学堂")],
            attend=lambda _i: rng.sample(js_people, rng.randint(33, 35)),
        )
    # 44 心理健康讲座 (场), 5,500余人次: one series, each lecture with members and walk-ins.
    held(
        organizer=orgs["js"],
        type_code="lecture",
        title="心理健康专题讲座",
        audience=audience,
        sessions=[
            (at(2021, 1, 4, 15) + dt.timedelta(days=3 * i), rng.choice(["界首市职工服务中心", "界首市邵集乡", "界首市泉阳镇"])) for i in range(44)
        ],
        attend=lambda _i: rng.sample(js_people, 40),
        walk_ins=lambda _i: rng.randint(86, 87),  # 40 + 86–87 a lecture: 5,500余人次 in all
    )
    # 4 场 劳模进校园 lectures since April.
    held(
        organizer=orgs["js"],
        type_code="lecture",
        title="劳模、先进人物先进事迹宣讲“进校园”",
        audience=audience,
        sessions=[(at(2021, 4, 7 + 6 * i, 10), "界首市第一中学") for i in range(4)],
        attend=lambda _i: [],
        walk_ins=lambda _i: rng.randint(180, 240),
    )


def _huangshan(rng: random.Random, orgs: dict[str, Org], people: dict[str, list[Person]]) -> None:
    hs = orgs["hs"]
    campaign = reports.campaign_create(
        actor=None,
        org=hs,
        name="“看电影 学党史”红色电影进企业",
        unit="sessions",
        starts_on=dt.date(2021, 5, 1),
        ends_on=dt.date(2021, 7, 31),
        activity_type=types()["film"],
        description="庆祝中国共产党成立100周年优秀影片主题展映进企业，全市各级工会计划开展50场以上。",
    )
    targets = {"hs_tx": 15, "hs_hsq": 10, "hs_hz": 8, "hs_sx": 10, "hs_songbai": 7}
    for key, n in targets.items():
        reports.campaign_set_target(actor=None, campaign=campaign, org=orgs[key], target=n)
    songbai = people[orgs["hs_songbai"].code]
    held(
        organizer=orgs["hs_songbai"],
        type_code="film",
        title="红色电影进企业首场展映：《十八洞村》",
        campaign=campaign,
        sessions=[(at(2021, 5, 14, 14), "黄山松柏高尔夫乡村俱乐部有限公司")],
        attend=lambda _i: songbai,
        walk_ins=lambda _i: 12,
    )
    for key, n in (("hs_tx", 3), ("hs_sx", 2)):
        held(
            organizer=orgs[key],
            type_code="film",
            title=f"{orgs[key].name}红色电影展映",
            campaign=campaign,
            sessions=[(at(2021, 5, 18 + 2 * i, 14), orgs[key].name) for i in range(n)],
            attend=lambda _i: [],
            walk_ins=lambda _i: rng.randint(40, 80),
        )


def _wuhu(rng: random.Random, orgs: dict[str, Org], people: dict[str, list[Person]]) -> None:
    """Two batches, each office keeping half its staff at work; one person still to attend."""
    jg = orgs["wh_jg"]
    staff_people = people[jg.code]
    staff, i = [], 0
    for dept, n in WUHU_DEPARTMENTS:
        staff += [StaffEntry(person=p, department=dept) for p in staff_people[i : i + n]]
        i += n
    course = activities.activity_create(
        actor=None,
        organizer=orgs["wh"],
        activity_type=types()["training"],
        title="党史学习教育专题培训班",
        audience=[orgs["wh"]],
        venue="芜湖市职工服务中心",
    )
    sessions = [
        activities.session_add(
            actor=None, activity=course, starts_at=at(2021, 5, d), ends_at=at(2021, 5, d, 12), place="芜湖市职工服务中心", title=f"第{n}期"
        )
        for n, d in ((1, 20), (2, 25))
    ]
    plan = training.plan_create(
        actor=None, org=orgs["wh"], title="党史学习教育专题培训（两期）", batches=2, staff=staff, source="roll", activity=course
    )
    for activity_status in (S.PUBLISHED, S.REGISTERING, S.ONGOING):
        activities.activity_transition(actor=None, activity=course, to_status=activity_status)
    for batch, session in zip(plan.batches.order_by("number"), sessions, strict=True):
        training.batch_update(actor=None, batch=batch, starts_on=session.starts_at.date(), place=session.place, session=session)
        assigned = [a.person for a in batch.assignments.select_related("person").order_by("id")]
        if batch.number == 2:
            assigned.pop()  # on leave on the 25th: coverage shows who is still to attend
        for person in assigned:
            checkin.checkin_record(actor=None, session=session, person=person, method=POSTER, at=session.starts_at)
        training.attendance_from_checkins(actor=None, batch=batch)
    activities.activity_transition(actor=None, activity=course, to_status=S.FINISHED, summary="两期培训完成，每期安排一半人员参训。")


def _fuyang_huaibei(rng: random.Random, orgs: dict[str, Org], people: dict[str, list[Person]]) -> None:
    held(
        organizer=orgs["fy"],
        type_code="lecture",
        title="“跟着劳模去创新”劳模创新大讲堂进校园",
        co_organizers=[orgs["yq"]],
        audience=[orgs["fy20"]],
        venue="阜阳市第二十中学",
        sessions=[(at(2021, 5, 19, 15), "阜阳市第二十中学")],
        attend=lambda _i: people[orgs["fy20"].code],
        walk_ins=lambda _i: 128,  # students and guests: 150余人 in all
    )
    held(
        organizer=orgs["hb"],
        type_code="lecture",
        title="“跟着劳模去创新”劳模大讲堂",
        venue="淮北职业技术学院",
        sessions=[(at(2021, 5, 20, 15), "淮北职业技术学院")],
        attend=lambda _i: [],
        walk_ins=lambda _i: 106,
    )
    held(
        organizer=orgs["hb_zxz"],
        type_code="psych",
        title="“挑战自我 携手并进”心理拓展活动",
        sessions=[(at(2021, 5, 21, 9), "朱仙庄矿职工活动中心")],
        attend=lambda _i: rng.sample(people[orgs["hb_zxz"].code], 45),
    )
