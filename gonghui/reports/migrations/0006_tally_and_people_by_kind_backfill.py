"""``Tally`` and the people counters of the new kinds (an organizer's own, a participant union's)
for check-ins and walk-ins recorded before reports/0005: a frozen copy of ``rebuild.fill_tally``
(from the stored rollups) and of those kinds' rows in ``rebuild.fill_people_per_year`` (this
migration must not change when that code does).

Check-ins recorded by old code while this runs are not counted here: run
``manage.py recount_rollups`` once the new code serves (docs/architecture.md, Reports)."""

from collections import Counter

from django.db import migrations
from django.utils import timezone

SHARDS = 16
BY_CHILD, BY_ORGANIZER, BY_PARTICIPANT = 1, 2, 3  # Tally.Kind
OWN, PARTICIPANT = 1, 2  # PersonYear.Kind
YEAR_OF_MONTH = {"sqlite": "CAST(strftime('%Y', pm.month) AS INTEGER)", "postgresql": "CAST(EXTRACT(YEAR FROM pm.month) AS INTEGER)"}


def _keys(path, month, type_id, porg):  # noqa: ANN001, ANN202
    nodes = [int(n) for n in path.strip("/").split("/")]
    year = month.replace(month=1)
    keys = [(n, BY_CHILD, month, type_id, nodes[i + 1] if i + 1 < len(nodes) else 0) for i, n in enumerate(nodes)]
    keys += [(n, BY_ORGANIZER, year, 0, nodes[-1]) for n in nodes]
    if porg is not None:
        keys += [(n, BY_PARTICIPANT, year, 0, porg) for n in nodes]
    return keys


def backfill(apps, schema_editor):  # noqa: ANN001 - the migration API
    attendance = apps.get_model("reports", "AttendanceRollup")
    walkins = apps.get_model("reports", "WalkInRollup")
    tally = apps.get_model("reports", "Tally")
    want = Counter()
    for path, month, type_id, porg, n in attendance.objects.values_list("organizer_path", "month", "activity_type_id", "person_org_id", "checkins"):
        for k in _keys(path, month, type_id, porg):
            want[k] += n
    for path, month, type_id, n in walkins.objects.values_list("organizer_path", "month", "activity_type_id", "walkins"):
        for k in _keys(path, month, type_id, None):
            want[k] += n
    now = timezone.now()
    tally.objects.bulk_create(
        [tally(node_id=k[0], kind=k[1], period=k[2], activity_type=k[3], item=k[4], checkins=n, updated_at=now) for k, n in want.items()],
        batch_size=5_000,
    )
    connection = schema_editor.connection
    year = YEAR_OF_MONTH[connection.vendor]
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT organizer_path FROM reports_personmonth")
        paths = [row[0] for row in cur.fetchall()]
        if not paths:
            return
        cur.execute("CREATE TEMPORARY TABLE backfill_path_node (organizer_path varchar(255) NOT NULL, node bigint NOT NULL)")
        rows = [(p, int(node)) for p in paths for node in p.strip("/").split("/")]
        for i in range(0, len(rows), 5_000):
            cur.executemany("INSERT INTO backfill_path_node VALUES (%s, %s)", rows[i : i + 5_000])
        cur.execute(
            f"INSERT INTO reports_personyear (org_id, year, activity_type, kind, item, person_id) SELECT DISTINCT pm.organizer_id, {year}, 0, "  # noqa: S608
            f"{OWN}, 0, pm.person_id FROM reports_personmonth pm"
        )
        cur.execute(
            f"INSERT INTO reports_personyear (org_id, year, activity_type, kind, item, person_id) SELECT DISTINCT a.node, {year}, 0, "  # noqa: S608
            f"{PARTICIPANT}, pm.person_org_id, pm.person_id FROM reports_personmonth pm "
            "JOIN backfill_path_node a ON a.organizer_path = pm.organizer_path"
        )
        cur.execute(
            "INSERT INTO reports_peoplecount (org_id, year, activity_type, kind, item, shard, people, updated_at) "
            f"SELECT org_id, year, activity_type, kind, item, person_id %% {SHARDS}, COUNT(*), %s FROM reports_personyear WHERE kind <> 0 "
            f"GROUP BY org_id, year, activity_type, kind, item, person_id %% {SHARDS}",
            [connection.ops.adapt_datetimefield_value(now)],
        )
        cur.execute("DROP TABLE backfill_path_node")


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_tally_and_people_by_kind")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
