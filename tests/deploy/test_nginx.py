"""The project's nginx site, for real: `nginx -t`, then nginx on loopback in front of
gunicorn (deploy/gunicorn.conf.py, two workers) serving a page, a static file with its
cache headers, a sign-in POST with its CSRF token, and the client's own address."""

import gzip
import json
import re
import socket
import sqlite3
import ssl
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.deploy.stack import (
    HOST,
    NGINX,
    Browser,
    Gunicorn,
    Nginx,
    app_env,
    free_port,
    manage,
    nginx_test,
    render_site,
    wait_for,
)

pytestmark = [
    pytest.mark.processes,
    pytest.mark.skipif(
        not Path(NGINX).exists(),
        reason="nginx is not installed (apt-get install nginx; CI installs it)",
    ),
]

PASSWORD = "una-clave-larga-de-prueba"


def test_the_site_passes_nginx_t(tmp_path):
    conf = render_site(
        tmp_path / "nginx", upstream=free_port(), http_port=free_port(),
        https_port=free_port(), var_dir=tmp_path,
    )  # fmt: skip
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = app_env(var_dir)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(
        env, "shell", "-c",
        "from apps.accounts.models import User; "
        f"User.objects.create_user(email='ana@example.com', password='{PASSWORD}')",
    )  # fmt: skip
    gunicorn = Gunicorn(env, workers=2).start(log=var_dir / "access.log")
    http_port, https_port = free_port(), free_port()
    conf = render_site(
        var_dir / "nginx", upstream=gunicorn.port, http_port=http_port,
        https_port=https_port, var_dir=var_dir,
    )  # fmt: skip
    try:
        nginx = Nginx(conf, http_port, https_port).start()
    except BaseException:
        gunicorn.stop()
        raise
    yield {"var": var_dir, "gunicorn": gunicorn, "nginx": nginx}
    nginx.stop()
    gunicorn.stop()


def _db(site) -> sqlite3.Connection:
    return sqlite3.connect(site["var"] / "electropluz.sqlite3", timeout=20)


def test_two_gunicorn_workers_serve_behind_nginx(site):
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    master = site["gunicorn"].process.pid
    children = [p for p in workers if _parent(p) == master]
    assert len(children) == 2


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_plain_http_redirects_to_https_but_health_probes_answer(site):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", site["nginx"].http_port, timeout=10)
    conn.request("GET", "/productos/?q=tv", headers={"Host": HOST})
    response = conn.getresponse()
    response.read()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/productos/?q=tv"
    conn.request("GET", "/healthz", headers={"Host": HOST})
    assert conn.getresponse().status == 200
    conn.close()


def test_a_page_through_the_proxy(site):
    response, body = Browser(site["nginx"].https_port).request("GET", "/")
    assert response.status == 200
    assert b"ElectroPluz" in body
    # Django's security headers arrive once (nginx does not add a second copy).
    assert response.headers.get_all("X-Frame-Options") == ["DENY"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert response.headers["Server"] == "nginx"  # no version given away


def test_a_static_file_is_served_by_nginx_with_far_future_caching(site):
    manifest = json.loads((site["var"] / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/shop.css"]
    assert hashed != "css/shop.css"
    browser = Browser(site["nginx"].https_port)
    response, body = browser.request(
        "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status == 200
    assert response.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert response.headers["Content-Type"].startswith("text/css")
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (site["var"] / "static" / hashed).read_bytes()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" in response.headers
    # nginx served it from disk: gunicorn's access log never saw the request.
    assert hashed not in (site["var"] / "access.log").read_text()
    missing, _ = browser.request("GET", "/static/css/no-such-file.css")
    assert missing.status == 404


def _csrf(browser: Browser, path: str) -> str:
    response, body = browser.request("GET", path)
    assert response.status == 200
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()


def test_a_post_with_csrf_through_the_proxy_and_the_clients_address(site):
    browser = Browser(site["nginx"].https_port, source="127.0.0.2")
    token = _csrf(browser, "/cuenta/entrar/")
    form = {"username": "ana@example.com", "password": PASSWORD}
    headers = {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/cuenta/entrar/"}

    refused, _ = browser.request("POST", "/cuenta/entrar/", body=urlencode(form), headers=headers)
    assert refused.status == 403  # no token: CSRF protection works behind the proxy

    # A forged X-Forwarded-For is kept by nginx, which appends the real peer after it.
    headers["X-Forwarded-For"] = "6.6.6.6"
    signed_in, _ = browser.request(
        "POST", "/cuenta/entrar/",
        body=urlencode({**form, "csrfmiddlewaretoken": token}), headers=headers,
    )  # fmt: skip
    assert signed_in.status == 302, "the sign-in was refused"
    with _db(site) as db:
        ips = db.execute("SELECT ip FROM accounts_activitylog WHERE kind = 'sign_in'").fetchall()
    assert ips == [("127.0.0.2",)]


def test_axes_counts_failures_against_the_clients_address(site):
    browser = Browser(site["nginx"].https_port, source="127.0.0.3")
    token = _csrf(browser, "/cuenta/entrar/")
    response, _ = browser.request(
        "POST", "/cuenta/entrar/",
        body=urlencode({"username": "ana@example.com", "password": "wrong",
                        "csrfmiddlewaretoken": token}),
        headers={"Referer": f"https://{HOST}/cuenta/entrar/", "X-Forwarded-For": "6.6.6.6"},
    )  # fmt: skip
    assert response.status == 200  # the form again, with its error
    with _db(site) as db:
        attempts = db.execute("SELECT ip_address FROM axes_accessattempt").fetchall()
    assert attempts == [("127.0.0.3",)]


def test_an_upload_over_the_body_limit_is_refused_by_nginx(site):
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", site["nginx"].https_port), timeout=10)
    with context.wrap_socket(raw) as sock:
        sock.sendall(
            b"POST /dashboard/catalogo/ HTTP/1.1\r\nHost: " + HOST.encode()
            + b"\r\nContent-Length: 30000000\r\nContent-Type: text/csv\r\n\r\n"
        )  # fmt: skip
        assert sock.recv(64).startswith(b"HTTP/1.1 413")


def test_gunicorn_writes_one_json_object_per_request(site):
    agent = 'a "quoted" agent, \\ and all'
    Browser(site["nginx"].https_port).request("GET", "/?page=1", headers={"User-Agent": agent})

    def logged():  # the worker writes its line just after the answer has gone
        lines = (site["var"] / "access.log").read_text().splitlines()
        records = [json.loads(line) for line in lines]
        return [r for r in records if r["path"] == "/" and r["user_agent"] == agent]

    home = wait_for(logged, timeout=5)
    assert home and home[-1]["status"] == 200 and home[-1]["query"] == "page=1"
    assert home[-1]["remote_addr"] == "127.0.0.1"
    assert home[-1]["forwarded_for"] == "127.0.0.2"
    assert home[-1]["duration_ms"] > 0 and home[-1]["request_id"]
