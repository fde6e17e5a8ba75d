"""Extracting the target section where labels repeat or touch (mutation check, ``make mutation``)."""

from babelbench.plug.sections import PivotStatus, extract_target


def test_the_first_target_label_opens_the_section():
    response = "中文回复：\n第一\n\nEnglish response:\nsecond\n\n中文回复：\n第三"
    assert extract_target(response, "zh") == ("第一", PivotStatus.OK)


def test_the_section_ends_at_the_nearest_following_label():
    response = "English response:\nHi.\n\n中文回复：\n你好。\n\nEnglish response:\nagain\n\nEnglish response:\nonce more"
    assert extract_target(response, "zh") == ("你好。", PivotStatus.OK)


def test_a_label_right_after_the_target_label_leaves_it_empty():
    assert extract_target("中文回复：English response: hi", "zh") == ("", PivotStatus.OK)
