"""WSGI entry point (gunicorn serves `coursegate.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coursegate.settings")
application = get_wsgi_application()

from coursegate.core.input_guard import guard_wsgi  # noqa: E402 (needs the settings set up above)

application = guard_wsgi(application)
