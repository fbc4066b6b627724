"""A loopback fake of the Reddit API, enough for praw: OAuth token, subreddit listings, /api/info.

Faults are injected by path: the first `fail_first[path]` requests to a path get the listed status
(429 with Retry-After, or a 5xx) before the real answer.
"""

import json
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

from helpers import servers


def t3(sub_id: str, score: int, url: str, created: float = 1_400_000_000.0, subreddit: str = "news") -> dict:
    return {
        "kind": "t3",
        "data": {
            "id": sub_id,
            "name": f"t3_{sub_id}",
            "url": url,
            "score": score,
            "created_utc": created,
            "subreddit": subreddit,
            "is_self": False,
            "over_18": False,
            "author": "someone",
            "removed_by_category": None,
            "title": f"post {sub_id}",
            "permalink": f"/r/{subreddit}/comments/{sub_id}/x/",
        },
    }


class FakeReddit:
    def __init__(self, listing: list[dict], scores: dict[str, int], fail_first: dict[str, tuple[int, int]]):
        self.listing = listing  # t3 things, newest first
        self.scores = scores  # current scores by id for /api/info
        self.fail_first = dict(fail_first)  # path -> (status, how many times)
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def fault(self, path: str) -> int | None:
        with self.lock:
            self.requests.append(path)
            status, times = self.fail_first.get(path, (0, 0))
            if times:
                self.fail_first[path] = (status, times - 1)
                return status
        return None


def _handler(fake: FakeReddit):
    class Handler(servers.Handler):
        def _json(self, status: int, payload, headers=()):
            self.send(status, json.dumps(payload).encode(), "application/json", headers)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._json(
                200, {"access_token": "token", "token_type": "bearer", "expires_in": 3600, "scope": "*"}
            )

        def do_GET(self):
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/")
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status = fake.fault(path)
            if status == 429:
                return self._json(429, {"message": "Too Many Requests"}, [("Retry-After", "1")])
            if status:
                return self._json(status, {"message": "server error"})
            if path == "/api/info":
                ids = [name.removeprefix("t3_") for name in query.get("id", "").split(",") if name]
                children = [
                    t3(i, fake.scores[i], f"https://example.com/{i}") for i in ids if i in fake.scores
                ]
                return self._json(200, {"kind": "Listing", "data": {"after": None, "children": children}})
            if path.startswith("/r/"):
                return self._json(200, self._listing_page(query))
            return self._json(404, {"message": "not found"})

        def _listing_page(self, query: dict) -> dict:
            limit = min(int(query.get("limit", 25)), 100)  # Reddit pages by at most 100
            names = [c["data"]["name"] for c in fake.listing]
            start = names.index(query["after"]) + 1 if query.get("after") in names else 0
            page = fake.listing[start:start + limit]
            after = page[-1]["data"]["name"] if start + limit < len(fake.listing) and page else None
            return {"kind": "Listing", "data": {"after": after, "children": page}}

    return Handler


@contextmanager
def fake_reddit(listing=(), scores=None, fail_first=None):
    fake = FakeReddit(list(listing), dict(scores or {}), dict(fail_first or {}))
    with servers.serving(_handler(fake)) as base:
        yield base, fake
