"""Pre-2019 prose and its 统计表: this year's figure, never the cumulative one."""

from parsers.prose import read_prose


def facts(text):
    cells, issues = read_prose(text)
    return {c.row_code: c.value for c in cells if c.table_name == "legacy"}, issues


def test_prose_sentences():
    got, _ = facts("全市共受理政府信息公开申请246件,共办理答复246件。同意公开10件,部分公开3件,不予公开15件。")
    assert got["applications_received"] == 246 and got["granted"] == 10 and got["denied"] == 15


def test_stat_table_takes_this_years_column():
    got, _ = facts("附表 年度 累计 申请公开信息总数 条 3 17 对申请的答复总数 条 3 16 行政复议数 件 0 2")
    assert got["applications_received"] == 3 and got["applications_answered"] == 3
    assert got["administrative_reviews"] == 0


def test_run_together_columns_split_only_when_unique():
    got, issues = facts("累计 申请公开总数条00其中：1、当面申请数条002、网上申请数条00 "
                        "对申请的答复总数条13 行政复议数件1213")
    assert got["applications_received"] == 0          # "00" can only be 0 | 0
    assert got["applications_answered"] == 1          # "13": 1 | 3 (this year ≤ cumulative)
    assert "administrative_reviews" not in got        # "1213": 1 | 213 or 12 | 13: not certain
    assert any(i.check_name == "stat_table_unreadable" for i in issues)


def test_prose_and_table_disagreeing_is_flagged():
    got, issues = facts("共受理政府信息公开申请5件。统计表 申请公开信息总数 条 4")
    assert got["applications_received"] == 5
    assert [i.check_name for i in issues] == ["prose_table_mismatch"]
