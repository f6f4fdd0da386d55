"""Writes the workbook fixtures of tests/data/dialects/ from plain.csv (see `definitions`, input formats).

Each workbook holds the orders of plain.csv on a sheet "Orders", typed as a
spreadsheet user would have them, so that reading it gives the profiles of plain.csv:

- ids that are digits without a leading zero (17850) are number cells, the others
  (00001, C-ANNA) text cells;
- dates are date cells (the one with a time of day a date-time cell), except the
  second row's, which is a text cell;
- amounts are number cells (so 12.50 is stored as 12.5 and 0.3 as 0.1 + 0.2, that is
  0.30000000000000004), except the first row's, a text cell "12.50";
- a second sheet "Customers" holds a few customers' attributes.

Files written: orders.xlsx (1900 date system), orders_1904.xlsx (1904 date system),
orders.ods, orders.xls, and rejects.xlsx (bad cells at known places; see below).

Rerun it from the repository root, with a throwaway virtual environment outside it:

    python3 -m venv /tmp/wb-venv
    /tmp/wb-venv/bin/pip install openpyxl odfpy xlwt
    /tmp/wb-venv/bin/python tests/data/dialects/make_workbooks.py

The output is not byte-for-byte stable across library versions (zip timestamps), but
its cells are.
"""

import csv
import datetime
import os
import re
import zipfile

import openpyxl
import openpyxl.utils.datetime
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

HERE = os.path.dirname(os.path.abspath(__file__))

CUSTOMERS = [
    ["customer_id", "region", "employees", "status"],
    ["00001", "north", 12, "Prospect"],
    [17850, "south", 250, "target"],
    ["C-ANNA", "east", None, None],
]


def orders():
    """The rows of plain.csv as typed cell values."""
    with open(os.path.join(HERE, "plain.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    typed = []
    for i, (cid, date, amount, product) in enumerate(data):
        cid = int(cid) if re.fullmatch(r"[1-9][0-9]*", cid) else cid
        if i == 1:
            day = date  # a text cell
        elif " " in date:
            day = datetime.datetime.strptime(date, "%Y-%m-%d %H:%M:%S")
        else:
            day = datetime.date.fromisoformat(date)
        if i == 0:
            value = amount  # a text cell, "12.50"
        elif amount == "0.3":
            value = 0.1 + 0.2  # stored as 0.30000000000000004
        else:
            value = float(amount)
        typed.append([cid, day, value, product])
    return header, typed


def xlsx(path, epoch=None):
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    ws.title = "Orders"
    header, rows = orders()
    ws.append(header)
    for row in rows:
        ws.append(row)
        cell = ws.cell(row=ws.max_row, column=2)
        if isinstance(row[1], datetime.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(row[1], datetime.date):
            cell.number_format = "yyyy-mm-dd"
    customers = wb.create_sheet("Customers")
    for row in CUSTOMERS:
        customers.append(row)
    wb.save(path)
    exact_doubles(path)


def exact_doubles(path):
    """openpyxl writes numbers with 16 significant digits ("%.16g"), which turns
    0.1 + 0.2 into 0.3; Excel writes the shortest form that reads back as the same
    double. Rewrite the one value where they differ, as Excel would have it."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "xl/worksheets/sheet1.xml":
                short = "%.16g" % (0.1 + 0.2)
                before = data.count(b"<v>%s</v>" % short.encode())
                assert before == 1, before
                data = data.replace(
                    b"<v>%s</v>" % short.encode(), b"<v>%r</v>" % (0.1 + 0.2)
                )
            z.writestr(info, data)


def rejects_xlsx(path):
    """Sheet "Orders": header in row 1, 16 rows below; row 12 empty (skipped), bad
    cells at B5 (a number as a date), C8 (TRUE), C10 (#DIV/0!), A14 (empty id) and
    C17 (text "abc"). A second sheet "Notes" for the sheet list of errors."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["customer_id", "date", "amount"])
    for r in range(2, 18):
        if r == 12:
            ws.append([])
            continue
        ws.append([f"C{r}", datetime.date(2025, 1, r), float(r)])
        ws.cell(row=r, column=2).number_format = "yyyy-mm-dd"
    ws["B5"] = 45000
    ws["B5"].number_format = "General"
    ws["C8"] = True
    ws["C10"] = "#DIV/0!"
    ws["C10"].data_type = "e"
    ws["A14"] = None
    ws["C17"] = "abc"
    notes = wb.create_sheet("Notes")
    notes.append(["nothing here"])
    wb.save(path)


def stray_cell_xlsx(path):
    """One order, and a stray value in the last cell of the sheet (XFD1048576): the
    rectangle around the sheet's values is 17 billion cells, its values three rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Orders"
    ws.append(["customer_id", "date", "amount"])
    ws.append(["C1", "2024-01-01", "5.00"])
    ws["XFD1048576"] = "x"
    wb.save(path)


def ods(path):
    doc = OpenDocumentSpreadsheet()

    def table(name, rows):
        t = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                if value is None:
                    tc = TableCell()
                elif isinstance(value, datetime.datetime):
                    tc = TableCell(valuetype="date", datevalue=value.isoformat())
                    tc.addElement(P(text=value.isoformat(sep=" ")))
                elif isinstance(value, datetime.date):
                    tc = TableCell(valuetype="date", datevalue=value.isoformat())
                    tc.addElement(P(text=value.isoformat()))
                elif isinstance(value, (int, float)):
                    tc = TableCell(valuetype="float", value=repr(value))
                    tc.addElement(P(text=str(value)))
                else:
                    tc = TableCell(valuetype="string")
                    tc.addElement(P(text=value))
                tr.addElement(tc)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)

    header, rows = orders()
    table("Orders", [header] + rows)
    table("Customers", CUSTOMERS)
    doc.save(path)


def xls(path):
    wb = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    datetime_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM")

    def sheet(name, rows):
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.datetime):
                    ws.write(r, c, value, datetime_style)
                elif isinstance(value, datetime.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)

    header, rows = orders()
    sheet("Orders", [header] + rows)
    sheet("Customers", CUSTOMERS)
    wb.save(path)


if __name__ == "__main__":
    xlsx(os.path.join(HERE, "orders.xlsx"))
    xlsx(
        os.path.join(HERE, "orders_1904.xlsx"),
        epoch=openpyxl.utils.datetime.CALENDAR_MAC_1904,
    )
    ods(os.path.join(HERE, "orders.ods"))
    xls(os.path.join(HERE, "orders.xls"))
    rejects_xlsx(os.path.join(HERE, "rejects.xlsx"))
    stray_cell_xlsx(os.path.join(HERE, "stray_cell.xlsx"))
