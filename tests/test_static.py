import pytest


@pytest.mark.parametrize("path", ["/static/sotclinic/app.css", "/static/django_htmx/htmx-2.min.js"])
def test_stylesheet_and_htmx_are_served_without_collectstatic(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
