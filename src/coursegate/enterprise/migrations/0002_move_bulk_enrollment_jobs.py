# Issue 9: the bulk license enrollment job models move to the enterprise_jobs app. State only: the
# tables (enterprise_bulkenrollmentjob, enterprise_bulkenrollmentjobrow), their index and their
# constraints stay as they are; enterprise_jobs 0001 takes the models over in Django's state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('enterprise', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='BulkEnrollmentJobRow'),
                migrations.DeleteModel(name='BulkEnrollmentJob'),
            ],
            database_operations=[],
        ),
    ]
