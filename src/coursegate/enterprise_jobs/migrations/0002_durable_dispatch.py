# Issue 11: durable jobs. Jobs recorded before this migration have no dispatch time and no
# heartbeat, so the first sweep hands out the pending ones (stranded while the broker was down) and
# re-queues the running ones (their worker died): both resume at their queued rows.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprise', '0002_move_bulk_enrollment_jobs'),
        ('enterprise_jobs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='bulkenrollmentjob',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='bulkenrollmentjob',
            name='dispatched',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='bulkenrollmentjob',
            name='heartbeat',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='bulkenrollmentjob',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'running'])), fields=['status', 'heartbeat'], name='enterprise_jobs_unfinished'),
        ),
    ]
