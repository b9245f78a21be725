# The generic event store, taken over from the events app (events 0002 created the table):
# state only, same table name, ids and indexes.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("events", "0002_client_fields_and_more_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GenericEvent",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("created_on", models.DateTimeField()),
                        ("type", models.CharField(max_length=255)),
                        ("payload", models.TextField()),
                        ("resource_type", models.CharField(max_length=255, null=True)),
                        ("resource_id", models.CharField(max_length=255, null=True)),
                    ],
                    options={
                        "db_table": "events_genericevent",
                        "indexes": [
                            models.Index(fields=["created_on", "id"], name="events_generic_created_id"),
                            models.Index(fields=["type", "id"], name="events_generic_type_id"),
                            models.Index(
                                fields=["resource_type", "resource_id", "created_on", "id"],
                                name="events_generic_resource",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
