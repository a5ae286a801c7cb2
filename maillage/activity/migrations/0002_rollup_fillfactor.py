"""PostgreSQL only: leave room in rollup pages so that incremental updates stay HOT (the counters
are not indexed, so an update with free space on its page writes no index entry)."""

from django.db import migrations

TABLES = ("activity_dailyrollup", "activity_monthlyrollup")


def set_fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    set_fillfactor(apps, schema_editor, value=100)


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
