"""One new learner through the API alone (issue 12): the account is created (Appsembler's
accounts/create), the customer's admin assigns it a license, the learner signs in (password grant),
lists its licenses (the activation key is there) and activates one, and the admin's license list
shows it activated. The admin's bulk license enrollment job, started while the license was only
assigned, has the learner's row ``pending`` until the activation makes it ``success``; the
Enrollment API and the learner summary then show the enrollment. A second learner is allocated a
course by the admin (policy-allocation), sees its credit, redeems a run of the course with its own
token, and the Enrollment API shows the enrollment. Only the tenant (customer, catalog, plan,
policy, course runs) and the OAuth clients are set up directly."""

from __future__ import annotations

from rest_framework.test import APIClient

from coursegate.subscriptions.services import plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A
from tests.api.enterprise.jobs_support import FIH
from tests.api.enterprise.license_support import PLAN_A, _dt
from tests.assignments.conftest import POLICY_A, policy_create


def _json_client(token: str | None = None, scheme: str = "JWT") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT="application/json", **({"HTTP_AUTHORIZATION": f"{scheme} {token}"} if token else {}))
    return client


def test_a_new_learner_activates_the_license_an_admin_assigned_to_it(
    enterprise_world, staff, client_for, oauth_app, make_run, django_capture_on_commit_callbacks
):
    w = enterprise_world
    make_run(FIH, modes=("audit", "verified"))
    plan_upsert(uuid=PLAN_A, customer=w.customer_a, catalog=w.catalog_a, title="Customer A subscription",
                num_licenses=3, start_date=_dt("2024-01-01"), expiration_date=_dt("2030-12-31"))  # fmt: skip
    portal_id, portal_secret = oauth_app(staff)  # the learner portal's client (password grant)
    admin = _json_client(w.token("admin_a"))

    # 1. The account (the learner registers through the platform).
    account = {"username": "newbie", "email": "Newbie@Example.com", "password": "edx-pass-1", "name": "New Bie"}
    created = client_for(staff).post("/appsembler_api/v0/accounts/create", account, format="json")
    assert created.status_code == 200, created.content

    # 2. The admin assigns a license to the learner's address.
    assigned = admin.post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/assign",
        {"user_emails": ["newbie@example.com"], "notify_users": False},
        format="json",
    )
    assert assigned.json()["num_successful_assignments"] == 1

    # 2b. The admin enrolls the learner in a course with the license, before it is activated.
    with django_capture_on_commit_callbacks(execute=True):
        started = admin.post(
            f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}",
            {"emails": ["newbie@example.com"], "course_run_keys": [FIH], "notify": False},
            format="json",
        )
    assert started.status_code == 201, started.content
    job_url = (
        f"/enterprise/v1/bulk-license-enrollment?enterprise_customer_uuid={CUSTOMER_A}"
        f"&bulk_enrollment_job_uuid={started.json()['job_id']}"
    )
    [waiting] = admin.get(job_url).json()["results"]
    assert (waiting["status"], waiting["notes"]) == ("pending", "pending license activation")

    # 3. The learner signs in; its JWT carries the learner role the link gave it.
    signed_in = APIClient().post(
        "/oauth2/access_token",
        {"grant_type": "password", "client_id": portal_id, "client_secret": portal_secret, "username": "newbie",
         "password": "edx-pass-1", "token_type": "jwt"},
    )  # fmt: skip
    assert signed_in.status_code == 200, signed_in.content
    learner = _json_client(signed_in.json()["access_token"])

    # 4. It lists its licenses: the assigned one, with its activation key.
    listed = learner.get("/enterprise/v1/learner-licenses/", {"enterprise_customer_uuid": CUSTOMER_A})
    assert listed.status_code == 200, listed.content
    [mine] = listed.json()["results"]
    assert (mine["status"], mine["user_email"], mine["subscription_plan_uuid"]) == (
        "assigned",
        "newbie@example.com",
        PLAN_A,
    )

    # 5. It activates it.
    activated = learner.post(f"/enterprise/v1/license-activation/?activation_key={mine['activation_key']}")
    assert activated.status_code == 200, activated.content
    assert (activated.json()["uuid"], activated.json()["status"]) == (mine["uuid"], "activated")

    # 5b. The job's row for the learner is done now, and the enrollment is there for every family.
    [done] = admin.get(job_url).json()["results"]
    assert (done["email"], done["course_run_key"], done["status"]) == ("newbie@example.com", FIH, "success")
    enrollments = _json_client(signed_in.json()["access_token"]).get("/api/enrollment/v1/enrollment")
    assert [(e["course_details"]["course_id"], e["mode"], e["is_active"]) for e in enrollments.json()] == [
        (FIH, "verified", True)
    ]
    summary = admin.get(f"/enterprise/v3/enterprise-customer/{CUSTOMER_A}/learner-summary").json()["results"]
    # (the account's own e-mail as registered, and the course key, as the seed's summary has them)
    assert [(row["user_email"], row["course_key"]) for row in summary] == [("Newbie@Example.com", "HarvardX+FIH")]

    # 6. The admin's list of the plan's licenses shows it activated.
    admin_view = admin.get(f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/", {"user_email": "newbie@example.com"})
    [row] = admin_view.json()["results"]
    assert (row["uuid"], row["status"], row["activation_date"]) == (
        mine["uuid"],
        "activated",
        activated.json()["activation_date"],
    )
    overview = admin.get(f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/overview/").json()
    assert overview == [{"status": "unassigned", "count": 2}, {"status": "activated", "count": 1}]


API101 = "course-v1:edx+api101+1T2025"


def test_a_second_learner_redeems_an_allocated_assignment_and_the_enrollment_api_shows_it(
    enterprise_world, staff, client_for, oauth_app, make_run
):
    w = enterprise_world
    make_run(API101, modes=("audit", "verified"), title="APIs 101")
    policy_create(customer=w.customer_a, catalog=w.catalog_a)
    portal_id, portal_secret = oauth_app(staff)
    admin = _json_client(w.token("admin_a"))

    # 1. The account.
    account = {"username": "second", "email": "second@example.com", "password": "edx-pass-2", "name": "Sec Ond"}
    created = client_for(staff).post("/appsembler_api/v0/accounts/create", account, format="json")
    assert created.status_code == 200, created.content
    lms_user_id = created.json()["user_id"]

    # 2. The admin allocates the course to the learner's address (which links it to the customer).
    allocated = admin.post(
        f"/enterprise/v1/policy-allocation/{POLICY_A}/allocate/",
        {"learner_emails": ["second@example.com"], "content_key": "edx+api101", "content_price_cents": 1000},
        format="json",
    )
    assert allocated.status_code == 202, allocated.content
    [assignment] = allocated.json()["created"]

    # 3. The learner signs in and sees its credit.
    signed_in = APIClient().post(
        "/oauth2/access_token",
        {"grant_type": "password", "client_id": portal_id, "client_secret": portal_secret, "username": "second",
         "password": "edx-pass-2", "token_type": "jwt"},
    )  # fmt: skip
    assert signed_in.status_code == 200, signed_in.content
    learner = _json_client(signed_in.json()["access_token"])
    credits = learner.get(
        "/enterprise/v1/policy-redemption/credits_available/",
        {"enterprise_customer_uuid": CUSTOMER_A, "lms_user_id": lms_user_id},
    )
    assert credits.status_code == 200, credits.content
    [policy] = credits.json()
    assert [a["uuid"] for a in policy["learner_content_assignments"]] == [assignment["uuid"]]
    [answer] = learner.get(
        f"/enterprise/v1/policy-redemption/enterprise-customer/{CUSTOMER_A}/can-redeem/", {"content_key": API101}
    ).json()
    assert answer["can_redeem"] is True

    # 4. It redeems a run of the course with its own token.
    redeemed = learner.post(
        policy["policy_redemption_url"].replace("http://testserver", ""),
        {"lms_user_id": lms_user_id, "content_key": API101},
        format="json",
    )
    assert redeemed.status_code == 200, redeemed.content
    assert (redeemed.json()["state"], redeemed.json()["quantity"]) == ("committed", -1000)

    # 5. The Enrollment API shows the enrollment; the admin's list shows the assignment accepted.
    enrollment = learner.get(f"/api/enrollment/v1/enrollment/second,{API101}")
    assert enrollment.status_code == 200, enrollment.content
    assert (enrollment.json()["mode"], enrollment.json()["is_active"]) == ("verified", True)
    listed = admin.get(
        "/enterprise/v1/assignment-configurations/6fc7ef56-d1c4-4aa8-a649-e6eb209f0000/admin/assignments/"
    ).json()["results"]
    assert [(a["uuid"], a["state"], a["transaction_uuid"]) for a in listed] == [
        (assignment["uuid"], "accepted", redeemed.json()["uuid"])
    ]
