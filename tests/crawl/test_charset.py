"""Bytes become text by header charset, then <meta>, then detection; never an exception."""

from webtext.crawl.charset import charset_from_content_type, decode_html


def test_header_charset_wins_and_latin1_is_read_as_windows_1252():
    body = "caf\u00e9 \u2014 \u201cok\u201d".encode("cp1252")
    text, encoding = decode_html(body, "text/html; charset=ISO-8859-1")
    assert (text, encoding) == ("caf\u00e9 \u2014 \u201cok\u201d", "cp1252")


def test_meta_charset_when_header_has_none():
    body = '<meta charset="windows-1252"><p>\u201cquoted\u201d</p>'.encode("cp1252")
    text, encoding = decode_html(body, "text/html")
    assert "\u201cquoted\u201d" in text and encoding == "cp1252"


def test_utf8_without_any_declaration():
    assert decode_html("na\u00efve \u2603".encode(), "text/html") == ("na\u00efve \u2603", "utf-8")


def test_undeclared_legacy_bytes_are_detected_not_crashed_on():
    body = ("<p>" + "Der B\u00fcrgermeister \u00e4u\u00dferte sich \u00fcber die Stra\u00dfe. " * 20 + "</p>")
    text, encoding = decode_html(body.encode("latin-1"), "")
    assert "B\u00fcrgermeister" in text and encoding != "utf-8"


def test_unknown_charset_names_are_ignored():
    assert charset_from_content_type("text/html; charset=no-such-charset") is None
    assert decode_html(b"plain", "text/html; charset=no-such-charset")[0] == "plain"


def test_shared_pages_decode_like_their_declared_charset(shared_data):
    import json

    from webtext.crawl.replay import read_warc

    pages = {json.loads(line)["url"]: json.loads(line)
             for line in (shared_data / "pages.jsonl").read_text().splitlines()}
    for response in read_warc(str(shared_data / "pages.warc.gz")):
        text, _ = decode_html(response.body, response.content_type)
        assert "\ufffd" not in text or not pages[response.target_uri]["utf8_valid"], response.target_uri


def test_utf8_bytes_mislabelled_as_latin1_are_read_as_utf8():
    body = "<p>caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u2014 \u201cyes\u201d</p>".encode()
    assert decode_html(body, "text/html; charset=ISO-8859-1") == (body.decode(), "utf-8")


def test_real_latin1_labelled_latin1_stays_latin1():
    body = "<p>caf\u00e9 cr\u00e8me</p>".encode("latin-1")
    assert decode_html(body, "text/html; charset=ISO-8859-1")[0] == "<p>caf\u00e9 cr\u00e8me</p>"


def test_labels_that_are_python_codecs_but_no_web_encoding_fall_back_to_detection():
    """`bytes.decode("base64")` and the like raise or are no text at all; a page so labelled is detected."""
    body = "<p>caf\u00e9 au lait</p>".encode()
    for label in (
        "base64",
        "hex",
        "rot13",
        "zlib",
        "uu",
        "quopri",
        "bz2",
        "undefined",
        "idna",
        "x-user-defined",
    ):
        assert decode_html(body, f"text/html; charset={label}") == (body.decode(), "utf-8"), label
        assert decode_html(f'<meta charset="{label}">'.encode() + body, "text/html")[1] == "utf-8", label


def test_whatwg_labels_map_to_their_encodings():
    assert charset_from_content_type("text/html; charset=latin1") == "cp1252"
    assert charset_from_content_type("text/html; charset=x-sjis") == "shift_jis"
    assert charset_from_content_type('text/html; charset="KOI8-R"') == "koi8-r"
