"""Content metadata of the demo catalog (seed 003's example keys). Data only: the demo command
loads it through catalogs.services."""

from __future__ import annotations

PROGRAM_UUID = "a3d6f3fb-4a8b-4b8a-9cde-5f1d6a0e7c11"

# (content_type, content_key, title, columns)
DEMO_CONTENT = [
    ("course", "edx+tr1012", "Training 1012", {}),
    ("course", "HarvardX+FIH", "Food in History", {}),
    ("course", "MyUni+Sport101x", "Sport 101", {}),
    ("course", "edx+api101", "APIs 101", {"price_cents": 1000}),
    ("course", "edx+101", "edX 101", {"price_cents": 1000}),
    ("courserun", "course-v1:edx+tr1012+1T2021", "Training 1012", {"parent_key": "edx+tr1012"}),
    ("courserun", "course-v1:HarvardX+FIH+3T2023", "Food in History", {"parent_key": "HarvardX+FIH"}),
    ("courserun", "course-v1:MyUni+Sport101x", "Sport 101", {"parent_key": "MyUni+Sport101x"}),
    ("program", PROGRAM_UUID, "Professional Certificate in Food and Sport", {}),
]
