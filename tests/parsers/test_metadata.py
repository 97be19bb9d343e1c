"""Agency, year and publication date, from the places reports put them."""

from datetime import date

from parsers.metadata import government_of_place, read_metadata


def test_title_signature_and_canonical_name():
    text = ("南谯区经信局2020年政府信息公开工作年度报告\n发布时间:2021-01-15 12:22\n"
            "现向社会公布滁州市南谯区经济和信息化局2020年度政府信息公开工作年度报告。\n")
    meta = read_metadata(text)
    assert (meta.agency_name_raw, meta.agency_name, meta.year) == ("南谯区经信局", "滁州市南谯区经济和信息化局", 2020)
    assert meta.published_date == date(2021, 1, 15)


def test_no_title_uses_the_signature():
    meta = read_metadata("2023年,我局共收到政府信息公开申请2件。\n汉阳区统计局\n· 2024年1月15日\n")
    assert (meta.agency_name, meta.year, meta.published_date) == ("汉阳区统计局", 2023, date(2024, 1, 15))


def test_a_place_title_takes_the_government_named_in_the_source_line():
    assert government_of_place("平潭综合实验区", "平潭综合实验区管委会办公室") == "平潭综合实验区管委会"
    assert government_of_place("平潭综合实验区", "平潭县人民政府") == "平潭综合实验区"
    assert government_of_place("南充市统计局", "南充市统计局办公室") == "南充市统计局"


def test_without_any_name_the_most_named_division_is_assumed_and_said():
    text = "本报告汇总平潭综合实验区各单位情况。平潭综合实验区主动公开信息。平潭综合实验区依申请公开。社区 园区 辖区"
    meta = read_metadata(text)
    assert meta.agency_name == "平潭综合实验区" and meta.agency_inferred
    assert read_metadata("无题。园区 园区 园区 辖区 辖区 辖区").agency_name is None


def test_an_ocr_slip_in_the_place_name_is_corrected_and_said():
    text = ("沐阳县人民政府2025年政府信息公开工作年度报告\n本报告所列数据统计期限从2025年1月1日至2025年12月31日止。\n"
            "沐阳县人民政府\n2026年1月23日\n")
    meta = read_metadata(text)
    assert (meta.agency_name_raw, meta.agency_name) == ("沐阳县人民政府", "沭阳县人民政府")
    assert [n[:3] for n in meta.notes] == [("warning", "place_name_corrected", "agency")]
    assert "沐阳县" in meta.notes[0][3] and "沭阳县" in meta.notes[0][3]


def test_a_made_up_slip_in_another_county_and_names_left_alone():
    meta = read_metadata("雎宁县财政局2021年政府信息公开工作年度报告\n")
    assert meta.agency_name == "睢宁县财政局" and meta.notes
    for title in ("睢宁县财政局", "高新区管委会", "锅阳县人民政府"):
        meta = read_metadata(f"{title}2021年政府信息公开工作年度报告\n")
        assert meta.agency_name == title and not meta.notes


def test_chrome_glued_to_the_title_is_cut_off():
    tail = "聊城市冠县财政局2020年政府信息公开工作年度报告来源:聊城市冠县财政局【字体：大 中 小】 打印 关闭根据条例编制本报告。"
    for head in ("当前位置：首页 > 政务公开 > 政府信息公开年报", "首页>政务公开>政府信息公开", "您的位置：首页 >> 信息公开 >> 年度报告",
                 "首页>信息公开>", "打印关闭"):
        meta = read_metadata(head + tail)
        assert (meta.agency_name_raw, meta.agency_name, meta.year) == ("聊城市冠县财政局", "聊城市冠县财政局", 2020), head
    # the title glued to a byline that starts with the agency; a body phrase glued to a title
    meta = read_metadata("聊城市冠县财政局2020年政府信息公开工作年度报告聊城市冠县财政局 2021年1月5日根据条例,"
                         "现将年度报告聊城市冠县财政局2020年政府信息公开工作年度报告公布如下。")
    assert meta.agency_name == "聊城市冠县财政局"


def test_chrome_words_without_a_division_after_them_are_no_agency():
    assert read_metadata("年报市财政局2020年政府信息公开工作年度报告\n根据条例编制。").agency_name is None
    # 政务公开 / 信息公开 may be part of a name
    assert read_metadata("南充市政务公开办公室2020年政府信息公开工作年度报告\n").agency_name == "南充市政务公开办公室"


def test_a_signature_run_into_the_last_sentence():
    body = "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。六、其他需要报告的事项"
    meta = read_metadata(body + "无其他需要报告的事项。夏县自然资源局2021年3月31日\n")
    assert (meta.agency_name, meta.year, meta.published_date) == ("夏县自然资源局", 2020, date(2021, 3, 31))
    assert read_metadata(body + "无其他需要报告的事项运城市夏县自然资源局 2021年3月31日").agency_name == "运城市夏县自然资源局"
    # no division at the start of the run: no name is guessed from it
    assert read_metadata(body + "本机关未收取信息处理费办公室2021年3月31日").agency_name is None


def test_the_report_records_the_place_name_correction():
    from parsers.report import parse_report

    text = "沐阳县人民政府2025年政府信息公开工作年度报告\n本报告所列数据统计期限从2025年1月1日至2025年12月31日止。\n"
    parsed = parse_report(text.encode(), "x.txt")
    assert parsed.report["agency_name"] == "沭阳县人民政府" and parsed.report["adcode"] == "321322"
    assert any(i.check_name == "place_name_corrected" and i.severity == "warning" for i in parsed.issues)
