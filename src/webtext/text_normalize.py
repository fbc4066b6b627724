"""Text normalisation shared by dedup and overlap: NFKC, lower case, word characters only."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w\s]|_")


def normalized_words(text: str) -> list[str]:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()
