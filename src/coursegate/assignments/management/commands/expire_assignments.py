"""`coursegate expire_assignments`: expire allocated assignments past their earliest expiration."""

from django.core.management.base import BaseCommand

from coursegate.assignments.services import assignments_expire


class Command(BaseCommand):
    help = "Expire allocated learner content assignments whose earliest possible expiration has passed."

    def handle(self, *args, **options):
        count = assignments_expire()
        self.stdout.write(f"{count} assignments expired")
