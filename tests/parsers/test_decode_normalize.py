from parsers.decode import decode_bytes
from parsers.normalize import normalize_text

TEXT = "南充市统计局2020年政府信息公开工作年度报告"


def test_utf8_with_and_without_bom():
    assert decode_bytes(TEXT.encode()).encoding == "utf-8"
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode()).encoding == "utf-8-sig"


def test_gbk_and_big5_are_told_apart():
    gbk = decode_bytes(TEXT.encode("gbk"))
    assert (gbk.encoding, gbk.text) == ("gb18030", TEXT)
    trad = "南充市統計局2020年政府信息公開工作年度報告"
    big5 = decode_bytes(trad.encode("big5"))
    assert (big5.encoding, big5.text) == ("big5", trad)


def test_utf16_and_binary_and_empty_are_named():
    assert decode_bytes(TEXT.encode("utf-16")).encoding == "utf-16"
    assert decode_bytes(b"").kind == "empty"
    assert decode_bytes(b"\x89PNG\r\n\x1a\n....").kind == "binary"
    assert decode_bytes(b"%PDF-1.7 ...").kind == "pdf"


def test_undecodable_bytes_are_not_guessed():
    d = decode_bytes(bytes(range(0x80, 0x100)) * 4)
    assert d.text is None and d.kind == "undecodable" and d.reason


def test_normalize_strips_pinyin_ruby_and_converts_to_simplified():
    assert normalize_text("南充市統(tǒng)計(jì)局2020年政府信息公開工作年度報告") == "南充市统计局2020年政府信息公开工作年度报告"
    assert normalize_text("（一）予以公開") == "(一)予以公开"
    # Parenthesised latin text without tone marks is not ruby and stays.
    assert normalize_text("网站(www)") == "网站(www)"


def test_place_names_that_t2s_would_rewrite_are_kept():
    assert normalize_text("乾安县住房和城乡建设局") == "乾安县住房和城乡建设局"
    assert normalize_text("乾安縣住房和城鄉建設局公開") == "乾安县住房和城乡建设局公开"


def test_newlines_are_unix_whatever_the_batch():
    from parsers.normalize import normalize_texts
    assert normalize_texts(["a\r\nb\rc\n", "x\ny"]) == ["a\nb\nc\n", "x\ny"]
    assert normalize_texts(["x\ny"]) == ["x\ny"]
    assert normalize_texts(["\r\r\n\n"]) == ["\n\n\n"]
