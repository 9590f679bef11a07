"""Keys that compare emails and names as a reader would: one Lao vowel written two ways, invisible characters."""

from hypothesis import example, given
from hypothesis import strategies as st

from prachum.core.identity import email_key, search_key, spellings

LAO_AND_TRICKY = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0E80, max_codepoint=0x0EFF),
        st.sampled_from("\u200b\u200c\u200d\u2060\ufeff\u00ad ΪϒﬁＡßİ\u0345"),
        st.characters(),
    ),
    max_size=40,
)


@given(LAO_AND_TRICKY)
def test_search_key_of_a_search_key_is_itself(text):
    assert search_key(search_key(text)) == search_key(text)


@given(LAO_AND_TRICKY, LAO_AND_TRICKY)
@example("", "R\u00b8\x80")  # NFKC: ¸ is a space and a combining cedilla; without the space, r + ̧ is ŗ
@example("", "0  \u025a")
def test_email_key_of_an_email_key_is_itself(local, domain):
    key = email_key(f"{local}@{domain}")
    assert email_key(key) == key


def test_the_two_spellings_of_sara_am_are_one_address():
    assert email_key("lao@ຄຳ.ລາວ") == email_key("lao@ຄໍາ.ລາວ") == "lao@xn--s6c6g8c.xn--q7ce6a"
    assert email_key("KEO@Example.ORG") == email_key("keo@example.org")


def test_invisible_characters_and_the_spelling_do_not_change_a_name():
    assert search_key("ສົມ\u200dສັກ ຄຳ") == search_key("ສົມສັກ  ຄໍາ") == search_key("ສົມ\u00adສັກ\ufeff ຄໍາ")
    assert search_key("ໜອງ") == search_key("ຫນອງ")


def test_spellings_offer_the_composed_and_the_decomposed_lao():
    assert {"ຄຳ", "ຄໍາ"} <= spellings("ຄຳ") and {"ຄຳ", "ຄໍາ"} <= spellings("ຄໍາ")
