"""The usual programmes with one local scheme's caps (domain.md §2.2); deployments edit the rows."""

from django.db import migrations

PROGRAMMES = [
    # code, name, [(category, kind, months, percent, max_fen)]
    ("living", "生活救助", [("deep", "months_of_dibao", 10, None, None), ("relative", "months_of_dibao", 8, None, None), ("accident", "percent_of_self_paid", None, 15, 1_000_000)]),
    ("medical", "医疗救助", [("deep", "percent_of_self_paid", None, 100, None), ("relative", "percent_of_self_paid", None, 80, 1_600_000)]),
    ("study", "金秋助学", [("deep", "months_of_dibao", 10, None, None), ("relative", "months_of_dibao", 8, None, None), ("", "fixed", None, None, 1_000_000)]),
    ("warmth", "送温暖", [("", "fixed", None, None, 300_000)]),
    ("temporary", "临时救助", [("", "fixed", None, None, 1_000_000)]),
]


def seed(apps, schema_editor):
    Programme = apps.get_model("money", "Programme")
    Rule = apps.get_model("money", "ProgrammeRule")
    for sort, (code, name, rules) in enumerate(PROGRAMMES, start=1):
        p, _ = Programme.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})
        for category, kind, months, percent, max_fen in rules:
            Rule.objects.get_or_create(programme=p, category=category, defaults={"kind": kind, "months": months, "percent": percent, "max_fen": max_fen})


class Migration(migrations.Migration):
    dependencies = [("money", "0002_append_only_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
