"""The console in a browser: the demo staff user logs in, sees Coursegate's name and the link to
the dashboard, and the index loads without console errors."""

from __future__ import annotations

from tests.browser.conftest import console_errors


def test_staff_logs_in_and_sees_the_branded_index(staff_browser, console, screenshot):
    from selenium.webdriver.common.by import By

    assert "Coursegate" in staff_browser.find_element(By.ID, "site-name").text
    link = staff_browser.find_element(By.CSS_SELECTOR, "#cg-dashboard-module a")
    assert link.get_attribute("href").endswith("/admin/dashboard/")
    screenshot(staff_browser, "admin-index")
    assert console_errors(staff_browser) == []


def test_the_admin_refuses_a_wrong_password(browser, console):
    from selenium.webdriver.common.by import By

    browser.get(f"{console.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys("staff")
    browser.find_element(By.NAME, "password").send_keys("wrong")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert "/admin/login/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, ".errornote")
