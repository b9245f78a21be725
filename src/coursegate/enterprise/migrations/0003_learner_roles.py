# Issue 12: a learner linked to a customer with an account holds enterprise_learner:<customer>
# (enterprise/services.py). Links made before this rule get their role rows here. Set-based: one
# read of the links and inserts of 1,000 rows each, conflicts (roles already held) ignored.
# Reversing leaves the roles: a role row cannot tell whether it was given by hand before.

from django.db import migrations

BATCH = 1000


def grant_learner_roles(apps, schema_editor):
    learner_model = apps.get_model("enterprise", "EnterpriseLearner")
    role_model = apps.get_model("accounts", "RoleAssignment")
    links = (
        learner_model.objects.using(schema_editor.connection.alias)
        .filter(user__isnull=False, active=True)
        .values_list("customer_id", "user_id")
        .order_by("pk")
    )
    rows = [role_model(user_id=user_id, role="enterprise_learner", context=str(customer_id)) for customer_id, user_id in links]
    role_model.objects.using(schema_editor.connection.alias).bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("enterprise", "0002_move_bulk_enrollment_jobs"),
    ]

    operations = [migrations.RunPython(grant_learner_roles, migrations.RunPython.noop)]
