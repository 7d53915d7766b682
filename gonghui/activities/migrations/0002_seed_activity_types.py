from django.db import migrations

TYPES = [
    ("skills", "技能竞赛"),
    ("training", "培训/职工学堂"),
    ("lecture", "讲座/宣讲"),
    ("sports_culture", "文体活动"),
    ("film", "观影"),
    ("visit", "参观学习"),
    ("psych", "心理拓展"),
    ("games", "运动会/联赛"),
    ("law", "普法宣传"),
    ("festival", "传统节日"),
    ("volunteer", "志愿服务"),
]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for i, (code, name) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(code=code, defaults={"name": name, "sort": i * 10})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_activities")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
