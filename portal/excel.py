"""Formula-safe cells for every Excel export.

A text that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is read by Excel as
a formula; a citizen's text in an export must never run as one (CSV/formula injection). Such texts
get a leading apostrophe; numbers, dates and None pass unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write into a cell: text that Excel would evaluate is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """Every value of a row made formula-safe."""
    return [safe_cell(value) for value in values]


def append(sheet, values) -> None:
    """``sheet.append`` with every value formula-safe: the one way an export writes a row."""
    sheet.append(safe_row(values))
