"""The triggers that keep the tallies (reporting/tallies.py), and a first count of the rows already
there. The SQL is built by ``tallies_install`` (one definition for the triggers, the recount and
the check); a later change of what is counted comes with a migration that runs it again (it
replaces the triggers and recounts)."""

from django.db import migrations

from coursegate.reporting.tallies import tallies_install, tallies_uninstall


def install(apps, schema_editor):
    tallies_install(schema_editor.connection)


def uninstall(apps, schema_editor):
    tallies_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_tallies"),
        ("enrollments", "0002_history_active_changed_at_index"),
        ("subscriptions", "0001_initial"),
        ("events", "0002_client_fields_and_more_kinds"),
        ("assignments", "0002_redemption_transaction"),  # its table has tallies too since 0003
    ]

    operations = [migrations.RunPython(install, uninstall)]
