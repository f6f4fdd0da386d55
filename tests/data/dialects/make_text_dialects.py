"""Writes the text-dialect fixtures of tests/data/dialects/ from plain.csv.

Each fixture holds the orders of plain.csv (or, for the Chinese exports, of
plain_zh.csv, which this script also writes: the same orders with Chinese ids) the way
one kind of export writes them; the .toml beside it is the input profile that reads it.
tests/integration/dialects.rs checks that every fixture gives the profiles of its plain
file. Rerun after changing plain.csv (standard library only):

    python3 tests/data/dialects/make_text_dialects.py
"""

import csv
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

# Ids that GBK and Big5 both hold (traditional characters).
CHINESE = {
    "00001": "陳記00001",
    "17850": "王小姐17850",
    "C-ANNA": "李氏商行",
    "4711": "張三4711",
    "BETA": "林家BETA",
    "17851": "黃先生17851",
}


def rows(name):
    with open(HERE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def split_date(text):
    """(year, month, day, rest after the date)."""
    return text[0:4], text[5:7], text[8:10], text[10:]


def group(whole, sep):
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ("-" if whole.startswith("-") else "") + sep.join(groups)


def amount(text, decimal, thousands):
    whole, _, fraction = text.partition(".")
    out = group(whole, thousands) if thousands else whole
    return out + (decimal + fraction if fraction else "")


def write(name, header, lines, encoding="utf-8", delimiter=",", quote_all=False, newline="\n"):
    with open(HERE / name, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=newline,
                       quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(lines)


def main():
    plain = rows("plain.csv")

    # German CRM export: Windows-1252, semicolons, 31.12.2024, 1.890,00 €, CRLF.
    german = []
    for i, r in enumerate(plain):
        y, m, d, rest = split_date(r["date"])
        money = amount(r["amount"], ",", ".")
        german.append([r["customer_id"], f"{d}.{m}.{y}{rest}",
                       money + " €" if i % 2 else money, r["product"]])
    write("german.csv", ["Kunde", "Datum", "Betrag", "Produkt"], german,
          encoding="windows-1252", delimiter=";", newline="\r\n")

    # French export: UTF-8, semicolons, 31/12/2024, spaces between thousands (plain,
    # no-break and narrow no-break, as spreadsheets mix them).
    spaces = [" ", "\u00a0", "\u202f"]
    french = []
    for i, r in enumerate(plain):
        y, m, d, rest = split_date(r["date"])
        french.append([r["customer_id"], f"{d}/{m}/{y}{rest}",
                       amount(r["amount"], ",", spaces[i % 3]), r["product"]])
    write("french.csv", ["client", "date", "montant", "produit"], french, delimiter=";")

    # US Excel export as tab-separated text: quoted "$1,890.00", 12/31/2024. (A
    # comma-separated file cannot declare "," as its thousands separator too: the
    # two would clash, so that format is refused: see `definitions`, input formats.)
    us = []
    for r in plain:
        y, m, d, rest = split_date(r["date"])
        money = amount(r["amount"], ".", ",")
        money = "-$" + money[1:] if money.startswith("-") else "$" + money
        us.append([r["customer_id"], f"{m}/{d}/{y}{rest}", money, r["product"]])
    write("us_excel.csv", ["Customer", "Order Date", "Amount", "Product"], us,
          delimiter="\t", quote_all=True, newline="\r\n")

    # Chinese exports: the same orders with Chinese ids, 2024/12/31; GBK with simplified
    # headers, Big5 with traditional ones.
    chinese = [[CHINESE[r["customer_id"]], r["date"], r["amount"], r["product"]] for r in plain]
    write("plain_zh.csv", ["customer_id", "date", "amount", "product"], chinese)
    slashed = [[c, d.replace("-", "/", 2), a, p] for c, d, a, p in chinese]
    write("gbk.csv", ["客户", "日期", "金额", "产品"], slashed, encoding="gbk")
    write("big5.csv", ["客戶", "日期", "金額", "產品"], slashed, encoding="big5")

    # Excel's "Unicode text": UTF-16 little-endian with a byte-order mark, tabs.
    utf16 = [[r["customer_id"], r["date"], r["amount"], r["product"]] for r in plain]
    write("utf16.csv", ["customer_id", "date", "amount", "product"], utf16,
          encoding="utf-16", delimiter="\t", newline="\r\n")


if __name__ == "__main__":
    main()
