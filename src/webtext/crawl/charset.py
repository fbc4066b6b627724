"""Bytes to text: the HTTP header's charset, then the page's own <meta>, then detection.

Browsers trust the header first; pages that lie in their header are rarer than
pages with no header charset, for which charset-normalizer guesses. A label is
read as browsers read it, by the WHATWG Encoding Standard's table (the
`webencodings` package): Latin-1 and ASCII mean windows-1252, and a name that
is no web encoding (`base64`, `rot13`, `zlib`, `idna`: Python codecs that turn
bytes into bytes, or no text at all) is no label, so detection decides.
"""

import re

import webencodings
from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def charset_from_content_type(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return _known(value.strip().strip("\"'"))
    return None


def _known(label: str) -> str | None:
    """The Python codec of a WHATWG encoding label; None for anything else."""
    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name == "x-user-defined":  # a codec Python itself does not know
        return None
    return encoding.codec_info.name


def decode_html(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding used). Never raises: undecodable bytes become U+FFFD."""
    encoding = charset_from_content_type(content_type)
    if encoding is None:
        match = _META_CHARSET.search(body[:4096])
        encoding = _known(match.group(1).decode("ascii", "ignore")) if match else None
    if encoding is None or (encoding == "cp1252" and _is_utf8_with_non_ascii(body)):
        # No declaration, or a Latin-1 label on bytes that are valid UTF-8 (a common server
        # default): multi-byte UTF-8 sequences almost never occur by chance in Latin-1 text.
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            best = from_bytes(body[:200_000]).best()
            encoding = best.encoding if best else "utf-8"
    try:
        return body.decode(encoding, errors="replace"), encoding
    except (LookupError, UnicodeError):  # a detector's guess Python cannot use: never a crash
        return body.decode("utf-8", errors="replace"), "utf-8"


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
