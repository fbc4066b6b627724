"""Cheap signs that a 200 answer is not the page that was linked: a parked domain or a soft 404.

Only used where an archived copy can stand in (fetch modes live-then-archive and
archive-then-live): a false alarm there costs an archive lookup, not a page. The
checks read the URL and the first 64 KiB of the body, nothing more.
"""

import re
from urllib.parse import urlsplit

from webtext.urls import host_matches

# Where parked and for-sale domains send their visitors.
PARKING_HOSTS = ("sedoparking.com", "parkingcrew.net", "bodis.com", "above.com", "parklogic.com",
                 "hugedomains.com", "afternic.com", "dan.com", "domainmarket.com", "undeveloped.com")
_PARKED = re.compile(
    rb"this domain (?:name )?(?:is|may be) for sale|buy this domain|domain (?:is|has been) parked"
    rb"|parked free,? courtesy of|this domain has expired|domain parking",
    re.IGNORECASE,
)
_NOT_FOUND_TITLE = re.compile(
    rb"<title[^>]*>[^<]{0,80}?(?:\b404\b|page not found|not found|page does not exist"
    rb"|no longer available)[^<]{0,80}</title>",
    re.IGNORECASE,
)
HEAD_BYTES = 65536


def dead_page_reason(requested_url: str, final_url: str, body: bytes) -> str | None:
    """"parked", "soft_404" or None (looks like a real page)."""
    if host_matches(final_url, PARKING_HOSTS):
        return "parked"
    head = body[:HEAD_BYTES]
    if _PARKED.search(head):
        return "parked"
    if _NOT_FOUND_TITLE.search(head):
        return "soft_404"
    requested, final = urlsplit(requested_url), urlsplit(final_url)
    if requested.path.strip("/") and not final.path.strip("/") and not final.query:
        return "soft_404"  # an article that now redirects to the site's home page
    return None
