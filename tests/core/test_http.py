"""The client's address: believed from X-Forwarded-For only when a trusted proxy sent it."""

import pytest
from django.test import RequestFactory

from apps.core.http import client_ip


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_trusted_proxy_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        # A client that forges the header gets its own address appended by nginx.
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # Two trusted hops (a load balancer in 10.0.0.0/8, then nginx).
        ("127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        # The header from someone who is not a trusted proxy is ignored.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
    ],
)
def test_behind_trusted_proxies_the_last_untrusted_hop_is_the_client(
    settings, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_request(remote, forwarded)) == expected


def test_axes_locks_out_by_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert get_client_ip_address(_request("127.0.0.1", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
