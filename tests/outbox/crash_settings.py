"""Settings of the server that test_outbox_crash.py starts: the project's own, with a short outbox
lease so the e-mails of a killed worker are due again within the test's time (production keeps
COURSEGATE_OUTBOX_LEASE_SECONDS' default), and an SMTP timeout longer than the test's wait, so the
worker is surely still hanging on the mail server when it is killed."""

from coursegate.settings import *  # noqa: F403

COURSEGATE_OUTBOX_LEASE_SECONDS = 8
EMAIL_TIMEOUT = 30
