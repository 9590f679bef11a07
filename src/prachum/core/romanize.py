"""Lao personal names in Latin letters: a proposal the person and the organizer may correct.

No library does this right: the Lao transliterations on PyPI (anyascii, unidecode, uroman,
laonlp's and lao2ipa's) either copy the letters in their written order ("ເພັດ" → "ephad", the
vowel ເ before the consonant it follows in speech) or are young and drop letters ("ແກ້ວ" → "kve").
So this module implements the table of the Lao National Geographic Department adopted by the
BGN/PCGN in 1966 ("Romanization of Lao: BGN/PCGN 1966 System"), the one behind the Latin
names of Lao places (Louangphabang, Xiangkhouang, Phonsavan):

consonants, at the start of a syllable / as its final
    ກ k/k  ຂ ຄ kh/k  ງ ng/ng  ຈ ch/t  ສ s/t  ຊ x/t  ຍ y/y  ດ d/t  ຕ t/t  ຖ ທ th/t  ນ n/n
    ບ b/p  ປ p/p  ຜ ພ ph/p  ຝ ຟ f/p  ມ m/m  ຢ y  ຣ r/n  ລ l/n  ວ v/o  ຫ ຮ h  ອ (silent)/-
    ຫງ ຫຍ ໜ ຫນ ໝ ຫມ ຫຼ ຫລ ຫຣ ຫວ: the ຫ only marks the tone, so ng y n m l r v
vowels (ະ or none: short; the same letters long)
    ະ າ ັ a    ິ ີ i    ຶ ື ືອ eu    ຸ ູ ou    ເ-ະ ເ ເ-ັ e    ແ-ະ ແ ແ-ັ e    ໂ-ະ ໂ ົ o
    ເ-າະ ໍ ອ o    ເ-ິ ເ-ີ eu    ເ-ັຍ ເ-ຍ ia, -ຽ- ie    ເ-ຶອ ເ-ືອ eua    ົວ -ວ- oua
    ໄ ໃ ai    ເ-ົາ ao    ຳ am;  a ວ between a consonant and its vowel: ou (ຂວາງ khouang)

It differs from the 1966 table where Lao people spell their own names otherwise, for names are
what it is for: no diacritics (the table's é è ô become e e o), ຍ is "y" also at the start (the
table: "gn"), ເ-ືອ is "eua" as in Sibounheuang and Meuang (the table: "ua"), and a closed ຽ is "ie"
as in Vieng and Sieng (the table: "ia"). Tone marks are not written. ໆ repeats the syllable before
it (Lao repeats the word before it, which only a dictionary could find), Lao digits become 0-9, and
a letter under the cancellation mark ໌ is silent.

Lao people often add letters of their own, mostly from French: a final "e" after n or m (Phone,
Deuane, Samone), "nh" for a final n after a (Souvanh), "th" for a final t (Sisoulith), "y" for a
final i (Bounmy, Keomany). These are a family's choice, not a rule: the proposal does not guess
them, and the person corrects it.
"""

import re

LAO_BLOCK = re.compile("[\u0e80-\u0eff]")

# Consonant → (as the first sound of a syllable, as its final sound).
_CONSONANTS = {
    "ກ": ("k", "k"), "ຂ": ("kh", "k"), "ຄ": ("kh", "k"), "ງ": ("ng", "ng"), "ຈ": ("ch", "t"),
    "ສ": ("s", "t"), "ຊ": ("x", "t"), "ຍ": ("y", "y"), "ດ": ("d", "t"), "ຕ": ("t", "t"),
    "ຖ": ("th", "t"), "ທ": ("th", "t"), "ນ": ("n", "n"), "ບ": ("b", "p"), "ປ": ("p", "p"),
    "ຜ": ("ph", "p"), "ຝ": ("f", "p"), "ພ": ("ph", "p"), "ຟ": ("f", "p"), "ມ": ("m", "m"),
    "ຢ": ("y", "y"), "ຣ": ("r", "n"), "ລ": ("l", "n"), "ວ": ("v", "o"), "ຫ": ("h", "h"),
    "ອ": ("", ""), "ຮ": ("h", "h"),
    # Written as one letter: ຫນ, ຫມ; and the letters for Khmu.
    "ໜ": ("n", "n"), "ໝ": ("m", "m"), "ໞ": ("g", "k"), "ໟ": ("y", "y"),
    # The letters for Pali and Sanskrit (Unicode 12), as their sounds are read in Lao.
    "ຆ": ("kh", "k"), "ຉ": ("ch", "t"), "ຌ": ("ch", "t"), "ຎ": ("y", "y"), "ຏ": ("t", "t"),
    "ຐ": ("th", "t"), "ຑ": ("th", "t"), "ຒ": ("th", "t"), "ຓ": ("n", "n"), "ຘ": ("th", "t"),
    "ຠ": ("ph", "p"), "ຨ": ("s", "t"), "ຩ": ("s", "t"), "ຬ": ("l", "n"),
}
# After a silent ຫ (ຫງ ຫຍ ຫນ ຫມ ຫລ ຫຣ ຫວ), these are read with a high tone; the ຫ is not written.
_SONORANTS = frozenset("ງຍນມລຣວ")
_LEADING_VOWELS = frozenset("ເແໂໄໃ")
# Vowel signs written above, below or after the consonant they follow in speech.
_VOWEL_SIGNS = frozenset("ະັາຳິີຶືຸູົໍຽ")
_SUBSCRIPT_LO = "ຼ"
_CANCEL = "໌"
_REPEAT = "ໆ"
# Tone marks, the Pali virama and the yamakkan: not written in Latin letters.
_UNWRITTEN = str.maketrans("", "", "຺່້໊໋໎")
_DIGITS = str.maketrans("໐໑໒໓໔໕໖໗໘໙", "0123456789")

# The vowel of a syllable, by its written parts: leading vowel, signs, and the vowel letters ອ ວ ຍ.
_VOWELS = {
    "ະ": "a", "າ": "a", "ັ": "a", "ິ": "i", "ີ": "i", "ຶ": "eu", "ື": "eu", "ືອ": "eu",
    "ຸ": "ou", "ູ": "ou",
    "ເະ": "e", "ເ": "e", "ເັ": "e", "ແະ": "e", "ແ": "e", "ແັ": "e",
    "ໂະ": "o", "ໂ": "o", "ົ": "o",
    "ເາະ": "o", "ໍ": "o", "ອ": "o", "ັອ": "o", "ອະ": "o",
    "ເິ": "eu", "ເີ": "eu",
    "ເັຍ": "ia", "ເຍ": "ia", "ເຍະ": "ia", "ເັຍະ": "ia", "ຽ": "ia",
    "ເຶອ": "eua", "ເືອ": "eua", "ເືອະ": "eua", "ເຶອະ": "eua",
    "ົວະ": "oua", "ົວ": "oua", "ວ": "oua", "ວະ": "oua",
    "ໄ": "ai", "ໃ": "ai", "ເົາ": "ao", "ເາ": "ao", "ຳ": "am",
}
# Parts of a vowel not in the table above (a misspelling): each part on its own.
_VOWEL_PARTS = {
    "ເ": "e", "ແ": "e", "ໂ": "o", "ໄ": "ai", "ໃ": "ai", "ະ": "a", "ັ": "a", "າ": "a", "ຳ": "am",
    "ິ": "i", "ີ": "i", "ຶ": "eu", "ື": "eu", "ຸ": "ou", "ູ": "ou", "ົ": "o", "ໍ": "o", "ຽ": "ia",
    "ອ": "o", "ວ": "oua", "ຍ": "ia",
}


def has_lao(text: str) -> bool:
    """Whether `text` holds any Lao script."""
    return bool(text) and bool(LAO_BLOCK.search(text))


def romanize_lao(text: str) -> str:
    """A Lao name in Latin letters, each word capitalized: "ສົມສັກ ວົງສາ" → "Somsak Vongsa".

    Text without Lao script comes back unchanged, so that romanizing twice is romanizing once;
    in a word with Lao script only the Lao is changed. Never raises; the result holds no Lao."""
    if not text or not LAO_BLOCK.search(text):
        return text or ""
    # ໆ repeats what is before it, also when a space was typed between them.
    text = re.sub(r"\s+(?=ໆ)", "", text)
    words = re.split(r"(\s+)", text)
    return "".join(_romanize_word(word) if LAO_BLOCK.search(word) else word for word in words)


def _romanize_word(word: str) -> str:
    """A word with Lao script: each run of Lao romanized, capitalized where it begins the word or
    follows a hyphen or a bracket ("ສົມ-ສັກ" → "Som-Sak")."""
    out = ""
    for run in re.findall("[\u0e80-\u0eff]+|[^\u0e80-\u0eff]+", word):
        if not LAO_BLOCK.match(run):
            out += run
            continue
        latin = LAO_BLOCK.sub("", _romanize_run(run))
        if not out or not out[-1].isalnum():
            latin = latin[:1].upper() + latin[1:]
        out += latin
    return out


def _romanize_run(run: str) -> str:
    """A run of Lao characters (no spaces) in Latin letters, in lower case."""
    text = run.translate(_UNWRITTEN).translate(_DIGITS).replace("ໍາ", "ຳ").replace("ຯ", "")
    return "".join(_Syllables(text).read())


class _Syllables:
    """Reads a run of Lao text syllable by syllable, in the order the sounds are spoken."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.last = ""  # the last syllable read, for ໆ

    def at(self, index: int) -> str:
        return self.text[index] if 0 <= index < len(self.text) else ""

    def is_consonant(self, index: int) -> bool:
        return self.at(index) in _CONSONANTS

    def silent_h_cluster(self, index: int, after_leading_vowel: bool) -> bool:
        """ຫ then ງ ຍ ນ ມ ລ ຣ ວ at `index`, read as one sound (ຫວັນ van, ຫລ້າ la, but ຫວນ houan)."""
        if self.at(index) != "ຫ" or self.at(index + 1) not in _SONORANTS:
            return False
        return after_leading_vowel or self.has_vowel_after(index + 2, letters=self.at(index + 1) != "ວ")

    def has_vowel_after(self, index: int, letters: bool = True) -> bool:
        """Whether a vowel follows at `index`: a sign, or (with `letters`) ອ or ວ read as one."""
        following = self.at(index)
        if following in _VOWEL_SIGNS or following == _SUBSCRIPT_LO:
            return True
        if letters and following in ("ອ", "ວ"):
            # ອ or ວ followed by a sign begins a syllable of its own; ອອ: the first ອ begins one.
            after = self.at(index + 1)
            return not (after in _VOWEL_SIGNS or after == _SUBSCRIPT_LO or (following == "ອ" and after == "ອ"))
        return False

    def begins_syllable(self, index: int) -> bool:
        """Whether the consonant at `index` is the first of a syllable rather than the last of one."""
        if not self.is_consonant(index):
            return False
        if self.at(index + 1) == _CANCEL:
            return False
        return self.silent_h_cluster(index, False) or self.has_vowel_after(index + 1)

    def read(self):
        while self.i < len(self.text):
            character = self.at(self.i)
            if character == _REPEAT:
                self.i += 1
                yield self.last
            elif character == _CANCEL:
                self.i += 1
            elif character in _CONSONANTS or character in _LEADING_VOWELS or character in _VOWEL_SIGNS \
                    or character == _SUBSCRIPT_LO:
                self.last = self.syllable()
                yield self.last
            else:  # a digit, ຯ gone, or a Lao code point without a letter
                self.i += 1
                yield character

    def syllable(self) -> str:
        cluster = ""  # consonants without a vowel before a syllable: ພຣະ phra, ຈັນທຣາ chanthra
        while True:
            start = self.i
            leading = ""
            if self.at(self.i) in _LEADING_VOWELS:
                leading = self.at(self.i)
                self.i += 1
            initial = self.initial(bool(leading))
            if self.i == start:  # a vowel sign with no consonant before it
                self.i += 1
                return cluster + _VOWEL_PARTS.get(self.at(start), "")
            glide = ""
            if initial is not None and self.at(self.i) == "ວ" and self.is_glide(bool(leading)):
                glide = "ou"
                self.i += 1
            vowel = self.vowel(leading)
            if vowel == "" and not leading and initial is not None and self.begins_syllable(self.i):
                cluster += initial + glide
                continue
            break
        final = ""
        if self.is_consonant(self.i) and not self.begins_syllable(self.i):
            if self.at(self.i + 1) == _CANCEL:
                self.i += 2
            else:
                final = _CONSONANTS[self.at(self.i)][1]
                self.i += 1
        # Letters under the cancellation mark after the final are silent (ຈັນທ໌ chan).
        while self.is_consonant(self.i) and self.at(self.i + 1) == _CANCEL:
            self.i += 2
        if vowel == "":
            if leading:
                vowel = _VOWEL_PARTS[leading]
            elif final:
                vowel = "o"  # an old spelling without the vowel sign: the vowel read is o (ຄນ khon)
            elif self.i - start == 1 and not cluster:
                vowel = "o"  # a letter on its own, read by its name (ກ ko)
        if glide and vowel.startswith("ou"):
            glide = ""
        if final == "o":  # ວ at the end of a syllable: ລາວ lao, ແກ້ວ keo, ຫິວ hiou
            final = "ou" if vowel.endswith("i") else "o"
        if final == "y" and vowel.endswith(("i", "y")):
            final = ""  # ໄ-ຍ: ai, not aiy
        return cluster + (initial or "") + glide + vowel + final

    def initial(self, after_leading_vowel: bool) -> str | None:
        """The consonant(s) a syllable begins with, or None where it begins with a vowel sign."""
        character = self.at(self.i)
        if character not in _CONSONANTS:
            return None
        if self.silent_h_cluster(self.i, after_leading_vowel):
            sound = _CONSONANTS[self.at(self.i + 1)][0]
            self.i += 2
        else:
            sound = _CONSONANTS[character][0]
            self.i += 1
        if self.at(self.i) == _SUBSCRIPT_LO:  # ຫຼ la, and the old ປຼ pl
            sound = "l" if character == "ຫ" else sound + "l"
            self.i += 1
        if self.at(self.i) == _CANCEL:
            self.i += 1
            return ""
        return sound

    def is_glide(self, after_leading_vowel: bool) -> bool:
        """A ວ between the first consonant and the vowel (ຂວາ khoua, ແຂວງ khouèng → khoueng)."""
        following = self.at(self.i + 1)
        if following in _VOWEL_SIGNS and following != "ົ":
            return not after_leading_vowel  # ໄລວັນ: lai-van; ເ/ແ never take a second vowel after ວ
        if after_leading_vowel and self.is_consonant(self.i + 1) and not self.begins_syllable(self.i + 1):
            return True  # ເ/ແ + consonant + ວ + final: the ວ is not the final
        return False

    def vowel(self, leading: str) -> str:
        """Reads the vowel signs and vowel letters after the first consonant; its Latin letters."""
        parts = leading
        while self.at(self.i) in _VOWEL_SIGNS:
            parts += self.at(self.i)
            self.i += 1
        signs = parts[len(leading):]
        following = self.at(self.i)
        letter = ""
        if following == "ອ" and not self.begins_syllable(self.i):
            if (not leading and signs in ("", "ັ", "ື")) or (leading == "ເ" and signs in ("ຶ", "ື")):
                letter = "ອ"
        elif following == "ວ" and not self.begins_syllable(self.i):
            if signs == "ົ" or (not leading and not signs):
                letter = "ວ"
        elif following == "ຍ" and not self.begins_syllable(self.i):
            if leading == "ເ" and signs in ("", "ັ"):
                letter = "ຍ"
        if letter:
            parts += letter
            self.i += 1
            if self.at(self.i) == "ະ":
                parts += "ະ"
                self.i += 1
        if not parts:
            return ""
        if parts == "ຽ":
            # Closed: ie as in Vieng; open (rare): ia.
            closed = self.is_consonant(self.i) and not self.begins_syllable(self.i)
            return "ie" if closed else "ia"
        vowel = _VOWELS.get(parts)
        if vowel is None:
            vowel = "".join(_VOWEL_PARTS.get(part, "") for part in parts)
        return vowel
