from django.db import migrations

from gonghui.lib.appendonly import operation


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [operation("audit_auditevent")]
