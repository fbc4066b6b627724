"""Canonical URLs and the URL classes the link rules care about.

Reddit users submit one page in many spellings: tracking parameters,
`&amp;`-escaped queries, http vs https, `www.` or not, a trailing slash, a
`#comments` fragment, an upper-case host, an explicit default port. The
canonical URL is the key that merges them, so one page is one link, one fetch
and one document. courlan (trafilatura's URL library) does the standard part;
the rest are WebText-specific merges that courlan deliberately does not make.
"""

import html
import mimetypes
import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

MEDIA_HOSTS = frozenset({
    "i.redd.it", "v.redd.it", "i.imgur.com", "imgur.com", "m.imgur.com", "gfycat.com",
    "youtube.com", "m.youtube.com", "youtu.be", "vimeo.com", "streamable.com",
    "giphy.com", "media.giphy.com", "upload.wikimedia.org", "preview.redd.it",
})
REDDIT_HOSTS = ("reddit.com", "redd.it", "reddituploads.com", "redditmedia.com")
# File types are judged by the standard library's MIME table (maintained with
# Python) plus the few web extensions it lacks. Text-like types stay fetchable.
EXTRA_MEDIA_EXTENSIONS = frozenset(
    {".gifv", ".webp", ".mkv", ".flac", ".7z", ".rar", ".dmg", ".apk", ".iso", ".heic"}
)
TEXT_MIME_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "application/json",
        "application/rss+xml",
        "application/atom+xml",
    }
)
# The table built into Python, not the machine's /etc/mime.types: the same answer on every worker.
_MIME_TYPES = mimetypes.MimeTypes(filenames=())
_PERCENT_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalize_percent_escapes(text: str) -> str:
    """RFC 3986 6.2.2: decode escaped unreserved characters, upper-case the other escapes."""
    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()
    return _PERCENT_ESCAPE.sub(fix, text)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """scheme://host:port, the scope of a robots.txt (RFC 9309 2.3): the port written out even
    when it is the scheme's default, so http://a/ and http://a:80/ share one."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return origin(scheme, parts.hostname or "", parts.port or DEFAULT_PORTS.get(scheme, 0))


def origin(scheme: str, host: str, port: int) -> str:
    """The origin of a scheme, host name or address (an IPv6 one bracketed) and port."""
    host = host.lower().strip("[]")
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def canonical_url(url: str) -> str | None:
    """The merge key of a submitted URL, or None when it is not an http(s) URL.

    Idempotent: canonical_url(canonical_url(u)) == canonical_url(u).
    """
    url = html.unescape(url.strip())
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        normalized = normalize_url(url, strict=False, trailing_slash=True)
        parts = urlsplit(normalized)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    if host.endswith(".m.wikipedia.org"):  # the mobile site serves the same article
        host = host.removesuffix(".m.wikipedia.org") + ".wikipedia.org"
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = _normalize_percent_escapes(parts.path or "/")
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/") or "/"
    # The scheme is not part of the key: http and https spellings are one page.
    return urlunsplit(("https", host, path, _normalize_percent_escapes(parts.query), ""))


def fetchable_url(url: str) -> str:
    """The submitted URL as it is fetched: as submitted, but for Reddit's HTML escaping (`&amp;`), the
    fragment (never sent to a server) and the host's case (case-blind by RFC 3986). Its query is kept
    whole, empty values and tracking parameters included: the canonical URL is for identity and dedup
    only, and some servers answer `?idx=8723&page=1&bc=` and `?idx=8723&page=1` differently."""
    url = html.unescape(url.strip())
    try:
        parts = urlsplit(url)
        if not parts.scheme or not parts.hostname:
            return url
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2].lower()  # a link's user:password is never sent
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def host_matches(url: str, domains) -> bool:
    """Whether the URL's host is one of `domains` or a subdomain of one."""
    host = host_of(url).removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in domains)


def is_wikipedia(url: str, mirrors: tuple[str, ...] = ()) -> bool:
    """Any Wikipedia language edition, mobile or not, and any configured mirror domain.
    Sister projects (wikibooks, wikimedia) and look-alikes (wikipedia.org.example.net) are not."""
    return host_matches(url, ("wikipedia.org", *mirrors))


def is_reddit(url: str) -> bool:
    return host_matches(url, REDDIT_HOSTS) and host_of(url) not in MEDIA_HOSTS


def is_media(url: str) -> bool:
    """Images, video, audio, PDFs and archives: pages that carry no extractable text."""
    host = host_of(url).removeprefix("www.")
    if host in MEDIA_HOSTS:
        return True
    path = urlsplit(url).path.lower()
    if posixpath.splitext(path)[1] in EXTRA_MEDIA_EXTENSIONS:
        return True
    mime, _ = _MIME_TYPES.guess_type(path, strict=False)
    return mime is not None and mime not in TEXT_MIME_TYPES
