"""Behind nginx every connection comes from 127.0.0.1: with PRACHUM_CLIENT_IP_HEADER the rate limits and the
lockouts count the address the proxy passes on (core/client_ip.py)."""

from django.test import RequestFactory

from prachum.core.client_ip import client_ip


def test_without_the_setting_the_connection_is_the_client(settings):
    settings.PRACHUM_CLIENT_IP_META_KEY = None
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "127.0.0.1"


def test_behind_the_proxy_the_header_names_the_client(settings):
    settings.PRACHUM_CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="2001:db8::1")) == "2001:db8::1"


def test_a_request_without_a_usable_header_counts_by_its_connection(settings):
    settings.PRACHUM_CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    for value in ("", "not an address", "203.0.113.9, 10.0.0.1", "\x00"):
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP=value)
        assert client_ip(request) == "10.0.0.5"


def test_the_rate_limits_and_the_lockouts_count_per_client_behind_the_proxy(settings):
    from axes.helpers import get_client_ip_address
    from django.core.cache import cache
    from django_ratelimit.core import is_ratelimited

    settings.PRACHUM_CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    cache.clear()

    def from_(address):
        return RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=address)

    def limited(request):
        return is_ratelimited(from_(request), group="client-ip-test", key="ip", rate="1/m", increment=True)

    assert not limited("203.0.113.9")
    assert limited("203.0.113.9")
    assert not limited("198.51.100.7")  # another client behind the same proxy
    assert get_client_ip_address(from_("198.51.100.7")) == "198.51.100.7"
