"""Bulk enrollment jobs in the admin: progress by row outcome, the rows behind a link (paginated,
filterable: a job may have 100,000 rows), and "Re-run" for failed jobs (admin_actions.py). Jobs
and their rows are what the API answered and did: read-only, never deleted."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from coursegate.core.admin_mixins import RecordsOnly
from coursegate.enterprise_jobs.admin_actions import bulk_enrollment_jobs_retry
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow

Result = BulkEnrollmentJobRow.Result
RESULTS = (Result.QUEUED, Result.SUCCESS, Result.PENDING, Result.FAILED)


def _rows_url(job, result: str = "") -> str:
    query = f"?job={job.pk}" + (f"&result={result}" if result else "")
    return reverse("admin:enterprise_jobs_bulkenrollmentjobrow_changelist") + query


@admin.register(BulkEnrollmentJob)
class BulkEnrollmentJobAdmin(RecordsOnly, admin.ModelAdmin):
    list_display = ("uuid", "customer", "status", "progress", "requested_by", "notify", "attempts", "created",
                    "started", "finished")  # fmt: skip
    list_filter = ("status", "notify", "customer")
    list_select_related = ("customer", "requested_by")
    search_fields = ("=uuid", "customer__name", "requested_by__username")
    search_help_text = "Job uuid (exact), customer name or requester's username"
    date_hierarchy = "created"
    ordering = ("-created",)
    fields = ("uuid", "customer", "requested_by", "subscription_uuid", "notify", "status", "rows", "error",
              "attempts", "created", "started", "finished", "dispatched", "heartbeat")  # fmt: skip
    readonly_fields = fields
    actions = ("rerun",)

    def get_queryset(self, request):
        counts = {f"n_{result}": Count("rows", filter=Q(rows__result=result)) for result in RESULTS}
        return super().get_queryset(request).annotate(n_rows=Count("rows"), **counts)

    @admin.display(description="progress")
    def progress(self, job) -> str:
        done = job.n_rows - job.n_queued
        return (
            f"{done}/{job.n_rows} processed: {job.n_success} enrolled, {job.n_pending} pending, {job.n_failed} failed"
        )

    @admin.display(description="rows")
    def rows(self, job) -> str:
        links = [
            format_html(
                '<a href="{}" class="cg-rows-{}">{} {}</a>',
                _rows_url(job, result),
                result,
                getattr(job, f"n_{result}"),
                result,
            )  # fmt: skip
            for result in RESULTS
        ]
        return format_html(
            '<a href="{}" id="cg-job-rows">all {} rows</a> ({})', _rows_url(job), job.n_rows,
            format_html(", ".join(["{}"] * len(links)), *links),
        )  # fmt: skip

    @admin.action(
        description="Re-run selected failed jobs (their failed rows are tried again)", permissions=["operate"]
    )
    def rerun(self, request, queryset):
        retried = bulk_enrollment_jobs_retry(job_uuids=queryset.values_list("pk", flat=True))
        rows = sum(retried.values())
        skipped = queryset.count() - len(retried)
        self.message_user(
            request,
            f"Re-queued {len(retried)} failed jobs ({rows} rows to process); {skipped} selected were not failed.",
            messages.SUCCESS,
        )


@admin.register(BulkEnrollmentJobRow)
class BulkEnrollmentJobRowAdmin(admin.ModelAdmin):
    list_display = ("id", "job_id", "email", "course_run_key", "result", "notes")
    list_filter = ("result",)
    search_fields = ("email", "course_run_key", "=job__uuid")
    search_help_text = "E-mail, course run key or job uuid (exact)"
    ordering = ("job", "id")
    show_full_result_count = False
    list_per_page = 200

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
