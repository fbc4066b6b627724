"""A labelled set of pages that are not prose, for measuring the filters' junk recall.

Each kind is a pattern the real web is full of, and each page is built from this module's own
seeded vocabulary (no third-party page text): section fronts and index pages, link lists, cookie
walls, login walls, error pages served with 200, parked domains, JavaScript-only shells, pages
whose only text is boilerplate, machine-made keyword spam, and guestbooks full of the same
bot-posted comments. Sizes vary so that many pages carry
more than the minimum word count: length alone must not be what drops them.
`junk_pages(seed, per_kind)` returns (kind, url, html) triples; the HTML is what a fetch returns.
"""

import random

from webtext.sample import prose

KINDS = ("navigation", "link_list", "cookie_wall", "login_wall", "error_page", "parked_domain", "js_shell",
         "boilerplate_only", "keyword_spam", "comment_spam")

TOPICS = [
    "Local News",
    "Weather",
    "Traffic",
    "Schools",
    "Business",
    "Markets",
    "Sport",
    "Football",
    "Cricket",
    "Arts",
    "Music",
    "Film",
    "Books",
    "Food",
    "Travel",
    "Health",
    "Science",
    "Technology",
    "Politics",
    "Opinion",
    "Letters",
    "Obituaries",
    "Property",
    "Jobs",
    "Motors",
    "Puzzles",
    "Podcasts",
    "Video",
]
HEADLINE_WORDS = [
    "Council",
    "Bridge",
    "Harbour",
    "Plan",
    "Vote",
    "Storm",
    "Festival",
    "Budget",
    "Rail",
    "School",
    "Market",
    "Museum",
    "Road",
    "Farm",
    "Clinic",
    "River",
    "Station",
    "Library",
    "Mill",
    "Theatre",
]
HEADLINE_VERBS = [
    "Approves",
    "Delays",
    "Opens",
    "Rejects",
    "Reviews",
    "Expands",
    "Closes",
    "Funds",
    "Unveils",
]
CONSENT_PURPOSES = [
    "Store and/or access information on a device", "Select basic ads", "Create a personalised ads profile",
    "Select personalised ads", "Create a personalised content profile", "Measure ad performance",
    "Measure content performance", "Apply market research to generate audience insights",
    "Develop and improve products", "Use precise geolocation data", "Actively scan device characteristics"]
CONSENT_SENTENCES = [
    "We and our {n} partners store and access information on your device, such as cookies and unique "
    "identifiers.",
    "We process personal data such as browsing data and IP addresses for personalised ads and content.",
    "You can accept all cookies or manage your preferences, including your right to object where legitimate "
    "interest is used.",
    "Your choices will apply to this website only and you can change your settings at any time via the "
    "privacy "
    "centre.",
    "Some partners do not ask for your consent to process your data and rely on their legitimate business "
    "interest instead.",
    "By clicking Accept all you consent to the use of cookies and similar technologies for these purposes.",
]
LOGIN_LINES = [
    "Sign in to continue reading",
    "Email address",
    "Password",
    "Remember me",
    "Forgot your password?",
    "Sign in",
    "Or continue with",
    "Continue with Google",
    "Continue with Apple",
    "Don't have an account? Create one",
    "Subscribe now",
    "Already a subscriber? Log in",
]
PERKS = [
    "Unlimited access to every article",
    "Ad-free reading on all devices",
    "The morning briefing newsletter",
    "Exclusive subscriber events",
    "Full access to the archive",
    "Cancel anytime",
]
ERROR_LINES = ["Page not found", "404", "Sorry, the page you were looking for could not be found.",
               "It may have been moved or deleted.", "Please check the address or try searching below.",
               "Search", "Go to the homepage", "Popular right now"]
PARKED_LINES = ["This domain may be for sale!", "Buy this domain", "Make an offer", "Related searches",
                "This page is provided courtesy of the domain owner", "Privacy policy", "Contact the owner"]
SEARCH_TERMS = [
    "cheap flights",
    "car insurance",
    "online degree",
    "credit cards",
    "hotel deals",
    "web hosting",
    "mortgage rates",
    "dating sites",
    "free games",
    "weight loss",
    "used cars",
    "home loans",
    "phone plans",
    "solar panels",
    "pet insurance",
    "best laptops",
]
JS_LINES = [
    "You need to enable JavaScript to run this app.",
    "Please enable JavaScript in your browser settings and reload the page.",
    "Loading...",
    "This site requires JavaScript to work properly.",
    "Your browser is out of date. Update your browser for more security, speed and the best experience.",
]
SHARE = ["Share on Facebook", "Share on Twitter", "Share by email", "Copy link", "Print", "Save for later"]
NEWSLETTER = ["Sign up for our newsletter", "Get the best stories delivered to your inbox every morning.",
              "Enter your email", "Sign up", "You can unsubscribe at any time."]
PRODUCTS = ["running shoes", "garden furniture", "phone cases", "office chairs", "led lights", "dog beds",
            "water bottles", "rain jackets", "gaming mice", "coffee makers"]
CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Bristol", "Madison", "Georgetown"]
SPAM_TEMPLATES = [
    "best {p} {c}",
    "cheap {p} online",
    "buy {p} {c}",
    "{p} sale {c}",
    "discount {p}",
    "{p} deals",
    "top rated {p} {c}",
    "{p} free shipping",
    "{p} near me",
    "where to buy {p} {c}",
    "{p} {c} cheap",
    "the best {p} of the year",
    "{p} with the best reviews",
    "the top {p} to buy in {c}",
    "how to choose the right {p} and save",
    "{p} that are worth the money",
]


def _headline(rng: random.Random) -> str:
    """A headline as index pages list them: function words and all, but no sentence."""
    shapes = [
        lambda: f"{rng.choice(HEADLINE_WORDS)} {rng.choice(HEADLINE_VERBS)} the {rng.choice(HEADLINE_WORDS)} "
        f"{rng.choice(['Plan', 'Deal', 'Scheme', 'Report', 'Rules'])} for {rng.choice(CITIES)}",
        lambda: f"The {rng.choice(HEADLINE_WORDS)} of {rng.choice(CITIES)}: what to know",
        lambda: f"{rng.choice(CITIES)} and the {rng.choice(HEADLINE_WORDS)} that "
                f"{rng.choice(HEADLINE_VERBS)} "
        f"Everything",
        lambda: f"Live: {rng.choice(HEADLINE_WORDS)} {rng.choice(HEADLINE_VERBS)} with {rng.randint(2, 90)} "
        f"to go",
    ]
    return rng.choice(shapes)()


def _links(items) -> str:
    return "<ul>" + "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(items)) + "</ul>"


def _page(title: str, body: str, site: str, head: str = "") -> str:
    nav = _links(prose.NAV)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f'<body><header><a class="logo" href="/">{site}</a><nav>{nav}</nav></header>{body}'
            f'<footer><p>{prose.FOOTER.format(site=site)}</p></footer></body></html>')


def navigation(rng, site):
    stories = "".join(
        f'<div class="teaser"><h3><a href="/story/{i}">{_headline(rng)}</a></h3>'
        f'<span class="date">{rng.randint(1, 28)} {rng.choice(["May", "June", "July"])} 2017</span>'
        f'<a class="more" href="/story/{i}">Read more</a></div>' for i in range(rng.randint(12, 40)))
    sidebar = (
        "<aside><h2>Most read</h2>" + _links(_headline(rng) for _ in range(rng.randint(5, 10))) + "</aside>"
    )
    sections = _links(rng.sample(TOPICS, rng.randint(10, len(TOPICS))))
    return _page(
        f"{rng.choice(TOPICS)} | {site}", f"<main><h1>Latest</h1>{stories}</main>{sidebar}{sections}", site
    )


def link_list(rng, site):
    entries = [f"The {rng.choice(prose.ADJECTIVES).title()} {rng.choice(prose.NOUNS).title()} "
               f"{rng.choice(['Directory', 'Guide', 'Resources', 'Portal', 'Archive', 'Index'])}"
               f" of {rng.choice(CITIES)} and {rng.choice(CITIES)}" for _ in range(rng.randint(30, 90))]
    return _page("Useful links", f"<main><h1>Useful links</h1>{_links(entries)}</main>", site)


def cookie_wall(rng, site):
    sentences = [s.format(n=rng.randint(200, 900)) for s in rng.sample(CONSENT_SENTENCES, rng.randint(3, 6))]
    purposes = _links(rng.sample(CONSENT_PURPOSES, rng.randint(5, len(CONSENT_PURPOSES))))
    vendors = _links(f"{rng.choice(HEADLINE_WORDS)}{rng.choice(['Ads', 'Metrics', 'Media', 'Data'])} Ltd"
                     for _ in range(rng.randint(0, 40)))
    dialog = (
        f'<div class="consent"><h2>We value your privacy</h2>{"".join(f"<p>{s}</p>" for s in sentences)}'
        f"<h3>Purposes</h3>{purposes}<h3>Partners</h3>{vendors}"
        "<button>Accept all</button><button>Reject all</button><button>Manage preferences</button></div>"
    )
    return _page(site, dialog, site)


def login_wall(rng, site):
    teaser = f"<h1>{_headline(rng)}</h1><p>{prose.sentence(rng)}</p>" if rng.random() < 0.5 else ""
    perks = _links(rng.sample(PERKS, rng.randint(3, len(PERKS))))
    form = "".join(f"<p>{line}</p>" for line in LOGIN_LINES)
    plans = "".join(
        f"<div class='plan'><h3>{name}</h3><p>${rng.randint(1, 20)} a month, billed "
        f"{rng.choice(['monthly', 'yearly'])}.</p></div>"
        for name in ("Digital", "Print + Digital")
    )
    return _page("Sign in", f"<main>{teaser}{form}<h2>Why subscribe?</h2>{perks}{plans}</main>", site)


def error_page(rng, site):
    lines = "".join(f"<p>{line}</p>" for line in ERROR_LINES)
    popular = _links(_headline(rng) for _ in range(rng.randint(4, 20)))
    return _page("Page not found", f"<main>{lines}{popular}{_links(rng.sample(TOPICS, 12))}</main>", site)


def parked_domain(rng, site):
    terms = rng.sample(SEARCH_TERMS, rng.randint(6, len(SEARCH_TERMS)))
    lines = "".join(f"<p>{line}</p>" for line in PARKED_LINES)
    return (
        f"<!DOCTYPE html><html><head><title>{site}</title></head><body><h1>{site}</h1>{lines}"
        f"{_links(terms)}<p>Copyright {rng.randint(2010, 2017)} {site}. All rights "
        "reserved.</p></body></html>"
    )


def js_shell(rng, site):
    noscript = "".join(f"<p>{line}</p>" for line in rng.sample(JS_LINES, rng.randint(1, len(JS_LINES))))
    return (
        f'<!DOCTYPE html><html><head><title>{site}</title><script '
        f'src="/app.{rng.randint(1, 999)}.js"></script>'
        f'</head><body><noscript>{noscript}</noscript><div id="root"></div></body></html>'
    )


def boilerplate_only(rng, site):
    share = _links(SHARE)
    letter = "".join(f"<p>{line}</p>" for line in NEWSLETTER)
    related = "<h2>More from " + site + "</h2>" + _links(_headline(rng) for _ in range(rng.randint(4, 12)))
    cookie = f'<div class="cookie-banner"><p>{prose.COOKIE}</p></div>'
    video = (
        f'<div class="video"><video src="/v/{rng.randint(1, 999)}.mp4"></video>'
        f"<p>Watch: {_headline(rng)}</p></div>"
    )
    return _page(_headline(rng), f"<main>{video}{share}{letter}{related}</main>{cookie}", site)


def keyword_spam(rng, site):
    product, city = rng.choice(PRODUCTS), rng.choice(CITIES)
    phrases = [rng.choice(SPAM_TEMPLATES).format(p=rng.choice([product, rng.choice(PRODUCTS)]), c=city)
               for _ in range(rng.randint(60, 220))]
    paragraphs, i = [], 0
    while i < len(phrases):
        step = rng.randint(6, 14)
        paragraphs.append(", ".join(phrases[i:i + step]).capitalize() + ".")
        i += step
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return _page(f"{product.title()} {city}", f"<main><article><h1>Best {product} in {city}</h1>{body}"
                                                f"</article></main>", site)


BOT_COMMENTS = [
    "Great post, I found this really helpful and I will share it with all of my friends today.",
    "Thank you for sharing this wonderful article, please visit my website for more great information.",
    "I have been reading your blog for a long time and this is the best post you have written so far.",
    "Very informative article, you have explained everything so clearly that anyone can understand it.",
]


def comment_spam(rng, site):
    """A guestbook or an old blog's comment page, all of it the same few bot comments."""
    comments = rng.sample(BOT_COMMENTS, rng.randint(2, len(BOT_COMMENTS)))
    posts = "".join(f"<p>{rng.choice(comments)}</p>" for _ in range(rng.randint(15, 50)))
    return _page("Guestbook", f"<main><article><h1>Guestbook</h1>{posts}</article></main>", site)


BUILDERS = {kind: globals()[kind] for kind in KINDS}


def junk_pages(seed: int = 7, per_kind: int = 20) -> list[tuple[str, str, str]]:
    """(kind, url, html) for `per_kind` pages of every kind, the same for the same seed."""
    rng = random.Random(seed)
    pages = []
    for kind in KINDS:
        for i in range(per_kind):
            site = f"{rng.choice(prose.ADJECTIVES)}-{rng.choice(prose.NOUNS)}.example"
            pages.append((kind, f"https://{site}/{kind.replace('_', '-')}/{i}", BUILDERS[kind](rng, site)))
    return pages
