"""The people counters for check-ins recorded before reports/0002: a frozen copy of
``rebuild.fill_people_per_year`` (this migration must not change when that code does).

Check-ins recorded by old code while this runs are not counted here: run
``manage.py recount_rollups`` once the new code serves (docs/architecture.md, Reports)."""

from django.db import migrations
from django.utils import timezone

SHARDS = 16
YEAR_OF_MONTH = {"sqlite": "CAST(strftime('%Y', pm.month) AS INTEGER)", "postgresql": "CAST(EXTRACT(YEAR FROM pm.month) AS INTEGER)"}


def backfill(apps, schema_editor):  # noqa: ANN001 - the migration API
    connection = schema_editor.connection
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT organizer_path FROM reports_personmonth")
        paths = [row[0] for row in cur.fetchall()]
        if not paths:
            return
        cur.execute("CREATE TEMPORARY TABLE backfill_path_node (organizer_path varchar(255) NOT NULL, node bigint NOT NULL)")
        rows = [(p, int(node)) for p in paths for node in p.strip("/").split("/")]
        for i in range(0, len(rows), 5_000):
            cur.executemany("INSERT INTO backfill_path_node VALUES (%s, %s)", rows[i : i + 5_000])
        year = YEAR_OF_MONTH[connection.vendor]
        for type_column in ("pm.activity_type_id", "0"):
            cur.execute(
                f"INSERT INTO reports_personyear (org_id, year, activity_type, person_id) SELECT DISTINCT a.node, {year}, {type_column}, "  # noqa: S608
                "pm.person_id FROM reports_personmonth pm JOIN backfill_path_node a ON a.organizer_path = pm.organizer_path"
            )
        cur.execute(
            "INSERT INTO reports_peoplecount (org_id, year, activity_type, shard, people, updated_at) "  # noqa: S608
            f"SELECT org_id, year, activity_type, person_id %% {SHARDS}, COUNT(*), %s FROM reports_personyear "
            f"GROUP BY org_id, year, activity_type, person_id %% {SHARDS}",
            [timezone.now()],
        )
        cur.execute("DROP TABLE backfill_path_node")


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_people_per_year")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
