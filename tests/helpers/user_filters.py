"""Small document filters of a user's own, for --filter_module tests."""


def no_harbour(doc):
    """Drops the documents of one site of the sample as `user_harbour_site`."""
    return "harbour_site" if doc.domain.startswith("harbour") else None


def rejects_shared_stories(doc):
    return "Shared" not in (doc.title or "")  # False drops as user_rejected


def raises_on_coastal(doc):
    if doc.domain.startswith("coastal"):
        raise RuntimeError("a bug in the user's filter")
    return None
