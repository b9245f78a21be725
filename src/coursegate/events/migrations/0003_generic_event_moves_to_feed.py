# The generic event store moves to the change feed's app (issue 14 §2): state only, the table
# events_genericevent, its ids and its indexes stay as they are (feed 0001 takes it over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_client_fields_and_more_kinds"),
        ("feed", "0001_generic_event_from_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="GenericEvent")],
            database_operations=[],
        ),
    ]
