import pytest
from django.conf import settings


@pytest.mark.django_db
def test_korean_is_served_even_to_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()


@pytest.mark.django_db
def test_the_language_cookie_switches_to_english_on_the_same_path(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/")

    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_api_clients_choose_english_with_accept_language(client):
    response = client.get("/api/v1/channels/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "en"
    assert response.json()[0]["name"] == "Direct investment"
