"""``[voc] words``: read and validated by the config, passed to jieba's segmentation."""

from collections.abc import Callable

import pytest

import memberlens as ml
from memberlens.config import parse_config
from memberlens.errors import ConfigError
from memberlens.voc.text import tokens

BRAND = "澜珀茶研"  # a brand word written for this test only: jieba alone splits it
POSTS = "post_id,member_id,at,source,text\n" + "".join(
    f"B{i},,2025-03-0{1 + i % 9},weibo,{text}\n"
    for i, text in enumerate([f"{BRAND}的奶茶很好喝", f"今天去了{BRAND}", f"{BRAND}积分到账了"] * 4)
)


def test_words_are_read_and_validated() -> None:
    assert parse_config({"voc": {"words": ["悦享生活", "黑卡"]}}).voc.words == ("悦享生活", "黑卡")
    assert parse_config({}).voc.words == ()
    with pytest.raises(ConfigError) as raised:
        parse_config({"voc": {"words": ["悦享 生活", "", 3, "黑卡", "黑卡", "长" * 31]}})
    message = str(raised.value)
    for part in ("holds a space", "an empty word", "3 is not a string", "'黑卡' is listed twice",
                 "longer than 30 characters"):  # fmt: skip
        assert part in message
    with pytest.raises(ConfigError, match="write a list of words"):
        parse_config({"voc": {"words": "悦享生活"}})
    with pytest.raises(ConfigError, match=r"voc\.word: unknown key; allowed keys here: words"):
        parse_config({"voc": {"word": []}})


def test_the_workspace_words_reach_the_segmentation(
    load_csv: Callable[..., ml.Workspace],
) -> None:
    assert BRAND not in tokens(f"{BRAND}的奶茶很好喝")  # not whole without the user dictionary
    ws = load_csv(("posts", POSTS))
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[voc]\nwords = ["{BRAND}"]\n', encoding="utf-8"
    )
    ws = ml.open(ws.root)
    assert ws.config.voc.words == (BRAND,)
    rows = ws.voc.topics("posts", "2025-03-01", "2025-03-31", k=1)
    assert BRAND in rows[0]["keywords"]
    assert BRAND in tokens(f"{BRAND}的奶茶很好喝")
