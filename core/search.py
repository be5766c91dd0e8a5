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


# Words people add around a name ("село Нура", "Жанатас ауылы", "г. Жанатас"), folded: the
# kind of place, not its name. Dropped from a query unless nothing else is left.
_PLACE_WORDS = {
    fold(word)
    for word in (
        "село", "с", "п", "пос", "посёлок", "поселок", "г", "город", "аул", "ауыл", "ауылы",
        "кент", "кенті", "қала", "қаласы", "станция", "ст", "деревня", "village", "town", "city",
    )
}  # fmt: skip


def fold_query(query):
    """`fold(query)` without the words naming a kind of place: "село Нура" -> "nura"."""
    words = fold(query).split()
    kept = [word for word in words if word not in _PLACE_WORDS]
    return " ".join(kept or words)


def one_typo_pattern(folded):
    """A regular expression matching a whole name within one typo of `folded` (a letter left
    out, added or mistyped: "ilchevka" finds "ilichevka"), for when nothing matches exactly.
    Only for skeletons of five letters or more: shorter ones would match half the country."""
    if len(folded) < 5:
        return None
    escaped = [re.escape(char) for char in folded]
    variants = set()
    for i in range(len(escaped) + 1):
        variants.add("".join(escaped[:i]) + "." + "".join(escaped[i:]))  # one left out
        if i < len(escaped):
            variants.add("".join(escaped[:i]) + "".join(escaped[i + 1 :]))  # one added
            variants.add("".join(escaped[:i]) + "." + "".join(escaped[i + 1 :]))  # mistyped
    return r"\|(" + "|".join(sorted(variants)) + r")\|"
