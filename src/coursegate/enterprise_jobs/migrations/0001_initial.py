# Issue 9: the bulk license enrollment job models, moved from the enterprise app (its migration
# 0002 removes them from its state). State only: the tables were created by enterprise 0001 and
# keep their names (Meta.db_table), their index and their constraints. The content types follow
# the models, so permissions granted on them stay attached.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

MODELS = ('bulkenrollmentjob', 'bulkenrollmentjobrow')


def _relabel(apps, old, new):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, 'enterprise', 'enterprise_jobs')


def content_types_backward(apps, schema_editor):
    _relabel(apps, 'enterprise_jobs', 'enterprise')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('enterprise', '0002_move_bulk_enrollment_jobs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BulkEnrollmentJob',
                    fields=[
                        ('uuid', models.UUIDField(default=uuid.uuid4, primary_key=True, serialize=False)),
                        ('subscription_uuid', models.UUIDField(blank=True, null=True)),
                        ('notify', models.BooleanField(default=False)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='pending', max_length=16)),
                        ('error', models.TextField(blank=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('started', models.DateTimeField(blank=True, null=True)),
                        ('finished', models.DateTimeField(blank=True, null=True)),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bulk_enrollment_jobs', to='enterprise.enterprisecustomer')),
                    ],
                    options={
                        'db_table': 'enterprise_bulkenrollmentjob',
                    },
                ),
                migrations.CreateModel(
                    name='BulkEnrollmentJobRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.CharField(max_length=254)),
                        ('course_run_key', models.CharField(max_length=255)),
                        ('result', models.CharField(choices=[('queued', 'Queued'), ('success', 'Success'), ('pending', 'Pending'), ('failed', 'Failed')], default='queued', max_length=16)),
                        ('notes', models.CharField(blank=True, max_length=255)),
                        ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='enterprise_jobs.bulkenrollmentjob')),
                    ],
                    options={
                        'db_table': 'enterprise_bulkenrollmentjobrow',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['job', 'result'], name='enterprise__job_id_57310f_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward, elidable=True),
    ]
