"""The dashboard (/admin/dashboard/). Placeholder until the dashboard lands (issue 13)."""

from __future__ import annotations

from django.http import HttpResponse


def dashboard(request):
    return HttpResponse("The dashboard is being built.", content_type="text/plain")
