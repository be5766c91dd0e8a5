"""Health probes a load balancer can use as they are: /healthz and /readyz asked from one of the
HEALTH_PROBE_NETWORKS (default loopback: nginx or a monitor on the machine) are answered over
plain http and whatever their Host header says.

`HealthProbeMiddleware` comes first in MIDDLEWARE and answers such a probe itself, so it never
reaches SecurityMiddleware's redirect to https (a probe over http would get a 301) nor
CommonMiddleware's ALLOWED_HOSTS check (a probe asking by the machine's address would get a 400).
From anywhere else the two addresses pass the whole middleware like every page.
"""

from django.conf import settings
from django.urls import resolve

from core.proxies import in_networks

PROBE_PATHS = ("/healthz", "/readyz")


class HealthProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path_info in PROBE_PATHS
            and request.method in ("GET", "HEAD")
            and in_networks(request.META.get("REMOTE_ADDR", ""), settings.HEALTH_PROBE_NETWORKS)
        ):
            return resolve(request.path_info).func(request)
        return self.get_response(request)
