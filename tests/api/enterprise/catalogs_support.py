"""Paths, constants and helpers shared by the catalog contract tests (seed 003_daa74488a5860cfd.txt):
test_catalogs_list.py (the list, who sees what), test_catalogs_content.py (a catalog's content)
and test_catalogs_items.py (a course, a course run, a program of a catalog).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rest_framework import serializers

from coursegate.demo.content import DEMO_CONTENT, PROGRAM_UUID
from tests.api.enterprise.conftest import CATALOG_A, CUSTOMER_A

LIST = "/enterprise/v2/enterprise-catalogs"
DETAIL = f"{LIST}/{CATALOG_A}"
COURSE = f"{DETAIL}/courses/MyUni+Sport101x"
RUN = f"{DETAIL}/course-runs/course-v1:HarvardX+FIH+3T2023"
PROGRAM = f"{DETAIL}/programs/{PROGRAM_UUID}"
NOT_FOUND = {"detail": "Not found."}
BASE = "http://testserver"
# Catalog A's active content, in the order the demo adds it (the archived 1T2020 run is inactive).
ACTIVE_KEYS = [key for _, key, _, columns in DEMO_CONTENT if columns.get("is_active", True)]


def enroll_url(kind: str, key: str, catalog: str = CATALOG_A, customer: str = CUSTOMER_A, slug: str = "customer-a"):
    return (
        f"{BASE}/enterprise/{customer}/{kind}/{key}/enroll/?catalog={catalog}&utm_medium=enterprise&utm_source={slug}"
    )


def iso(value) -> str:
    return serializers.DateTimeField().to_representation(value)


def parse_xml(response) -> ET.Element:
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "root"
    return root
