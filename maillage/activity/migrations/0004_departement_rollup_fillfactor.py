from django.db import migrations


def set_fillfactor(apps, schema_editor, value=70):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE activity_monthlydepartementrollup SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    set_fillfactor(apps, schema_editor, value=100)


class Migration(migrations.Migration):
    dependencies = [("activity", "0003_monthly_departement_rollup")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
