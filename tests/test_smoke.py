def test_root_names_the_service_and_links_the_docs(api_client, db):
    response = api_client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "coursegate"
    assert body["docs"]["swagger_ui"].endswith("/api/docs/")


def test_health_reports_the_database(api_client, db):
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_migrations_are_in_step_with_models(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_openapi_document_describes_every_family_and_the_token_endpoint(api_client, db):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/oauth2/access_token",
        "/api/enrollment/v1/enrollment",
        "/api/enrollment/v1/course/{course_id}",
        "/appsembler_api/v0/bulk-enrollment/bulk-enroll",
        "/api/jitterbit/v1/enrollment/batch",
    ):
        assert any(p.rstrip("/") == path for p in paths), path
    assert response.json()["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_swagger_ui_is_served_without_a_cdn(api_client, db):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
        served = api_client.get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}")
        assert served.status_code == 200, asset
