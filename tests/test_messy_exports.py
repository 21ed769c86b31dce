"""Event exports as analysts have them (issue 15): re-saved, re-typed, re-encoded.

Each fixture in ``tests/data/messy_events`` reproduces one case (see its README);
expected values are the hand-made fixtures' own (the 2023 ACLED file, the
GED and GDELT files) or hand-computed dates, never the readers' output.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from borderstrikes.cli import main
from borderstrikes.errors import BorderstrikesWarning, DataFileError
from borderstrikes.io import read_acled, read_gdelt_events, read_ucdp_ged
from borderstrikes.io.codebooks import GDELT_COLUMNS
from borderstrikes.io.events import EVENT_COLUMNS
from borderstrikes.io.files import read_csv, sniff_dialect, str_array, take_rows
from borderstrikes.io.gdelt import _read_fixed_width, _read_ragged

DATA = Path(__file__).parent / "data" / "messy_events"
EVENTS = Path(__file__).parent / "data" / "events"

# The first three records of acled_am_az_2023.csv, which most ACLED fixtures here re-save.
FIRST3 = {
    "report_id": ["ACLED:ARM2001", "ACLED:ARM2002", "ACLED:ARM2003"],
    "lon": [45.6711, 45.8695, 46.3417],
    "lat": [39.8395, 40.2001, 39.5111],
}


def check_first3(events, index=(0, 1, 2)):
    assert events.index.tolist() == list(index)
    assert events["report_id"].tolist() == FIRST3["report_id"]
    np.testing.assert_allclose(events.geometry.x, FIRST3["lon"])
    np.testing.assert_allclose(events.geometry.y, FIRST3["lat"])
    assert (events["date"] == pd.Timestamp("2022-09-13")).all()


# ------------------------------------------------------------------------------ HDX / HXL


def test_hxl_row_is_skipped_not_rejected():
    events, rejects = read_acled(DATA / "acled_hdx_hxl.csv")
    assert rejects.empty
    check_first3(events)  # the HXL row is not a record: the first event is row 0
    assert any("HXL" in note for note in events.attrs["notes"])


def test_missing_fatalities_column_is_reported_once():
    with pytest.warns(BorderstrikesWarning, match=r"no column\(s\) \['fatalities'\]") as seen:
        events, rejects = read_acled(DATA / "acled_no_fatalities.csv")
    assert len([w for w in seen if issubclass(w.category, BorderstrikesWarning)]) == 1
    assert rejects.empty
    check_first3(events)
    assert events["fatalities_best"].isna().all()
    assert any("fatalities" in note for note in events.attrs["notes"])


# ------------------------------------------------------------------------------ dates


def test_us_dates_are_read_month_first_when_the_file_says_so():
    events, rejects = read_acled(DATA / "acled_us_dates.csv")
    assert rejects.empty
    # 9/13/2022 can only be 13 September; so 9/5/2022 is 5 September, not 9 May
    assert events["date"].tolist() == [
        pd.Timestamp(d) for d in ("2022-09-13",) * 2 + ("2022-09-05",)
    ]
    assert any("month-first" in note for note in events.attrs["notes"])
    same, _ = read_acled(DATA / "acled_us_dates.csv", dayfirst=False)
    assert same["date"].tolist() == events["date"].tolist()


def test_dayfirst_true_on_us_dates_rejects_instead_of_swapping():
    events, rejects = read_acled(DATA / "acled_us_dates.csv", dayfirst=True)
    assert rejects.index.tolist() == [0, 1]
    assert rejects["reason"].str.contains("'9/13/2022' is not a date").all()
    assert events["date"].tolist() == [pd.Timestamp("2022-05-09")]  # 9/5 read day-first, as asked


def test_ambiguous_dates_are_refused_naming_rows_and_the_keyword():
    with pytest.raises(DataFileError, match="dayfirst=") as info:
        read_acled(DATA / "acled_ambiguous_dates.csv")
    assert "row 0 '9/5/2022'" in str(info.value)
    assert "date_format=" in str(info.value)
    day, _ = read_acled(DATA / "acled_ambiguous_dates.csv", dayfirst=True)
    month, _ = read_acled(DATA / "acled_ambiguous_dates.csv", dayfirst=False)
    fmt, _ = read_acled(DATA / "acled_ambiguous_dates.csv", date_format="%m/%d/%Y")
    dates = [pd.Timestamp(d) for d in ("2022-05-09", "2022-09-10", "2022-09-12")]
    assert day["date"].tolist() == dates
    dates = [pd.Timestamp(d) for d in ("2022-09-05", "2022-10-09", "2022-12-09")]
    assert month["date"].tolist() == dates
    assert fmt["date"].tolist() == dates


def test_mixed_day_orders_are_refused(tmp_path):
    text = (DATA / "acled_us_dates.csv").read_text(encoding="utf-8")
    path = tmp_path / "mixed.csv"
    path.write_text(text.replace("9/5/2022", "14/9/2022"), encoding="utf-8")
    with pytest.raises(DataFileError, match="mixes day-first and month-first") as info:
        read_acled(path)
    assert "row 2 '14/9/2022'" in str(info.value)
    assert "row 0 '9/13/2022'" in str(info.value)


def test_bad_date_options():
    with pytest.raises(ValueError, match="dayfirst must be"):
        read_acled(DATA / "acled_us_dates.csv", dayfirst="yes")
    with pytest.raises(ValueError, match="date_format must be"):
        read_ucdp_ged(EVENTS / "ucdp_ged_am_az.csv", date_format="mm/dd/yyyy")


# ------------------------------------------------------------------------------ dialects


def test_semicolon_cp1252_decimal_comma_file():
    with pytest.warns(BorderstrikesWarning, match="cp1252"):
        events, rejects = read_acled(DATA / "acled_semicolon_cp1252.csv")
    assert rejects.empty
    check_first3(events)
    assert events["place"].iloc[0] == "Jermuk \u2013 Vayots Dzor"  # cp1252 byte 0x96
    assert events["notes"].iloc[0].startswith("On 13 September 2022, Azerbaijani forces")
    notes = " ".join(events.attrs["notes"])
    assert "semicolon" in notes
    assert "decimal comma" in notes
    # with the encoding given, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_acled(DATA / "acled_semicolon_cp1252.csv", encoding="cp1252", sep=";")


def test_wrong_separator_gets_the_semicolon_hint_though_notes_hold_commas():
    with pytest.raises(DataFileError, match="pass sep=';'"):
        read_acled(DATA / "acled_semicolon_cp1252.csv", sep=",", encoding="cp1252")


def test_wrong_encoding_is_named():
    with pytest.raises(DataFileError, match="encoding="):
        read_acled(DATA / "acled_semicolon_cp1252.csv", encoding="utf-8")


def test_utf16_tab_separated_unicode_text():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events, rejects = read_acled(DATA / "acled_utf16.txt")
    assert rejects.empty
    check_first3(events)
    dialect = sniff_dialect(DATA / "acled_utf16.txt", what="ACLED CSV")
    assert (dialect.encoding, dialect.sep) == ("utf-16", "\t")


@pytest.mark.parametrize(
    ("reader", "name", "options"),
    [
        (read_acled, "acled_am_az_2023.csv", {"sep": ",", "encoding": "utf-8-sig"}),
        (read_ucdp_ged, "ucdp_ged_am_az.csv", {"sep": ",", "encoding": "utf-8"}),
        (read_gdelt_events, "gdelt_v2_am_az.export.CSV", {"sep": "\t", "encoding": "utf-8"}),
    ],
)
def test_every_reader_takes_sep_and_encoding(reader, name, options):
    given = reader(EVENTS / name, **options)
    sniffed = reader(EVENTS / name)
    pd.testing.assert_frame_equal(given.events, sniffed.events)


@pytest.mark.parametrize(
    ("name", "sep"),
    [
        ("acled_am_az_2023.csv", ","),
        ("acled_messy.csv", ","),  # a quoted line break, an extra column
        ("ucdp_ged_messy.csv", ","),
        ("acled_semicolon_cp1252.csv", ";"),
    ],
)
def test_fast_parser_reads_what_pandas_reads(name, sep):
    """pyarrow's parse (the fast path) against pandas' C parser, cell for cell."""
    encoding = "cp1252" if "cp1252" in name else "utf-8-sig"
    path = (DATA if "cp1252" in name else EVENTS) / name
    expected = pd.read_csv(
        path, sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding=encoding
    )
    table = read_csv(path, what="test", encoding=encoding, sep=sep)
    assert list(table.columns) == list(expected.columns)
    for column in expected:
        assert table[column].tolist() == expected[column].tolist(), column


def test_gdelt_fast_and_line_by_line_parses_agree():
    path = EVENTS / "gdelt_v2_am_az.export.CSV"
    fast, layout, _ = _read_fixed_width(path, "utf-8", "\t", 2**30, 100)
    slow, same_layout, problems = _read_ragged(path, "utf-8", "\t", 2**30, 100)
    assert layout == same_layout == "GDELT 2.0 (61 fields)"
    assert not any(problems)
    assert list(fast.columns) == list(GDELT_COLUMNS[61])
    for column in fast:
        assert fast[column].tolist() == slow[column].tolist(), column
    # a file whose lines differ is left to the line-by-line parse
    assert _read_fixed_width(EVENTS / "gdelt_messy.export.CSV", "utf-8", "\t", 2**30, 100) is None


@pytest.mark.parametrize("every", [1, 2, 7])
def test_take_rows_slices_or_filters_the_same_rows(every):
    """Zero-copy slices (few runs) and the filter (many runs) keep exactly the rows asked."""
    cells = np.array([f"cell {i}" for i in range(3000)], dtype=object)
    frame = pd.DataFrame({"text": str_array(cells), "plain": pd.Series(cells, dtype=object)})
    rows = np.flatnonzero(np.arange(3000) % every == 0)  # 1: one run; 2: 1500 runs
    rows = rows[rows % 1000 != 999]
    out = take_rows(frame, rows)
    assert list(out["text"]) == cells[rows].tolist()
    assert list(out["plain"]) == cells[rows].tolist()


# ------------------------------------------------------------------------------ layouts


def test_old_acled_layout_is_named_not_sent_back_to_read_acled():
    with pytest.raises(DataFileError, match="layout before 2019") as info:
        read_acled(DATA / "acled_v7_old_layout.csv")
    assert "GEO_PRECIS" in str(info.value)
    assert "try read_acled" not in str(info.value)


def test_file_without_header_says_so():
    with pytest.raises(DataFileError, match="has no header row") as info:
        read_acled(DATA / "acled_no_header.csv")
    assert "ARM2001" in str(info.value)


def test_keep_raw_false_reads_only_what_it_needs():
    full, _ = read_acled(EVENTS / "acled_am_az_2023.csv")
    slim, _ = read_acled(EVENTS / "acled_am_az_2023.csv", keep_raw=False)
    assert list(slim.columns) == [*EVENT_COLUMNS, "geometry"]
    pd.testing.assert_frame_equal(slim, full[list(slim.columns)])


# ------------------------------------------------------------------------------ UCDP, GDELT


def test_ucdp_bounds_flagged_and_line_of_contact_unlocated():
    events, rejects = read_ucdp_ged(DATA / "ucdp_ged_bounds_line.csv")
    assert rejects.empty
    assert events["fatalities_flag"].isna().tolist() == [True, False, False, True]
    assert events.loc[1, "fatalities_flag"] == "low 3 > best 2"
    assert events.loc[2, "fatalities_flag"] == "best 9 > high 6"
    assert events.loc[[1, 2], "fatalities_best"].tolist() == [2, 9]  # kept as published
    line = events.loc[3]
    assert pd.isna(line["location_precision"])
    assert np.isnan(line["location_radius_m"])
    assert pd.isna(line["admin1"])
    assert pd.isna(line["admin1_iso"])
    assert line["place"] == "Line of Contact"
    assert events.loc[0, "location_precision"] == "settlement"  # the others unchanged
    notes = " ".join(events.attrs["notes"])
    assert "fatalities_flag" in notes
    assert "Line of Contact" in notes


def test_gdelt_adm1_marks_are_stripped():
    events, rejects = read_gdelt_events(DATA / "gdelt_adm1_star.export.CSV")
    assert rejects.empty
    assert events["admin1"].tolist() == ["Yerevan", "Syunik'"]
    assert events["place"].tolist() == ["Yerevan", "Syunik'"]
    assert events["raw_ActionGeo_FullName"].iloc[0] == "Yerevan, Yerevan*, Armenia"  # raw as is


# ------------------------------------------------------------------------------ the CLI


def test_cli_sep_encoding_and_monthfirst(tmp_path, capsys):
    out = tmp_path / "d.csv"
    argv = ["distances", "--events", str(DATA / "acled_semicolon_cp1252.csv"), "--format"]
    assert main([*argv, "acled", "--sep", ";", "--encoding", "cp1252", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert table["report_id"].tolist() == FIRST3["report_id"]
    out = tmp_path / "us.csv"
    argv = ["distances", "--events", str(DATA / "acled_ambiguous_dates.csv"), "--format", "acled"]
    assert main([*argv, "-o", str(out)]) == 1
    assert "dayfirst=" in capsys.readouterr().err
    assert main([*argv, "--monthfirst", "-o", str(out)]) == 0
    dates = pd.to_datetime(pd.read_csv(out)["date"]).dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2022-09-05", "2022-10-09", "2022-12-09"]


def test_cli_no_strike_reports_names_the_countries(tmp_path, capsys):
    text = (EVENTS / "acled_am_az_2023.csv").read_text(encoding="utf-8-sig").splitlines()
    keep = [text[0], *(line for line in text[1:] if "Strategic developments" in line)]
    path = tmp_path / "none.csv"
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    argv = ["report", "--events", str(path), "--format", "acled", "--out", str(tmp_path / "r")]
    assert main([*argv, "--countries", "ARM", "AZE"]) == 1
    err = capsys.readouterr().err
    assert "strike report on ARM/AZE" in err
    assert "Armenia" not in err.splitlines()[-1]
    # (an empty events_rejected.csv written by the report: test_readers.py,
    # test_cli_report_on_acled_events)


# ------------------------------------------------------------------------------ the doc table


def _message(call):
    """The message of the error or BorderstrikesWarning ``call`` raises ("" if none)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            call()
        except (DataFileError, ValueError) as exc:
            return str(exc)
    return " ".join(str(w.message) for w in seen if issubclass(w.category, BorderstrikesWarning))


def _mixed(tmp_path):
    text = (DATA / "acled_us_dates.csv").read_text(encoding="utf-8")
    path = tmp_path / "mixed.csv"
    path.write_text(text.replace("9/5/2022", "14/9/2022"), encoding="utf-8")
    return path


MESSY_CALLS = {
    "messy-no-fatalities": lambda tmp: read_acled(DATA / "acled_no_fatalities.csv"),
    "messy-ambiguous-dates": lambda tmp: read_acled(DATA / "acled_ambiguous_dates.csv"),
    "messy-mixed-dates": lambda tmp: read_acled(_mixed(tmp)),
    "messy-semicolon-cp1252": lambda tmp: read_acled(DATA / "acled_semicolon_cp1252.csv"),
    "messy-wrong-sep": lambda tmp: read_acled(
        DATA / "acled_semicolon_cp1252.csv", sep=",", encoding="cp1252"
    ),
    "messy-wrong-encoding": lambda tmp: read_acled(
        DATA / "acled_semicolon_cp1252.csv", encoding="utf-8"
    ),
    "messy-old-acled": lambda tmp: read_acled(DATA / "acled_v7_old_layout.csv"),
    "messy-no-header": lambda tmp: read_acled(DATA / "acled_no_header.csv"),
}


def test_documented_messy_cases(tmp_path):
    text = (Path(__file__).parent.parent / "docs" / "bad_input.md").read_text(encoding="utf-8")
    table = text.split("<!-- messy: begin -->\n", 1)[1].split("<!-- messy: end -->", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in table.splitlines()[2:]]
    fragments = {row[0]: row[4].strip("`") for row in rows if row[4] != "—"}
    assert set(fragments) == {*MESSY_CALLS, "messy-cli-countries"}
    for case, call in MESSY_CALLS.items():
        assert fragments[case] in _message(lambda call=call: call(tmp_path)), case
    # the CLI row is test_cli_no_strike_reports_names_the_countries
