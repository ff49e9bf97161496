"""How wrapped cell text lays out in the spreadsheet apps that open our outputs.

Every output cell is 宋体 (:data:`perfeval_xl.core.styles.FONT_NAME`) at the size of its style; a
column's width is in Excel character units of the workbook's default font (Calibri 11 in the files
we write).  Two apps, two layouts, and a row must be tall enough for both:

* **Excel / WPS on Windows** draw 宋体 as SimSun: CJK characters one em wide, Latin letters and
  digits half an em (at 96 dpi, 10.5 pt = 14 px and 7 px); a width unit is the 7 px of Calibri
  11's widest digit, less 5 px of cell padding; bold is SimSun emboldened (1 px wider a glyph).
* **LibreOffice** has no SimSun and substitutes: Latin from DejaVu Sans (fontconfig's match for
  宋体), CJK from Noto Sans CJK; a width unit is the digit of the default font as LibreOffice finds
  it — 7.0 pt where Calibri falls back to DejaVu Sans (as on the machine the calibration was
  recorded on), 5.58 pt where Calibri or Carlito is installed — less 2 pt of padding; a line with
  CJK is 1.448 em high (Noto Sans CJK), a Latin-only line 1.164 em.
  Measured from LibreOffice's PDFs of the samples in tests/data/wrap_calibration.json (written by
  tools/calibrate_wrap.py).

Both break lines greedily, and the same places allow a break: after a space; before or after a
CJK character or CJK punctuation, but never just after an opening bracket and never before closing
punctuation (LibreOffice at times starts a line with "）" or "、"; keeping them to the line before
gives a line more, never fewer); a run of Latin letters, digits and signs ("=32/40×100%") is not
broken unless it is wider than the whole line (LibreOffice also breaks it at "%|+" and "/|(").
:func:`lines_needed` is the largest count of the three layouts (Excel, LibreOffice with either
width unit), :func:`height_needed` the largest height.  Pure Python, no font files read at run time.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Sequence

#: advance widths (1/2048 em) of DejaVu Sans for ASCII 32…126, regular (= oblique) and bold
_DEJAVU = (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577,
    1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401,
    2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298,
    569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716)
_DEJAVU_BOLD = (
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700,
    1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585,
    2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458,
    702, 702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192,
    1458, 748, 1458, 1716)

#: signs SimSun draws full width and LibreOffice from the Latin font (DejaVu Sans, 0.838 em)
_LATIN_SIGNS = set("×÷±≥≤≈≠")
#: characters no line starts with: closing brackets and punctuation, spaces (LibreOffice does start
#: a line with "）" or "、" at times, Excel on a Chinese system does not; a row planned for the
#: stricter rule is tall enough for both)
_NO_BREAK_BEFORE = set(" \u3000，。、；：！？）)]｝】〕〗》〉」』”’,.;:!?%％")
_CLOSING = set("）)]｝】〕〗》〉」』")
#: characters after which no line breaks (opening brackets)
_NO_BREAK_AFTER = set("（([{［｛【〔〖《〈「『")


class _Wide(dict):
    """Character → :func:`is_wide`, filled as characters are met (bounded)."""

    def __missing__(self, ch: str) -> bool:
        wide = unicodedata.east_asian_width(ch) in "WFA"
        if len(self) < 65536:
            self[ch] = wide
        return wide


_WIDE = _Wide()


def is_wide(ch: str) -> bool:
    """A character drawn from the CJK font, one em wide (ideographs, CJK punctuation, ambiguous
    signs such as “ ” × ≥ …, which SimSun draws full width)."""
    return _WIDE[ch]


@dataclass(frozen=True, eq=False)  # the apps are single objects: hashed (cache keys) by identity
class App:
    """One app's text layout (see the module text)."""

    name: str
    unit: float             # points per column-width unit
    padding: float          # points of a column's width that text may not use
    latin_bold: tuple[int, ...] | None  # DejaVu advance widths, or None for SimSun's half em
    latin: tuple[int, ...] | None
    bold_extra: float       # points a bold glyph is wider (synthetic bold)
    pixel: float            # glyph widths are rounded up to this many points (0: not rounded)
    line_cjk: float         # line height in em of a line with CJK characters
    line_latin: float       # … of a line of Latin characters only
    margin: float           # points of a row's height that text may not use
    latin_breaks: bool      # a run of Latin characters also breaks at "%|+" and "/|("

    def text_area(self, width: float) -> float:
        return max(width * self.unit - self.padding, self.unit)

    def char_width(self, ch: str, size: float, bold: bool) -> float:
        code = ord(ch)
        if 32 <= code < 127:
            table = self.latin_bold if bold else self.latin
            em = table[code - 32] / 2048 if table else 0.5
        elif ch in _LATIN_SIGNS and self.latin:
            em = 1716 / 2048   # × ÷ ± from the Latin font (DejaVu Sans), as LibreOffice does
        elif ch == "\t":
            em = 0.5
        elif is_wide(ch) or unicodedata.category(ch).startswith("C"):
            em = 1.0
        else:
            em = 0.6 if self.latin else 0.5   # other Latin letters (é, ü …)
        width = em * size
        if self.pixel:
            width = math.ceil(width / self.pixel - 1e-9) * self.pixel
        return width + (self.bold_extra if bold else 0.0)

    def line_height(self, line: str, size: float) -> float:
        em = self.line_cjk if not line or any(map(_WIDE.__getitem__, line)) else self.line_latin
        return em * size


#: Excel and WPS on Windows: SimSun, Calibri 11's 7 px digit a width unit, 5 px padding (+1 px spare)
EXCEL = App("Excel", unit=0.75 * 7, padding=0.75 * 6, latin=None, latin_bold=None, bold_extra=0.75,
            pixel=0.75, line_cjk=1.15, line_latin=1.15, margin=4.0, latin_breaks=False)
#: LibreOffice with DejaVu Sans and Noto Sans CJK standing in for SimSun (measured; see module text)
LIBREOFFICE = App("LibreOffice", unit=7.0, padding=2.1, latin=_DEJAVU, latin_bold=_DEJAVU_BOLD, bold_extra=0.0,
                  pixel=0.0, line_cjk=1.448, line_latin=1.164, margin=3.0, latin_breaks=True)
#: the same where the workbook's default font Calibri is there (Windows) or its metric twin Carlito
#: (most Linux installs): a width unit is Calibri 11's digit, 1038/2048 em = 5.58 pt
LIBREOFFICE_CALIBRI = App("LibreOffice (Calibri)", unit=1038 / 2048 * 11, padding=2.1, latin=_DEJAVU,
                          latin_bold=_DEJAVU_BOLD, bold_extra=0.0, pixel=0.0, line_cjk=1.448, line_latin=1.164,
                          margin=3.0, latin_breaks=True)
APPS = (EXCEL, LIBREOFFICE, LIBREOFFICE_CALIBRI)


def break_allowed(before: str, after: str, latin_breaks: bool = False, strict: bool = True) -> bool:
    """May a line break between these two characters (``before`` ends a line, ``after`` starts the next)?
    With ``latin_breaks`` (LibreOffice), a Latin run also breaks where LibreOffice was always seen to
    break it: after "%" before "+", after "/" before "(" (it breaks elsewhere at times too; a break
    left out gives a line more, never fewer).  ``strict=False`` also allows a break before CJK closing
    punctuation and after a CJK opening bracket, as LibreOffice does at times ("项目效益（15" / "分）",
    "预算执行率（" / "2分）")."""
    if after == " " or after == "\u3000":
        return False
    if before in _NO_BREAK_AFTER and (strict or not is_wide(before)):
        return False
    if after in _NO_BREAK_BEFORE and (strict or not is_wide(after)):
        return False
    if before in " \u3000":
        return True
    if before in _CLOSING and not is_wide(after):
        return False   # "计入）=(449…": LibreOffice keeps a closing bracket with the Latin run after it
    if is_wide(before) and before not in _LATIN_SIGNS:
        return True
    if is_wide(after) and after not in _LATIN_SIGNS:
        return True
    if before == "-" and not after.isdigit():
        return True
    return latin_breaks and ((before == "%" and after == "+") or (before == "/" and after == "("))


def segments(text: str, latin_breaks: bool = False, strict: bool = True) -> list[str]:
    """``text`` cut at every place a line may break (each piece keeps its trailing spaces)."""
    return list(_segments(text, latin_breaks, strict))


# :func:`break_allowed` looks at a character only through a few facts (a space? an opening bracket, closing
# punctuation, wide, a Latin sign, "-", a digit, "%", "+", "/", "("?): characters alike in all of them are
# one *class*, and whether a line may break between two characters is decided once per pair of classes.
# A text is then cut by C loops (its characters' classes, its pairs' decisions), not a call per pair.

#: the class of each set of facts met, and one character of each class (what break_allowed is asked about)
_CLASS_IDS: dict[tuple[bool, ...], int] = {}
_CLASS_SAMPLE: list[str] = []


class _CharClass(dict):
    """Character → its class (a small int), filled as characters are met (bounded)."""

    def __missing__(self, ch: str) -> int:
        facts = (ch in " \u3000", ch in _NO_BREAK_AFTER, ch in _NO_BREAK_BEFORE, ch in _CLOSING, is_wide(ch),
                 ch in _LATIN_SIGNS, ch == "-", ch.isdigit(), ch == "%", ch == "+", ch == "/", ch == "(")
        found = _CLASS_IDS.get(facts)
        if found is None:
            found = _CLASS_IDS[facts] = len(_CLASS_SAMPLE)
            _CLASS_SAMPLE.append(ch)
        if len(self) < 65536:
            self[ch] = found
        return found


_CHAR_CLASS = _CharClass()


class _PairBreaks(dict):
    """(class before, class after) → may a line break between them, for one way of breaking (an entry per
    pair of classes met: a few hundred at most)."""

    def __init__(self, latin_breaks: bool, strict: bool):
        super().__init__()
        self.latin_breaks, self.strict = latin_breaks, strict

    def __missing__(self, pair: tuple[int, int]) -> bool:
        allowed = self[pair] = break_allowed(_CLASS_SAMPLE[pair[0]], _CLASS_SAMPLE[pair[1]], self.latin_breaks,
                                             self.strict)
        return allowed


_PAIR_BREAKS = {(latin, strict): _PairBreaks(latin, strict) for latin in (False, True) for strict in (False, True)}


@lru_cache(maxsize=16384)  # one text is laid out at several widths and in apps that break it alike
def _segments(text: str, latin_breaks: bool, strict: bool) -> tuple[str, ...]:
    classes = list(map(_CHAR_CLASS.__getitem__, text))
    allowed = map(_PAIR_BREAKS[bool(latin_breaks), bool(strict)].__getitem__, zip(classes, classes[1:]))
    cuts = list(compress(range(1, len(text)), allowed))  # where each piece but the first starts
    if not cuts:
        return (text,)
    return tuple(map(text.__getitem__, map(slice, [0, *cuts], [*cuts, len(text)])))


class _Widths(dict):
    """Glyph widths of one app, size and weight, filled as characters are met."""

    def __init__(self, app: App, size: float, bold: bool):
        super().__init__()
        self.key = (app, size, bold)

    def __missing__(self, ch: str) -> float:
        width = self[ch] = self.key[0].char_width(ch, self.key[1], self.key[2])
        return width

    def measure(self, text: str) -> float:
        return sum(map(self.__getitem__, text))


@lru_cache(maxsize=64)
def _widths(app: App, size: float, bold: bool) -> _Widths:
    return _Widths(app, size, bold)


def layout(text: str, width: float, size: float = 10.5, bold: bool = False, app: App = LIBREOFFICE,
           strict: bool = True) -> list[str]:
    """The lines ``app`` prints ``text`` in, in a column ``width`` units wide (greedy breaking)."""
    return list(_layout(str(text), float(width), float(size), bool(bold), app, strict))


@lru_cache(maxsize=65536)
def _layout(text: str, width: float, size: float, bold: bool, app: App, strict: bool) -> tuple[str, ...]:
    area = app.text_area(width) + 1e-6
    widths = _widths(app, size, bold)
    measure = widths.measure
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if measure(paragraph) <= area:   # the common case: the paragraph fits on one line
            lines.append(paragraph.rstrip(" "))
            continue
        line, used = "", 0.0   # used: the line's width with its trailing spaces
        for piece in _segments(paragraph, app.latin_breaks, strict):
            if len(piece) == 1 and piece != " ":  # one character (most pieces of a Chinese text): its width
                ink_text, ink = piece, widths[piece]
            else:
                ink_text = piece.rstrip(" ")
                ink = measure(ink_text)  # a piece without trailing spaces (most): its width is its ink's
            if line and used + ink <= area:
                line += piece
                used += ink if len(ink_text) == len(piece) else measure(piece)
                continue
            if line:
                lines.append(line.rstrip(" "))
                line, used = "", 0.0
            if ink <= area:
                line, used = piece, ink if len(ink_text) == len(piece) else measure(piece)
                continue
            for ch in piece:  # wider than a line: broken anywhere, as both apps do
                w = widths[ch]
                if line and used + w > area and ch != " ":
                    lines.append(line.rstrip(" "))
                    line, used = "", 0.0
                line += ch
                used += w
        lines.append(line.rstrip(" "))
    return tuple(lines)


def lines_needed(text: str, width: float, size: float = 10.5, bold: bool = False) -> int:
    """Lines the text needs in the app that needs the most."""
    return max(len(_layout(str(text), float(width), float(size), bool(bold), app, True)) for app in APPS)


def height_needed(text: str, width: float, size: float = 10.5, bold: bool = False) -> float:
    """Row height in points that shows every line of the text in every app (rounded up to 0.75 pt,
    a pixel at 96 dpi)."""
    return _height_needed(str(text), float(width), float(size), bool(bold))


@lru_cache(maxsize=65536)  # a plan asks again for its rows (fit_height, then finish) and repeats texts
def _height_needed(text: str, width: float, size: float, bold: bool) -> float:
    need = 0.0
    for app in APPS:
        lines = _layout(text, width, size, bold, app, True)
        need = max(need, sum(app.line_height(line, size) for line in lines) + app.margin)
    return math.ceil(need / 0.75 - 1e-9) * 0.75


def line_height_needed(text: str, size: float = 10.5, bold: bool = False) -> float:
    """Row height in points for a text printed on one line (not wrapped) in every app."""
    need = max(app.line_height(text, size) + app.margin for app in APPS)
    return math.ceil(need / 0.75 - 1e-9) * 0.75


#: a break inside a bracket group this short or shorter is not a sensible break ("（10" / "分）")
SHORT_GROUP = 10


def sensible(text: str, lines: Sequence[str]) -> bool:
    """Do these lines of ``text`` break only where a reader expects a break: at a space or a line
    break of the text, or else with no line starting with closing punctuation, none ending with an
    opening bracket, no short bracket group ("（10分）") cut and no character left alone on a line?"""
    groups, opened = [], []
    for i, ch in enumerate(text):
        if ch in _NO_BREAK_AFTER:
            opened.append(i)
        elif ch in _CLOSING and opened:
            start = opened.pop()
            groups.append((start, i))
    pos = 0
    for a, b in zip(lines, lines[1:]):
        while pos < len(text) and text[pos] in " \n" and not text.startswith(a, pos):
            pos += 1
        pos += len(a)
        if pos < len(text) and text[pos] in " \n":
            continue   # at a space or the text's own line break
        if not a or not b or b[0] in _NO_BREAK_BEFORE or a[-1] in _NO_BREAK_AFTER:
            return False
        if len(b) == 1 and is_wide(b) and len(a) > 1:
            return False   # one character left alone on a line ("资金到位" / "率")
        if any(start < pos <= end and end - start - 1 <= SHORT_GROUP for start, end in groups):
            return False
    return True


def breaks_sensibly(text: str, width: float, size: float = 10.5, bold: bool = False) -> bool:
    """Does the text break only at sensible places (:func:`sensible`) in Excel and in LibreOffice,
    whether LibreOffice keeps punctuation to its line or not?"""
    text, width, size, bold = str(text), float(width), float(size), bool(bold)
    # Excel and WPS keep to the Chinese line rules; each different layout judged once (most are alike)
    layouts = {_layout(text, width, size, bold, EXCEL, True)}
    layouts.update(_layout(text, width, size, bold, app, strict) for app in (LIBREOFFICE, LIBREOFFICE_CALIBRI)
                   for strict in (True, False))
    return all(sensible(text, lines) for lines in layouts)
