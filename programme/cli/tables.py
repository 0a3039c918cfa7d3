"""Tables that read at any terminal width, 80 columns (and piped output) included.

Rich shrinks the widest columns first when a table is too wide, so a column holding an id and
a long title under it was cut down to a few letters and the id broken mid-word
("carers-su/rvey"). Here each column gets a width of its own before Rich lays it out:

* an id column is never narrower than its longest id (the first line of each cell);
* every other column is never narrower than its longest word, so text wraps between words,
  and short values (dates, counts, ratings) keep to one line;
* when that does not fit, a command's compact layout of the same rows is tried (the forecast
  under the due date, say), then the optional columns fold away, least needed first, and only
  then may short values wrap.

What is left over goes first to the columns that need the fewest cells to be whole, so a long
title column takes the rest.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

SHORT = 12  # a column whose longest line is this short is given its full width first


@dataclass(frozen=True)
class Column:
    """One column: its header, how it is aligned, and whether it may fold away.

    `fold` 0 keeps the column at every width; otherwise the column is left out when the
    table cannot fit, highest numbers first. `ids` marks a column whose cells start with an
    id (an optional title may follow on the next lines): the id is never broken."""

    header: str
    fold: int = 0
    ids: bool = False
    justify: JustifyMethod = "left"
    least: int = 0  # narrowest useful width (narrower: a cell of many lines), unless nothing fits


Cell = str | Text


def _text(console: Console, cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else console.render_str(cell, highlight=False)


def _longest_word(text: str) -> int:
    return max((cell_len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _least(column: Column, cells: list[Text], whole_short: bool) -> int:
    """The narrowest the column can be without breaking a word (or an id) in it; with
    `whole_short`, a short column (dates, counts, ratings) is not wrapped at all and a column
    is not made narrower than its `least`."""
    least = _longest_word(column.header)
    for cell in cells:
        lines = cell.plain.splitlines() or [""]
        if column.ids:
            least = max(least, cell_len(lines[0]))
        least = max(least, max(_longest_word(line) for line in lines))
    most = _most(column, cells)
    if not whole_short:  # the last resort: words whole, nothing more
        return max(least, 1)
    least = max(least, min(column.least, most))
    return max(most if most <= SHORT else least, 1)


def _most(column: Column, cells: list[Text]) -> int:
    """The column's natural width: its longest line (a long header may wrap between words)."""
    header = _longest_line(column.header)
    header = header if header <= SHORT else _longest_word(column.header)
    return max([header, 1] + [_longest_line(c.plain) for c in cells])


def _spread(least: list[int], most: list[int], room: int) -> list[int]:
    """Widths from `least` up: short columns whole first, then each column that needs the
    fewest cells to be whole, so a long title column takes what is left."""
    widths = list(least)
    spare = room - sum(widths)
    for i, top in enumerate(most):
        if top <= SHORT and spare > 0:
            grow = max(0, min(top - widths[i], spare))
            widths[i] += grow
            spare -= grow
    while spare > 0:
        short = [(most[i] - widths[i], i) for i in range(len(widths)) if widths[i] < most[i]]
        if not short:
            break
        need, i = min(short)
        grow = min(need, spare)
        widths[i] += grow
        spare -= grow
    return widths


def _room(width: int, count: int) -> int:
    """What a table of `count` columns leaves for text: "│ " before each column, " │" after."""
    return width - 3 * count - 1


def _fit(columns: Sequence[Column], cells: list[list[Text]], width: int,
         whole_short: bool, fold: bool) -> tuple[list[int], list[int]] | None:
    """The columns shown and their widths, folding optional ones away; None if it cannot fit."""
    shown = list(range(len(columns)))
    least = [_least(columns[i], cells[i], whole_short) for i in shown]
    most = [max(_most(columns[i], cells[i]), least[i]) for i in shown]
    optional = sorted((i for i, c in enumerate(columns) if c.fold and fold),
                      key=lambda i: -columns[i].fold)
    while optional and sum(least[i] for i in shown) > _room(width, len(shown)):
        shown.remove(optional.pop(0))
    if sum(least[i] for i in shown) > _room(width, len(shown)):
        return None
    return shown, _spread([least[i] for i in shown], [most[i] for i in shown],
                          _room(width, len(shown)))


Layout = tuple[Sequence[Column], Sequence[Sequence[Cell]]]


def fitted_table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], console: Console,
                 title: str | None = None, width: int | None = None,
                 narrow: Layout | None = None) -> Table:
    """A Rich table of `rows` (markup strings or Text, one per column) that fits `width`
    (default: the console's): optional columns folded away as needed, every column sized so
    that ids stay whole and text wraps between words. `narrow` is a more compact layout of the
    same rows (e.g. two date columns as one), used before any column is folded away."""
    width = width or console.width
    layouts = [(columns, rows)] + ([narrow] if narrow else [])
    prepared = [(cols, [[_text(console, row[i]) for row in body] for i in range(len(cols))])
                for cols, body in layouts]
    chosen = None
    tries = [(whole_short, fold, cols, cells) for whole_short in (True, False)
             for fold in (False, True) for cols, cells in prepared]
    for whole_short, fold, cols, cells in tries:  # the compact layout before folding away
        fit = _fit(cols, cells, width, whole_short, fold)
        if fit is not None:
            chosen = cols, cells, fit
            break
    table = Table(title=title, title_justify="left")
    if chosen is None:  # narrower than any layout allows: Rich's own best effort
        cols, cells = prepared[-1]
        shown, widths = [i for i, c in enumerate(cols) if not c.fold], None
    else:
        cols, cells, (shown, widths) = chosen
    for n, i in enumerate(shown):
        table.add_column(cols[i].header, justify=cols[i].justify,
                         width=widths[n] if widths else None, overflow="fold")
    for r in range(len(cells[0]) if cells else 0):
        table.add_row(*(cells[i][r] for i in shown))
    return table
