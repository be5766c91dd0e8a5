"""Spelling-tolerant place search.

People type a village's name the way they know it: in Kazakh or Russian Cyrillic, with or
without the Kazakh letters (Ә Ғ Қ Ң Ө Ұ Ү Һ І are often typed as А Г К Н О У У Х И), with Ё or
Е, or in one of several Latin transliterations (Ilyichevka, Janatas, Zhanatas, Qostanay).
`fold()` reduces all of these to one Latin skeleton, so that matching is a plain substring
test on a column computed once at import time (`Place.search_key`).
"""

import re
import unicodedata

_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

# Kazakh Latin (2021 alphabet) and common English spellings, reduced to the same skeleton.
_LATIN = {
    "ä": "a", "ğ": "g", "ı": "i", "ñ": "n", "ö": "o", "ş": "sh", "ç": "ch", "ü": "u", "ū": "u",
    "q": "k", "x": "h", "w": "u", "y": "i", "j": "zh",
}  # fmt: skip

_DIGRAPHS = (("kh", "h"), ("dzh", "zh"), ("zhzh", "zh"))
_LONE_C = re.compile(r"c(?!h)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"(.)\1+")


def fold(text):
    """A Latin, lower-case skeleton of `text` that ignores the usual spelling variants."""
    text = unicodedata.normalize("NFC", (text or "").lower())
    out = []
    for char in text:
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _LATIN:
            out.append(_LATIN[char])
        else:
            # Strip accents from any other Latin letter (é -> e).
            decomposed = unicodedata.normalize("NFD", char)
            out.append(decomposed[0] if decomposed else char)
    folded = "".join(out)
    for digraph, replacement in _DIGRAPHS:
        folded = folded.replace(digraph, replacement)
    folded = _LONE_C.sub("ts", folded)
    folded = _NOT_WORD.sub(" ", folded).strip()
    return _REPEATS.sub(r"\1", folded)


def search_key(*names):
    """All names' skeletons in one string, each between bars, for substring matching."""
    keys = []
    for name in names:
        key = fold(name)
        if key and key not in keys:
            keys.append(key)
    return "|" + "|".join(keys) + "|" if keys else ""
