"""Language, segmentation of program words, stop words, keywords and masking (by hand)."""

import pytest

from memberlens.voc.text import detect_language, keywords, masked, textrank, tokens


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("积分一直没有到账", "zh"),
        ("Points never arrived", "en"),
        ("积分 never arrived 客服也不回", "mixed"),  # 6 han, 11 letters ≈ 2.2 words: 73 %
        ("12345 !!!", "unknown"),
        ("黑卡会员日 perks", "zh"),  # 5 han, 5 letters ≈ 1 word: 83 %
    ],
)
def test_language_by_script_share(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_program_words_are_one_token() -> None:
    assert tokens("黑卡会员日满减优惠券用不了") == ["黑卡", "会员日", "满减", "优惠券", "用不了"]
    assert tokens("积分一直没有到账") == ["积分", "没有", "到账"]  # 一直 is a stop word


def test_workspace_words_join_the_dictionary() -> None:
    assert "悦享生活" not in tokens("悦享生活的积分")
    assert tokens("悦享生活的积分", words=["悦享生活"]) == ["悦享生活", "积分"]


def test_english_tokens_lower_case_without_stop_words() -> None:
    assert tokens("The App keeps CRASHING, I can't redeem!") == [
        "app", "keeps", "crashing", "can't", "redeem",
    ]  # fmt: skip


def test_full_width_letters_fold() -> None:
    assert tokens("ＡＰＰ闪退") == ["app", "闪退"]


def test_tfidf_keywords() -> None:
    # 积分 is in all three texts (idf 1), 过期 in two: tf 2 × (log(4/3) + 1) = 2.58 beats
    # 积分's 3 × 1 = 3? no: 3 > 2.58, so 积分 first, then 过期, then the one-off words
    found = keywords(["积分过期了", "积分又过期", "积分没到账"], top=3)
    assert found[:2] == ["积分", "过期"]
    assert found[2] == "没到账"


def test_textrank_finds_program_words() -> None:
    assert "积分" in textrank("积分商城的积分兑换太慢，积分一直不到账，兑换失败")


def test_masking_in_every_pattern() -> None:
    text = (
        "电话１３８００１３８０００ 或 139 0013 9000，"
        "邮箱 li.si@example.com，身份证 110101199003071234"
    )
    out = masked(text)
    assert out is not None
    assert "138****8000" in out and "139****9000" in out
    assert "l***@example.com" in out and "**************1234" in out
    assert masked(None) is None
