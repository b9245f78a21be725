"""`coursegate demo [--json]`: load the demo data set (demo/loading.py).

OAuth client secrets are stored hashed, so each run issues fresh secrets for the demo clients;
``--json`` prints them (and nothing else) as one JSON object keyed by role, and they are also
written to ``var/demo-credentials.json`` (0600).
"""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand

from coursegate.demo.loading import load_demo_data


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and issue fresh secrets for the demo OAuth clients."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print only the credentials, as JSON")

    def handle(self, *args, **options):
        credentials = load_demo_data()
        path = settings.VAR_DIR / "demo-credentials.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle, indent=2)
        if options["json"]:
            self.stdout.write(json.dumps(credentials))
            return
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Users' password: edx"))
        for role, cred in credentials.items():
            self.stdout.write(f"  {role:24} client_id={cred['client_id']} client_secret={cred['client_secret']}")
        staff = credentials["staff"]
        self.stdout.write(
            f"Credentials saved to {path}.\nGet a token:\n"
            f"  curl -s -X POST http://{settings.SERVE_HOST}:{settings.SERVE_PORT}/oauth2/access_token "
            f"-d grant_type=client_credentials "
            f"-d client_id={staff['client_id']} -d client_secret={staff['client_secret']}"
        )
