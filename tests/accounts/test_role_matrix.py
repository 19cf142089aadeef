"""Who may open what: every /dashboard/ page and every manager API operation, for every role.

The routes are read from the URL resolver and from the NinjaAPI at collection time,
so pages and operations that other apps add later are covered without editing
this file.
"""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from electropluz.api import api
from electropluz.auth import manager_auth

from .factories import UserFactory

pytestmark = pytest.mark.django_db(
    databases=["default", "warehouse"]
)  # ETL and reporting pages read the warehouse

SAMPLE_VALUES = {"int": "999999", "str": "x", "slug": "x", "path": "x", "uuid": "0" * 32}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
API_PARAM = re.compile(r"{(?:(?P<converter>[^}:]+):)?(?P<name>[^}]+)}")
API_PREFIX = "/api/v1/"


def _sample(match: re.Match) -> str:
    return SAMPLE_VALUES.get(match.group("converter") or "str", "x")


def _dashboard_routes() -> list[tuple[str, bool]]:
    """Every URL pattern under /dashboard/: (concrete path with sample parameters, has parameters)."""
    found: list[tuple[str, bool]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                regex = prefix + str(pattern.pattern)
                if regex.lstrip("^").startswith("dashboard"):
                    pytest.fail(f"teach the role matrix to fill regex route {regex!r}")
                if isinstance(pattern, URLResolver):
                    walk(pattern.url_patterns, prefix)
                continue
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("dashboard/"):
                found.append(("/" + PARAM.sub(_sample, route), bool(PARAM.search(route))))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _manager_api_operations() -> list[tuple[str, str]]:
    """(method, path) of every API operation whose auth is ``manager_auth``."""
    found = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                callbacks = list(operation.auth_callbacks)
                if len(callbacks) != len(manager_auth) or any(
                    a is not b for a, b in zip(callbacks, manager_auth, strict=True)
                ):
                    continue
                parts = [bound.prefix.strip("/"), path.strip("/")]
                url = API_PREFIX + "/".join(p for p in parts if p)
                for method in operation.methods:
                    found.append((method, API_PARAM.sub(_sample, url)))
    return sorted(found)


DASHBOARD_ROUTES = _dashboard_routes()
MANAGER_OPERATIONS = _manager_api_operations()


def test_the_walk_finds_the_dashboard_index():
    assert ("/dashboard/", False) in DASHBOARD_ROUTES
    assert reverse("dashboard:home") == "/dashboard/"


def _client_for(role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(UserFactory(role=role))
    return client


def _method_for(path: str) -> str:
    """GET, unless the page only takes POST (then every role is tried with POST)."""
    response = _client_for("administrator").get(path)
    return "post" if response.status_code == 405 else "get"


@pytest.mark.parametrize(("path", "has_parameters"), DASHBOARD_ROUTES)
def test_dashboard_page_by_role(path, has_parameters):
    method = _method_for(path)

    response = getattr(_client_for(None), method)(path)
    assert response.status_code == 302, f"anonymous {path}"
    login = reverse(settings.LOGIN_URL)
    assert response["Location"].startswith(f"{login}?next="), response["Location"]

    response = getattr(_client_for("customer"), method)(path)
    assert response.status_code == 403, f"customer {path}"

    for role in ("manager", "administrator"):
        response = getattr(_client_for(role), method)(path)
        if has_parameters:  # the sample object does not exist: 404 is fine, refusal is not
            assert response.status_code not in (401, 403), f"{role} {path}"
            assert not response.get("Location", "").startswith(login)
        elif method == "get":
            assert response.status_code == 200, f"{role} {path}"
        else:
            assert response.status_code in (200, 302), f"{role} {path}"
            assert not response.get("Location", "").startswith(login)


def test_dashboard_index_links_only_what_the_role_may_open():
    manager_html = _client_for("manager").get("/dashboard/").content.decode()
    admin_html = _client_for("administrator").get("/dashboard/").content.decode()
    users_admin = reverse("admin:accounts_user_changelist")
    assert users_admin not in manager_html
    assert users_admin in admin_html


def _call(client: Client, method: str, path: str, **headers):
    if method in ("GET", "HEAD", "OPTIONS"):
        return getattr(client, method.lower())(path, **headers)
    return getattr(client, method.lower())(
        path, data=json.dumps({}), content_type="application/json", **headers
    )


@pytest.mark.parametrize(("method", "path"), MANAGER_OPERATIONS)
def test_manager_api_operation_by_role(method, path):
    from apps.accounts import services

    response = _call(Client(), method, path)
    assert response.status_code == 401, f"anonymous {method} {path}"

    response = _call(_client_for("customer"), method, path)
    assert response.status_code == 403, f"customer {method} {path}"

    customer = UserFactory()
    token = services.api_token_create(user_id=customer.pk, name="t", scope="write").token
    response = _call(Client(), method, path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403, f"customer token {method} {path}"

    response = _call(_client_for("manager"), method, path)
    assert response.status_code not in (401, 403), f"manager {method} {path}"

    manager = UserFactory(role="manager")
    token = services.api_token_create(user_id=manager.pk, name="t", scope="write").token
    response = _call(Client(), method, path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code not in (401, 403), f"manager token {method} {path}"


def test_manager_auth_mechanism_refuses_a_read_token_for_writes(rf):
    """Checked on the auth objects themselves, so it holds even before any manager route exists."""
    from django.core.exceptions import PermissionDenied

    from apps.accounts import services

    manager = UserFactory(role="manager")
    read = services.api_token_create(user_id=manager.pk, name="r", scope="read").token
    token_auth = manager_auth[0]
    get = rf.get("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {read}")
    assert token_auth(get) == manager
    post = rf.post("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {read}")
    with pytest.raises(PermissionDenied):
        token_auth(post)
    customer = UserFactory()
    write = services.api_token_create(user_id=customer.pk, name="w", scope="write").token
    with pytest.raises(PermissionDenied):
        token_auth(rf.get("/api/v1/x", HTTP_AUTHORIZATION=f"Bearer {write}"))
