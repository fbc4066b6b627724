"""Cheap page metadata from the parsed tree: title, site name, publication date as declared.

trafilatura's own metadata pass (`with_metadata=True`) also hunts for dates with
htmldate's heuristics and costs about half again the extraction itself; the
declared values in <title> and the OpenGraph / schema.org meta tags cost
almost nothing and are what most pages state.
"""

from lxml.html import HtmlElement

_TITLE = ("og:title", "twitter:title")
_SITE = ("og:site_name", "application-name")
_DATE = ("article:published_time", "og:published_time", "datePublished", "date", "dc.date", "DC.date.issued")


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """Every <meta> name/property/itemprop -> content, first one wins, in one pass."""
    tags: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        for attribute in ("property", "name", "itemprop"):
            key = meta.get(attribute)
            if key and content:
                tags.setdefault(key, content)
    return tags


def _first(tags: dict[str, str], names: tuple[str, ...]) -> str:
    return next((tags[name] for name in names if name in tags), "")


def _canonical_link(tree: HtmlElement) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return (link.get("href") or "").strip()[:2000]
    return ""


def page_metadata(tree: HtmlElement) -> dict[str, str]:
    tags = _meta_tags(tree)
    title = _first(tags, _TITLE) or " ".join((tree.findtext(".//title") or "").split())
    return {"title": title[:1000], "sitename": _first(tags, _SITE)[:200], "date": _first(tags, _DATE)[:64],
            "canonical": _canonical_link(tree) or _first(tags, ("og:url",))[:2000]}
