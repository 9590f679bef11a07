"""Lao names in Latin letters (prachum.core.romanize)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prachum.core.romanize import has_lao, romanize_lao

# Real Lao names, each with the spelling its bearers (or the maps) use, where the system gives it.
REGULAR = [
    ("ສົມສັກ ວົງສາ", "Somsak Vongsa"),
    ("ພູຄົງ", "Phoukhong"),
    ("ວິໄລວັນ ພຸດທະວົງ", "Vilaivan Phoutthavong"),
    ("ທອງສິງ ທຳມະວົງ", "Thongsing Thammavong"),
    ("ສຸພານຸວົງ", "Souphanouvong"),
    ("ສີບຸນເຮືອງ", "Sibounheuang"),
    ("ຫຼວງພະບາງ", "Louangphabang"),        # ຫຼ, and ວ between consonant and vowel
    ("ຫລວງພະບາງ", "Louangphabang"),        # the same written with ຫລ
    ("ພອນສະຫວັນ", "Phonsavan"),            # ຫວ: the ຫ is silent
    ("ຄຳຫຼ້າ", "Khamla"),                  # ຳ, tone mark ignored
    ("ຄຳເຜີຍ", "Khampheuy"),               # ເ-ີ with the final ຍ
    ("ວຽງຄຳ", "Viengkham"),                # ຽ
    ("ອຸດົມ", "Oudom"),                    # ອ carries the vowel
    ("ດວງຈັນ", "Douangchan"),              # ວ as the vowel oua
    ("ໜູເພັດ", "Nouphet"),                 # ໜ, leading ເ with ັ
    ("ນ້ອຍ", "Noy"),                       # ອ vowel, ຍ final
    ("ບົວພັນ", "Bouaphan"),                # ົວ
    ("ອິນທະວົງ", "Inthavong"),
    ("ມະນີວົງ", "Manivong"),
    ("ສຸລິວົງ", "Soulivong"),
    ("ເກດແກ້ວ", "Ketkeo"),                 # ແ-ວ
    ("ຈັນທະວົງ", "Chanthavong"),
    ("ສິງຄຳ", "Singkham"),
    ("ພົມມະຈັນ", "Phommachan"),
    ("ຫຼ້າຈັນທະບູນ", "Lachanthaboun"),
]

# Names whose bearers add letters the system does not write (a final -e, -nh, -th, -y, or ລ read as r):
# the proposal is the system's spelling, and the person corrects it.
IRREGULAR = [
    ("ທອງລຸນ ສີສຸລິດ", "Thongloun Sisoulit", "Thongloun Sisoulith"),
    ("ສອນໄຊ ສີພັນດອນ", "Sonxai Siphandon", "Sonexay Siphandone"),
    ("ໄກສອນ ພົມວິຫານ", "Kaison Phomvihan", "Kaysone Phomvihane"),
    ("ນູຮັກ ພູມສະຫວັນ", "Nouhak Phoumsavan", "Nouhak Phoumsavanh"),
    ("ບຸນຍັງ ວໍລະຈິດ", "Bounyang Volachit", "Bounnhang Vorachith"),
    ("ຈູມມາລີ ໄຊຍະສອນ", "Choummali Xaiyason", "Choummaly Sayasone"),
    ("ແສງເດືອນ", "Sengdeuan", "Sengdeuane"),
    ("ເພັດສະໝອນ", "Phetsamon", "Phetsamone"),
    ("ແກ້ວມະນີ", "Keomani", "Keomany"),
    ("ສຸກສະຫວັນ", "Souksavan", "Souksavanh"),
    ("ຂັນທະວີ", "Khanthavi", "Khanthavy"),
]

# Places, in the spelling of the Lao National Geographic Department (BGN/PCGN 1966), except for ຽ.
PLACES = [
    ("ຊຽງຂວາງ", "Xiengkhouang"),  # the table: Xiangkhouang
    ("ແຂວງ", "Khoueng"),          # the table: Khouèng
]


@pytest.mark.parametrize(("lao", "latin"), REGULAR + PLACES)
def test_real_names_come_out_as_their_bearers_spell_them(lao, latin):
    assert romanize_lao(lao) == latin


@pytest.mark.parametrize(("lao", "system", "usual"), IRREGULAR)
def test_names_spelled_irregularly_get_the_systems_spelling(lao, system, usual):
    proposed = romanize_lao(lao)
    assert proposed == system
    assert proposed != usual  # a family's own spelling: the person corrects the proposal


@pytest.mark.parametrize(("lao", "latin"), [
    ("ເພັດ", "Phet"),        # leading vowel written before its consonant
    ("ແສງ", "Seng"),
    ("ໂພໄຊ", "Phoxai"),      # ໂ and ໄ; ຊ is x
    ("ສີໃສ", "Sisai"),       # ໃ
    ("ເກົ້າ", "Kao"),        # ເ-ົາ
    ("ເກາະ", "Ko"),          # ເ-າະ
    ("ເງິນ", "Ngeun"),       # ເ-ິ
    ("ເມຍ", "Mia"),          # ເ-ຍ
    ("ເອື້ອ", "Eua"),        # ເ-ືອ
    ("ບໍ່", "Bo"),           # ໍ
    ("ສວນ", "Souan"),        # ວ as the vowel in a closed syllable
    ("ສວຍ", "Souay"),
    ("ຫວນ", "Houan"),        # ຫ + ວ as the vowel: the ຫ is heard
    ("ຫຼ້າ", "La"),          # ຫຼ
    ("ໝາກ", "Mak"),          # ໝ
    ("ຫມາກ", "Mak"),         # the same written with ຫມ
    ("ໜອງ", "Nong"),
    ("ຫນອງ", "Nong"),
    ("ຂວາງ", "Khouang"),
    ("ແຂວງ", "Khoueng"),     # ວ between the consonant and the final, after a leading vowel
    ("ລາວ", "Lao"),          # final ວ
    ("ສາຍ", "Say"),          # final ຍ
    ("ດີໆ", "Didi"),          # the repetition mark
    ("ດີ ໆ", "Didi"),
    ("ຈັນທ໌", "Chan"),        # the cancellation mark silences ທ
    ("ພຣະ", "Phra"),         # a consonant with no vowel before a syllable
    ("ຈັນທຣາ", "Chanthra"),
    ("ຄົນ", "Khon"),
    ("ຄຳ", "Kham"),
    ("ຄໍາ", "Kham"),         # ຳ written as ໍ + າ
    ("໑໙໗໕", "1975"),         # Lao digits
    ("ສົມ-ສັກ", "Som-Sak"),
    ("Somsak ວົງສາ", "Somsak Vongsa"),
])
def test_lao_spelling_rules(lao, latin):
    assert romanize_lao(lao) == latin


def test_tone_marks_change_nothing():
    assert romanize_lao("ກ່າ ກ້າ ກ໊າ ກ໋າ ກາ") == "Ka Ka Ka Ka Ka"


@pytest.mark.parametrize("text", ["", "Somsak Vongsa", "O'Neill", "Nguyễn Văn An", "ทองสุข", "  two  spaces "])
def test_text_without_lao_comes_back_unchanged(text):
    assert romanize_lao(text) == text
    assert not has_lao(text)


def test_has_lao():
    assert has_lao("ສົມສັກ")
    assert has_lao("Somsak ວົງສາ")
    assert not has_lao(None)


LAO_BLOCK = "".join(chr(c) for c in range(0x0E80, 0x0F00))
lao_heavy_text = st.text(alphabet=st.sampled_from(LAO_BLOCK + " -.(ab1\u200b"), max_size=60)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), lao_heavy_text))
def test_never_raises_and_leaves_no_lao_script(text):
    latin = romanize_lao(text)
    assert isinstance(latin, str)
    assert not any("\u0e80" <= character <= "\u0eff" for character in latin)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), lao_heavy_text))
def test_romanizing_twice_is_romanizing_once(text):
    once = romanize_lao(text)
    assert romanize_lao(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters=LAO_BLOCK), max_size=60))
def test_latin_text_is_left_alone(text):
    assert romanize_lao(text) == text


def test_a_long_run_of_clusters_does_not_recurse():
    assert romanize_lao("ປຼ" * 5000)[:4] == "Plpl"
