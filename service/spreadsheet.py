"""CSV cells that a spreadsheet cannot run as formulas (OWASP, "CSV Injection").

A cell starting with = + - @, a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)`, `@SUM(...)`), so exports prefix such a cell with a
single quote, which makes the spreadsheet show it as text. The CSV import takes exactly that
quote away again, so an export imports back to the same data: cells already starting with
quotes before such a character get one more quote on the way out, one fewer on the way in.
"""

import re

# One or more quotes before a formula character: what `neutralise` produced.
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
# Zero or more quotes before a formula character: what `neutralise` must change.
_FORMULA_LIKE = re.compile(r"^'*[=+\-@\t\r]")


def neutralise(cell):
    """The cell as written to an exported CSV file."""
    if isinstance(cell, str) and _FORMULA_LIKE.match(cell):
        return "'" + cell
    return cell


def restore(cell):
    """A cell of an imported CSV file as it was before `neutralise`."""
    if isinstance(cell, str) and _NEUTRALISED.match(cell):
        return cell[1:]
    return cell
