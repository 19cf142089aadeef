"""Sign a browser in without typing: a session made by the test client, handed over as a cookie."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client


def sign_in(browser, live_server, *, user_id: int) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    browser.get(live_server.url + "/healthz")  # a page of the site, so the cookie can be set
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )
