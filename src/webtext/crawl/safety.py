"""Which addresses the crawler may connect to.

URLs come from strangers: a link to http://169.254.169.254/ or to a host that
resolves to 10.0.0.1 must never be fetched. The check runs after DNS
resolution and again on every redirect hop.
"""

import ipaddress
import socket
from urllib.parse import urlsplit


class BlockedAddress(Exception):
    """The URL resolves to an address the crawler must not reach."""


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if allow_loopback and ip.is_loopback:
        return True
    # is_global excludes private, loopback, link-local (incl. 169.254.169.254), CGNAT, reserved.
    return ip.is_global and not ip.is_multicast


def check_url_target(url: str, allow_loopback: bool = False) -> None:
    """Raise BlockedAddress unless every address the URL's host resolves to is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress(f"not an http(s) URL: {url[:200]}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise ConnectionError(f"DNS: {error}") from error
    for info in infos:
        if not _allowed(info[4][0], allow_loopback):
            raise BlockedAddress(f"{parts.hostname} resolves to {info[4][0]}")
