"""The whole admin in a real browser, as the demo staff user: every list the index links to and
the page of its first row load with no console error; screenshots of the customers list, a plan's
page with its license counts and a bulk job's page with its rows."""

from __future__ import annotations

import re

import requests

from tests.browser.conftest import console_errors

PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CUSTOMER_A = PLAN_A
CHANGELIST = re.compile(r"/admin/[a-z0-9_]+/[a-z0-9_]+/$")


def _changelists(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    hrefs = {a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#content-main a")}
    return sorted(href for href in hrefs if href and CHANGELIST.search(href))


def test_every_list_and_a_row_of_each_load_without_console_errors(staff_browser, console):
    from selenium.webdriver.common.by import By

    lists = _changelists(staff_browser)
    assert len(lists) >= 30, lists
    problems: dict[str, object] = {}
    rows = 0
    for url in lists:
        staff_browser.get(url)
        if not staff_browser.find_elements(By.ID, "changelist"):
            problems[url] = staff_browser.title
        first = staff_browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr:first-child th a")
        if first:
            staff_browser.get(first[0].get_attribute("href"))
            if not staff_browser.find_elements(By.CSS_SELECTOR, "#content-main form, #content-main fieldset"):
                problems[staff_browser.current_url] = staff_browser.title
            rows += 1
        errors = console_errors(staff_browser)
        if errors:
            problems[url] = errors
    assert problems == {}
    assert rows >= 15  # the demo data has rows in most lists


def test_screenshots_of_customers_a_plan_and_a_job(staff_browser, console, screenshot):
    from selenium.webdriver.common.by import By

    token = console.token("enterprise_admin").json()["access_token"]
    created = requests.post(
        f"{console.url}/enterprise/v1/bulk-license-enrollment",
        params={"enterprise_customer_uuid": CUSTOMER_A},
        json={"emails": ["honor@example.com", "verified@example.com", "nobody@example.com"],
              "course_run_keys": ["course-v1:edx+tr1012+1T2021"], "notify": False},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=60,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    job = created.json()["job_id"]

    staff_browser.get(f"{console.url}/admin/enterprise/enterprisecustomer/")
    names = [cell.text for cell in staff_browser.find_elements(By.CSS_SELECTOR, "#result_list td.field-learner_count")]
    assert names and all(text.isdigit() for text in names)
    screenshot(staff_browser, "customers")

    staff_browser.get(f"{console.url}/admin/subscriptions/subscriptionplan/{PLAN_A}/change/")
    counts = staff_browser.find_element(By.ID, "cg-license-counts")
    staff_browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", counts)
    assert counts.find_element(By.CSS_SELECTOR, ".cg-count-total").text == "100"
    screenshot(staff_browser, "plan-with-license-counts")

    staff_browser.get(f"{console.url}/admin/enterprise_jobs/bulkenrollmentjob/{job}/change/")
    assert "all 3 rows" in staff_browser.find_element(By.ID, "cg-job-rows").text
    screenshot(staff_browser, "job")
    staff_browser.find_element(By.ID, "cg-job-rows").click()
    assert len(staff_browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 3
    screenshot(staff_browser, "job-rows")
    assert console_errors(staff_browser) == []


def test_the_landing_page_in_a_browser(browser, console, screenshot):
    from selenium.webdriver.common.by import By

    browser.get(f"{console.url}/")
    assert browser.find_element(By.ID, "cg-name").text.startswith("Coursegate")
    admin_link = browser.find_element(By.CSS_SELECTOR, "#cg-console a")
    screenshot(browser, "landing")
    assert console_errors(browser) == []
    admin_link.click()
    assert "/admin/login/" in browser.current_url
