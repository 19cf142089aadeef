"""The one writer of every CSV and XLSX export."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from apps.core import spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+1", "-A1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_characters_get_an_apostrophe_and_come_back(text):
    safe = spreadsheets.safe_text(text)
    assert safe == "'" + text
    assert spreadsheets.unescape_text(safe) == text


@pytest.mark.parametrize("text", ["Portátil", "'quoted", "1-2", ""])
def test_ordinary_text_is_left_alone(text):
    assert spreadsheets.safe_text(text) == text
    assert spreadsheets.unescape_text(text) == text


def test_numbers_stay_numbers_in_every_format():
    rows = [["=x", Decimal("-1299.50"), -3, True, date(2026, 1, 2), None]]
    plain = spreadsheets.export_bytes(headers=["a", "b", "c", "d", "e", "f"], rows=rows, fmt="csv")
    assert list(csv.reader(io.StringIO(plain.decode())))[1] == [
        "'=x", "-1299.50", "-3", "1", "2026-01-02", "",
    ]  # fmt: skip
    excel = spreadsheets.export_bytes(headers=["a"], rows=rows, fmt="csv-excel")
    assert excel.startswith(b"\xef\xbb\xbf")
    assert excel.decode("utf-8-sig").splitlines()[1] == "'=x;-1299,50;-3;1;2026-01-02;"
    book = spreadsheets.export_bytes(headers=["a"], rows=rows, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    cells = list(sheet.iter_rows())[1]
    assert [c.data_type for c in cells[:3]] == ["s", "n", "n"]
    assert cells[0].value == "'=x" and cells[1].value == -1299.5


def test_xlsx_survives_control_characters():
    book = spreadsheets.export_bytes(headers=["a"], rows=[["bell\x07"]], fmt="xlsx")
    assert (
        openpyxl.load_workbook(io.BytesIO(book)).active["A2"].value
        == "bell\N{REPLACEMENT CHARACTER}"
    )
