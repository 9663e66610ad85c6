"""The client's address, as the sign-in throttle (django-axes'
`AXES_CLIENT_IP_CALLABLE`) and the hypercare limits count it.

Behind a load balancer every connection comes from the balancer, so
`REMOTE_ADDR` would lump everyone together in the per-address limits. Each
proxy appends the address it received the request from to
`X-Forwarded-For`, so with `TRUSTED_PROXY_COUNT` proxies in front of the web
processes, the entry that many places from the right is the address the
outermost of them saw: the client's. Everything to its left was written by
the client and is ignored, so a forged header cannot choose the address
counted. With no proxies (the default) the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    if len(hops) < count:  # it did not come through every proxy: trust nothing in the header
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
