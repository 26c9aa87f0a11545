#!/usr/bin/python3
"""Prints every row of the first sheet of an XLSX file as openpyxl reads it,
cells joined by '|': test-report checks what Excel users would see."""
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1], read_only=True)
sheet = book.worksheets[0]
for row in sheet.iter_rows(values_only=True):
    print("|".join("" if v is None else str(v) for v in row).rstrip("|"))
