"""Bar charts for the Word draft, drawn with Pillow (no plotting library, no display).

Chinese labels need a font with CJK glyphs.  :func:`find_cjk_font` looks, in order, at
the file named by the environment variable ``PERFEVAL_CJK_FONT``, the fonts fontconfig
knows for Chinese (``fc-list :lang=zh``, Linux), and the usual Windows / macOS / Linux
font files (黑体, 微软雅黑, 宋体, 苹方, Noto Sans CJK, 文泉驿).  Each candidate must really
draw Chinese characters (not the empty box of a missing glyph).  Without one, no chart is
drawn: the draft says so where the chart would be, and the command prints how to fix it.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..core.numbers import fmt_percent, fmt_plain, fmt_score
from ..core.writeplan import PALETTE as CHART_PALETTE, Chart

FONT_ENV = "PERFEVAL_CJK_FONT"

#: well-known font files with CJK glyphs (sans-serif first: chart labels read better)
KNOWN_FONTS = (
    # Windows
    "C:/Windows/Fonts/simhei.ttf", "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyh.ttf",
    "C:/Windows/Fonts/simsun.ttc", "C:/Windows/Fonts/simfang.ttf",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc", "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    # Linux (Debian / Ubuntu / Fedora package paths)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

PROBE = "评价得分率满意度"

#: the bar fills as RGB: the palette of the Excel charts (core.writeplan.PALETTE), so both read alike
PALETTE = tuple(tuple(int(hex_[i:i + 2], 16) for i in (0, 2, 4)) for hex_ in CHART_PALETTE)
GRID = (217, 217, 217)
AXIS = (64, 64, 64)
TEXT = (32, 32, 32)
LINE = (192, 0, 0)

WIDTH, HEIGHT = 1800, 960  # pixels; inserted 16 cm wide, ≈ 285 dpi


@dataclass(frozen=True)
class FontChoice:
    path: str
    index: int = 0
    family: str = ""


def _glyph(font, ch: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(image).text((5, 5), ch, font=font, fill=255)
    return image.tobytes()


def _draws_cjk(path: str, index: int) -> str | None:
    """The font's family name when it draws the probe characters with real glyphs (not blank,
    not the box of a missing glyph), else None."""
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 40, index=index)
        notdef = _glyph(font, "\U000f0000")  # a private-use code point no font draws
        for ch in PROBE:
            glyph = _glyph(font, ch)
            if not any(glyph) or glyph == notdef:
                return None
    except Exception:  # an unreadable or broken font file is no candidate
        return None
    return font.getname()[0] or Path(path).stem


def _collection_choice(path: str) -> FontChoice | None:
    """A font file (or collection): prefer its Simplified Chinese face (Noto CJK SC)."""
    faces = []
    for index in range(12 if path.lower().endswith((".ttc", ".otc")) else 1):
        family = _draws_cjk(path, index)
        if family is None:
            if index == 0:
                continue
            break
        faces.append(FontChoice(path, index, family))
    if not faces:
        return None
    return next((f for f in faces if f.family.endswith(" SC") or "SC" in f.family.split()), faces[0])


def _fontconfig_candidates() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    # sans-serif regular faces first
    return sorted(files, key=lambda f: (("Sans" not in f and "hei" not in f.lower()), "Bold" in f, f))


_FOUND: dict[str, FontChoice | None] = {}


def find_cjk_font() -> FontChoice | None:
    """The first usable CJK font (see the module docstring), or None."""
    configured = os.environ.get(FONT_ENV, "")
    key = configured
    if key in _FOUND:
        return _FOUND[key]
    candidates = ([configured] if configured else []) + _fontconfig_candidates() + list(KNOWN_FONTS)
    choice = None
    for path in candidates:
        if path and os.path.isfile(path):
            choice = _collection_choice(path)
            if choice is not None:
                break
    _FOUND[key] = choice
    return choice


def missing_font_notice() -> str:
    return (f"未找到可显示中文的字体，报告中未生成图表。请安装中文字体（如 Windows 的黑体、宋体，或 Linux 的 "
            f"fonts-noto-cjk），或设置环境变量 {FONT_ENV} 指向一个中文字体文件（.ttf / .ttc / .otf）后重新生成。")


# --- drawing ----------------------------------------------------------------------

def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _label(value: Decimal, percent: bool) -> str:
    return fmt_percent(value) if percent else fmt_score(value)


def _tick(value: float, percent: bool) -> str:
    if percent:
        return fmt_plain(Decimal(repr(round(value * 100, 6)))) + "%"
    return fmt_plain(Decimal(repr(round(value, 6))))


def _wrap(draw, text: str, font, width: float, max_lines: int = 3) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and draw.textlength(line + ch, font=font) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def render_bar_chart(chart: Chart, choice: FontChoice) -> bytes:
    """The chart as PNG bytes (its reference lines drawn dashed, with their labels at the right)."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size: int):
        return ImageFont.truetype(choice.path, size, index=choice.index)

    f_label, f_small, f_tick = font(44), font(36), font(40)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)

    values = [v for s in chart.series for v in s.values if v is not None]
    low = float(chart.minimum) if chart.minimum is not None else 0.0
    high = float(chart.maximum) if chart.maximum is not None else max([float(v) for v in values] + [low + 1])
    if values and max(float(v) for v in values) > high:
        high = max(float(v) for v in values)
    if high <= low:
        high = low + 1
    step = _nice_step(high - low)
    ticks = []
    t = low
    while t <= high + step * 1e-6:
        ticks.append(t)
        t += step

    multi = chart.legend
    top = 120 if multi else 60
    left = 20 + max(draw.textlength(_tick(t, chart.percent), font=f_tick) for t in ticks) + 20
    right = WIDTH - (40 + max([draw.textlength(f"{t} {fmt_plain(v)}", font=f_small) + 16 for v, t in chart.lines] + [0]))
    n = max(1, len(chart.categories))
    slot = (right - left) / n
    label_lines = [_wrap(draw, c, f_label, slot - 10) for c in chart.categories]
    line_h = 54
    bottom = HEIGHT - 30 - line_h * max([1] + [len(x) for x in label_lines])

    def y_of(value: float) -> float:
        value = min(max(value, low), high)
        return bottom - (value - low) / (high - low) * (bottom - top)

    # grid and y ticks
    for t in ticks:
        y = y_of(t)
        draw.line([(left, y), (right, y)], fill=GRID, width=2)
        text = _tick(t, chart.percent)
        draw.text((left - 15 - draw.textlength(text, font=f_tick), y), text, font=f_tick, fill=TEXT, anchor="lm")
    draw.line([(left, top), (left, bottom)], fill=AXIS, width=3)
    draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=3)

    # bars
    k = max(1, len(chart.series))
    group = slot * (0.62 if k == 1 else 0.8)
    bar = group / k
    for i, category_lines in enumerate(label_lines):
        x0 = left + slot * i + (slot - group) / 2
        for j, series in enumerate(chart.series):
            value = series.values[i] if i < len(series.values) else None
            if value is None:
                continue
            xa, xb = x0 + bar * j + 2, x0 + bar * (j + 1) - 2
            y = y_of(float(value))
            draw.rectangle([xa, y, xb, bottom - 1], fill=PALETTE[j % len(PALETTE)])
            if chart.value_labels:
                draw.text(((xa + xb) / 2, y - 6), _label(value, chart.percent), font=f_small, fill=TEXT, anchor="md")
        cx = left + slot * (i + 0.5)
        for m, text in enumerate(category_lines):
            draw.text((cx, bottom + 14 + line_h * m), text, font=f_label, fill=TEXT, anchor="ma")

    # reference lines (grade boundaries)
    for value, text in chart.lines:
        if not low < float(value) < high + 1e-9:
            continue
        y = y_of(float(value))
        x = left
        while x < right:
            draw.line([(x, y), (min(x + 18, right), y)], fill=LINE, width=3)
            x += 30
        draw.text((right + 12, y), f"{text} {fmt_plain(value)}", font=f_small, fill=LINE, anchor="lm")

    # legend
    if multi:
        x = left
        for j, series in enumerate(chart.series):
            draw.rectangle([x, 36, x + 44, 76], fill=PALETTE[j % len(PALETTE)])
            draw.text((x + 56, 56), series.name, font=f_label, fill=TEXT, anchor="lm")
            x += 46 + draw.textlength(series.name, font=f_label) + 50

    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(285, 285), compress_level=1)  # a few % larger, 5× faster
    return buffer.getvalue()
