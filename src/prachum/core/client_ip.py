"""The client's address, for the rate limits (django-ratelimit's RATELIMIT_IP_META_KEY) and the login lockouts
(axes' AXES_CLIENT_IP_CALLABLE).

Behind nginx every request reaches gunicorn from 127.0.0.1; the proxy passes the client's address in a header
it sets itself (deploy/nginx/prachum.conf: `X-Real-IP $remote_addr`, which replaces whatever the client sent),
named by PRACHUM_CLIENT_IP_HEADER. Without the variable the connection's address is the client.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    key = getattr(settings, "PRACHUM_CLIENT_IP_META_KEY", None)
    if key:
        try:
            return str(ipaddress.ip_address(request.META.get(key, "").strip()))
        except ValueError:
            # Missing or not an address: a request that did not come through the proxy (a health check on the
            # node's own port). The app servers listen on loopback or a private network only, so such a client
            # is a machine of the installation, counted by its own address.
            pass
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
