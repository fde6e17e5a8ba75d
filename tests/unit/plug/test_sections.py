from babelbench.plug.sections import PivotStatus, extract_target, format_plug_response


def test_round_trip_keeps_only_the_target_section():
    response = format_plug_response("en", "Tokyo is the capital.", "zh", "东京是首都。")
    assert response == "English response:\nTokyo is the capital.\n\n中文回复：\n东京是首都。"
    assert extract_target(response, "zh") == ("东京是首都。", PivotStatus.OK)
    assert extract_target(response, "en") == ("Tokyo is the capital.", PivotStatus.OK)


def test_pivot_language_item_has_a_single_section():
    assert format_plug_response("en", "Hi.", "en", "Hi.") == "English response:\nHi."


def test_only_pivot_section_keeps_nothing():
    assert extract_target("English response:\nHello there", "ko") == ("", PivotStatus.ONLY_PIVOT)


def test_no_label_keeps_whole_answer():
    assert extract_target("  Hola, ¿qué tal?  ", "es") == ("Hola, ¿qué tal?", PivotStatus.LABEL_NOT_FOUND)


def test_other_pivot_than_english_works_too():
    response = format_plug_response("es", "Hola.", "it", "Ciao.")
    assert extract_target(response, "it") == ("Ciao.", PivotStatus.OK)
