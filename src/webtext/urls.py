"""Canonical URLs and the URL classes the link rules care about.

Reddit users submit one page in many spellings: tracking parameters,
`&amp;`-escaped queries, http vs https, `www.` or not, a trailing slash, a
`#comments` fragment, an upper-case host, an explicit default port. The
canonical URL is the key that merges them, so one page is one link, one fetch
and one document. courlan (trafilatura's URL library) does the standard part;
the rest are WebText-specific merges that courlan deliberately does not make.
"""

import html
import posixpath
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url

MEDIA_HOSTS = frozenset({
    "i.redd.it", "v.redd.it", "i.imgur.com", "imgur.com", "m.imgur.com", "gfycat.com",
    "youtube.com", "m.youtube.com", "youtu.be", "vimeo.com", "streamable.com",
    "giphy.com", "media.giphy.com", "upload.wikimedia.org", "preview.redd.it",
})
REDDIT_HOSTS = ("reddit.com", "redd.it", "reddituploads.com", "redditmedia.com")
MEDIA_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".gifv", ".webp", ".bmp", ".svg", ".tif", ".tiff",
    ".mp4", ".webm", ".mov", ".avi", ".mkv", ".mp3", ".ogg", ".wav", ".flac",
    ".pdf", ".zip", ".gz", ".rar", ".7z", ".tar", ".exe", ".dmg", ".apk", ".iso",
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
})


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


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
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/") or "/"
    # The scheme is not part of the key: http and https spellings are one page.
    return urlunsplit(("https", host, path, parts.query, ""))


def fetchable_url(url: str) -> str:
    """The submitted URL cleaned for fetching: unescaped, tracking parameters and fragment dropped."""
    url = html.unescape(url.strip())
    try:
        normalized = normalize_url(url, strict=False, trailing_slash=True)
    except ValueError:
        return url
    parts = urlsplit(normalized)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_wikipedia(url: str) -> bool:
    """Any Wikipedia language edition, mobile or not. Sister projects and look-alikes are not."""
    host = host_of(url)
    return host == "wikipedia.org" or host.endswith(".wikipedia.org")


def is_reddit(url: str) -> bool:
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in REDDIT_HOSTS) and host not in MEDIA_HOSTS


def is_media(url: str) -> bool:
    """Images, video, audio, PDFs and archives: pages that carry no extractable text."""
    host = host_of(url).removeprefix("www.")
    if host in MEDIA_HOSTS:
        return True
    extension = posixpath.splitext(urlsplit(url).path.lower())[1]
    return extension in MEDIA_EXTENSIONS
