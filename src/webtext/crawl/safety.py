"""Which addresses the crawler may connect to, checked where the connection is made.

URLs come from strangers: a link to http://169.254.169.254/ or to a host that
resolves to 10.0.0.1 must never be fetched. The check lives in `SafeHTTPAdapter`:
its connections resolve the host, refuse if any answer is a private, loopback,
link-local, CGNAT, multicast, reserved or metadata address, and then connect to
exactly the address that was checked, so a second DNS answer (rebinding) cannot
slip in. It runs for every connection, so every redirect hop is covered, and
DNS is asked once per connection. `check_url_target` asks the same question of
a URL without connecting.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from webtext.crawl.deadline import current_deadline
from webtext.urls import origin, origin_of


class BlockedAddress(Exception):
    """The URL resolves to an address the crawler must not reach."""


class DNSFailure(Exception):
    """The host name does not resolve."""


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and reaches: IPv4-mapped, 6to4, NAT64 (RFC 6052's
    prefix and RFC 8215's local one, last 32 bits) or the old IPv4-compatible form."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in network for network in _NAT64) or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and (carried := embedded_ipv4(ip)) is not None:
        # Judged by the IPv4 address it reaches: 2002:0a00:0001:: is 10.0.0.1 behind a 6to4 relay.
        return allowed_address(str(carried))
    # is_global excludes private, loopback, link-local (incl. 169.254.169.254), CGNAT, reserved.
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int, exempt: bool = False) -> list[tuple]:
    """getaddrinfo results for the host, or BlockedAddress if any answer is not public (unless the
    origin is `exempt`: one the user allowed by name)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise DNSFailure(f"{host}: {error}") from error
    for info in infos:
        if not exempt and not allowed_address(info[4][0]):
            raise BlockedAddress(f"{host} resolves to {info[4][0]}, which is not public (a server of your "
                                 f"own there: --allow_origin {'https' if port == 443 else 'http'}://{host}:{port})")
    return infos


def check_url_target(url: str) -> None:
    """Raise BlockedAddress unless the URL is http(s) and every address of its host is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress(f"not an http(s) URL: {url[:200]}")
    resolve_checked(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


def _pinned_connection(base, scheme: str):
    class Pinned(base):
        allowed_origins: frozenset = frozenset()

        def _new_conn(self):
            last_error = None
            deadline = current_deadline()  # the attempt's, over every address tried and every read after
            # Through a proxy this connection goes to the proxy (a CONNECT tunnel included), whose
            # origin is the proxy URL's scheme, not the page's.
            via = getattr(self, "proxy", None)
            exempt = origin(via.scheme if via else scheme, self._dns_host, self.port) in self.allowed_origins
            read_timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
            for family, kind, proto, _, address in resolve_checked(self._dns_host, self.port, exempt):
                timeout = read_timeout
                if deadline is not None:
                    if deadline.remaining() <= 0:
                        raise TimeoutError(f"the attempt's deadline passed before {address[0]} answered")
                    timeout = min(timeout or deadline.remaining(), deadline.remaining())
                sock = socket.socket(family, kind, proto)
                try:
                    sock.settimeout(timeout)
                    sock.connect(address)  # the address that was checked, not a fresh lookup
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    sock.settimeout(read_timeout)
                    if deadline is not None:
                        deadline.watch(sock)
                    return sock
                except OSError as error:
                    sock.close()
                    last_error = error
            raise last_error or OSError(f"no address for {self._dns_host}")
    return Pinned


class _OneRequestPerConnection:
    """A pool that closes each connection when it comes back. A body cut short by its own
    Content-Length (or left unread past our cap) would otherwise leave the server's remaining
    bytes on a pooled socket, to be read as the next answer; with a second or more between two
    requests to a host, keeping connections open would save little."""

    def _put_conn(self, conn):
        if conn is not None:
            conn.close()
        super()._put_conn(conn)


class SafeHTTPAdapter(HTTPAdapter):
    """requests' adapter whose connections are made only to checked addresses."""

    def __init__(self, allowed_origins: tuple[str, ...] = (), **kwargs):
        """`allowed_origins`: scheme://host:port origins exempt from the address check (a loopback test
        server, a mirror on the local network); a redirect from one to any other address is checked."""
        self._allowed_origins = frozenset(origin_of(o) for o in allowed_origins)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self._make_safe(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        """An explicit proxy's pools are made safe too: their connections are bound by the attempt's
        deadline and used once, like direct ones (the proxy's own address is checked at connect)."""
        new = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if new:
            self._make_safe(manager)
        return manager

    def _make_safe(self, manager) -> None:
        http, https = _pinned_connection(HTTPConnection, "http"), _pinned_connection(HTTPSConnection, "https")
        http.allowed_origins = https.allowed_origins = self._allowed_origins
        manager.pool_classes_by_scheme = {
            "http": type(
                "SafeHTTPPool", (_OneRequestPerConnection, HTTPConnectionPool), {"ConnectionCls": http}
            ),
            "https": type(
                "SafeHTTPSPool", (_OneRequestPerConnection, HTTPSConnectionPool), {"ConnectionCls": https}
            ),
        }
        manager.key_fn_by_scheme = dict(manager.key_fn_by_scheme)
