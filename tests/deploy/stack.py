"""A production-like stack on loopback for the deployment tests: gunicorn with the
project's deploy/gunicorn.conf.py, nginx with the project's site, SQLite files in a
temporary folder. Every server binds to 127.0.0.1 on a free port and is stopped by
the test that started it."""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HOST = "shop.example.com"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def app_env(var_dir: Path, **extra: str) -> dict:
    """Production settings (DEBUG off, HTTPS only) on SQLite files in ``var_dir``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "WAREHOUSE_URL", "CELERY_", "REDIS_"))
    }
    env.update(
        {
            "ELECTROPLUZ_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "electropluz.settings.base",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": "",
            "WAREHOUSE_URL": "",
        }
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 (this interpreter, our manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def get_json(port: int, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


@dataclass
class Gunicorn:
    env: dict
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def start(self, *, log: Path) -> "Gunicorn":
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_ACCESS_LOG": str(log),
        }
        self.process = subprocess.Popen(  # noqa: S603 (gunicorn from this venv, our config)
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(DEPLOY / "gunicorn.conf.py"),
                "electropluz.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(log.with_suffix(".err"), "w"),  # noqa: SIM115 (closed with the process)
        )
        if not wait_for(self._healthy, timeout=60):
            self.stop()
            raise AssertionError("gunicorn did not answer /healthz within 60 s")
        return self

    def _healthy(self) -> bool:
        try:
            return get_json(self.port, "/healthz")[0] == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 (openssl, fixed arguments)
        [shutil.which("openssl") or "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def render_site(
    folder: Path, *, upstream: int, http_port: int, https_port: int, var_dir: Path
) -> Path:
    """The project's nginx site with only what differs on this machine replaced: the
    listening ports, the gunicorn address, the file locations and the certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("electropluz_proxy.conf", "electropluz_headers.conf"):
        shutil.copy(DEPLOY / "nginx" / name, folder / name)
    cert, key = self_signed_certificate(folder)
    site = (DEPLOY / "nginx" / "electropluz.conf").read_text()
    site = site.replace("/etc/nginx/electropluz_", f"{folder}/electropluz_")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream}")
    site = site.replace("/srv/electropluz/var/", f"{var_dir}/")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", site)
    (folder / "electropluz.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the temp files
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log {folder}/access.log;\n"
        + "".join(
            f"  {name}_temp_path {folder}/{name}_temp;\n"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {folder}/electropluz.conf;\n}}\n"
    )
    return main


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (the system's nginx, our config)
        [NGINX, "-t", "-p", str(conf.parent), "-c", str(conf)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


@dataclass
class Nginx:
    conf: Path
    http_port: int
    https_port: int
    process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        self.process = subprocess.Popen(  # noqa: S603 (the system's nginx, our config)
            [NGINX, "-p", str(self.conf.parent), "-c", str(self.conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for(self._listening, timeout=20):
            self.stop()
            raise AssertionError((self.conf.parent / "error.log").read_text())
        return self

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Browser:
    """An HTTPS client with a cookie jar that connects from ``source`` (another
    loopback address than nginx's, so the app can tell the client from the proxy)."""

    def __init__(self, port: int, *, source: str = "127.0.0.2"):
        self.port, self.source, self.cookies = port, source, {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate

    def request(self, method: str, path: str, *, body: str | None = None, headers=None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, timeout=15, context=self.context,
            source_address=(self.source, 0),
        )  # fmt: skip
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content
