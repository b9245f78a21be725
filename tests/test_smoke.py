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
