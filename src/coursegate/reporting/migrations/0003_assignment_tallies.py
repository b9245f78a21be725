"""The assignments' tallies (per assignment configuration and state: how many, and their prices):
``tallies_install`` again, which replaces every trigger and counts every tally anew. Going back leaves the triggers (0002's reverse drops them all)."""

from django.db import migrations

from coursegate.reporting.tallies import tallies_install


def install(apps, schema_editor):
    tallies_install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_tally_triggers"), ("assignments", "0002_redemption_transaction")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
