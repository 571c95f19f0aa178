def test_openapi_schema_is_served(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "sotclinic API"
    assert schema["openapi"].startswith("3.")
