from django.db import migrations

from gonghui.lib.appendonly import operation


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial")]
    operations = [operation("money_ledgertransaction"), operation("money_ledgerentry")]
