"""The operator console: the Django admin under Coursegate's name, its landing pages and the
dashboard (issue 13). Domain apps register their models in their own ``admin.py``; this app
provides the site they register on (``CoursegateAdminSite``) and the pages that span apps."""
