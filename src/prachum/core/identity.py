"""When two texts name the same thing: keys that compare emails and search names as a reader would.

Lao can write one vowel two ways that look the same: ຳ (U+0EB3, SARA AM) or ໍ + າ (U+0ECD U+0EB2). Phones
and keyboards type either, so `lao@ຄຳ.ລາວ` and `lao@ຄໍາ.ລາວ` are one address, and a search for ຄຳ must find
ຄໍາ. Characters nobody sees (zero-width spaces and joiners, the soft hyphen) must not hide a name either.
The stored text keeps the form the person typed; these keys are kept beside it and compared instead.
"""

import encodings.idna
import unicodedata

# Invisible characters that a copy and paste or a Lao keyboard leaves inside words: zero-width space,
# non-joiner, joiner, word joiner, byte order mark, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def search_key(text: str) -> str:
    """`text` as searches compare it: NFKC (ຳ becomes ໍ + າ, full-width letters plain ones), without
    invisible characters, case-folded, with single spaces. Applying it twice changes nothing."""
    text = unicodedata.normalize("NFKC", (text or "").translate(INVISIBLE)).casefold()
    # Case folding and NFKC can each undo the other's normal form (e.g. ϒ with a hook): repeat until stable.
    while (again := unicodedata.normalize("NFKC", text).casefold()) != text:
        text = again
    return " ".join(text.translate(INVISIBLE).split())


def email_key(email: str) -> str:
    """The address as duplicates are compared: the part before @ as search_key compares text, the domain
    in its IDNA (ASCII) form. IDNA 2003 from Python's standard library, so that every installation computes
    the same key: its nameprep applies NFKC, which makes ຄຳ and ຄໍາ one label."""
    local, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return search_key(domain)
    # No address has a space in its domain; IDNA would keep one and a second pass would then change the key.
    # Without its spaces the text may compose anew (NFKC turns ¸ into a space and a combining cedilla): again.
    domain = search_key(domain)
    while " " in domain:
        domain = search_key(domain.replace(" ", ""))
    domain = domain.rstrip(".")
    try:
        ascii_domain = ".".join(
            encodings.idna.ToASCII(label).decode("ascii").lower() for label in domain.split(".")
        )
    except UnicodeError:
        # Not a name IDNA can encode (an empty or too long label): the normalised text is the key.
        ascii_domain = domain
    return f"{search_key(local)}@{ascii_domain}"


# Lao letters that NFKC writes as two (ຳ → ໍ + າ, ໜ → ຫ + ນ, ໝ → ຫ + ມ): text stored without a key may hold either.
_LAO_COMPOSED = {"\u0ecd\u0eb2": "\u0eb3", "\u0eab\u0e99": "\u0edc", "\u0eab\u0ea1": "\u0edd"}


def spellings(word: str) -> set[str]:
    """The ways a stored text that has no search key (an organization's name, an email) may write `word`:
    as typed, as search_key writes it, and with its Lao letters composed (ຳ, ໜ, ໝ) — for a case-insensitive
    "contains" on each."""
    key = search_key(word)
    composed = key
    for pair, letter in _LAO_COMPOSED.items():
        composed = composed.replace(pair, letter)
    return {form for form in (word, key, composed) if form}
