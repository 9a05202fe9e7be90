"""Charts as server-rendered SVG: no script, no CDN, no inline style, so they render offline and
under the console's Content-Security-Policy (presentation attributes are not styles).

Unit names are long ("Trung tâm Văn hóa, Thể thao và Truyền thanh"): a bar's label wraps onto
two lines and, if still too long, ends in "…"; the full name and figure are the row's <title>
(the browser's tooltip) and the table beside every chart. Each chart carries a colour legend;
numbers are written per locale (hygiene.i18n.format_percent).
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

from hygiene import i18n

WIDTH = 640
BAR_HEIGHT = 22
ROW = 38  # a bar and two 13 px label lines with their gap
LABEL_WIDTH = 220
LABEL_CHARS = 28  # 13 px characters that fit LABEL_WIDTH - 8 (≈ 7 px each, diacritics included)
LABEL_LINES = 2
LEGEND = 28
GOOD, FAIR, POOR, EMPTY = "#15803d", "#b45309", "#b91c1c", "#e5e7eb"
GOOD_FROM, FAIR_FROM = 90, 70


def _colour(value: float | None) -> str:
    if value is None:
        return EMPTY
    return GOOD if value >= GOOD_FROM else FAIR if value >= FAIR_FROM else POOR


def wrap_label(label: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """`label` in at most `lines` lines of at most `width` characters, broken between words;
    the last line ends in "…" when something was left out."""
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += f" {word}"
        else:
            out.append(word)
    cut = len(out) > lines or any(len(part) > width for part in out)
    out = [part[:width] for part in out[:lines]] or [""]
    if cut:
        out[-1] = out[-1][: width - 1].rstrip(" ,") + "…"
    return out


def _svg(height: int, title: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def legend(y: int, locale: str) -> str:
    """The colour key: good, fair, poor, no figure (the same scale for bars and dots)."""
    t = i18n.t

    def pct(value: int) -> str:
        return i18n.format_percent(value, locale, digits=0)

    keys = [
        (GOOD, t("district_web.chart.good", locale, pct=pct(GOOD_FROM))),
        (FAIR, t("district_web.chart.fair", locale, low=pct(FAIR_FROM), high=pct(GOOD_FROM))),
        (POOR, t("district_web.chart.poor", locale, pct=pct(FAIR_FROM))),
        (EMPTY, t("district_web.chart.none", locale)),
    ]
    parts = ['<g class="legend">']
    for i, (colour, text) in enumerate(keys):
        x = 10 + i * (WIDTH - 20) // len(keys)
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}" stroke="#9ca3af"/>'
            f'<text x="{x + 17}" y="{y + 10}" font-size="11" fill="#374151">{escape(text)}</text>'
        )
    return "".join(parts) + "</g>"


def _label(lines: list[str], y_middle: float) -> str:
    first = y_middle + 4.5 - (len(lines) - 1) * 7.5
    spans = "".join(
        f'<tspan x="{LABEL_WIDTH - 8}" y="{first + k * 15:.1f}">{escape(part)}</tspan>'
        for k, part in enumerate(lines)
    )
    return f'<text text-anchor="end" font-size="13" fill="#1f2937">{spans}</text>'


def bars(
    items: Sequence[tuple[str, float | None]], *, title: str, locale: str = i18n.DEFAULT_LOCALE
) -> Markup:
    """Horizontal bars, one per (label, percentage); an unknown value shows as a dash."""
    height = max(1, len(items)) * ROW + 10 + LEGEND
    span = WIDTH - LABEL_WIDTH - 60
    parts = [_svg(height, title)]
    for i, (label, value) in enumerate(items):
        y = 5 + i * ROW + (ROW - BAR_HEIGHT) // 2
        length = 0 if value is None else round(span * max(0.0, min(value, 100.0)) / 100)
        shown = i18n.format_percent(value, locale)
        parts.append(
            f'<g class="bar"><title>{escape(label)}: {shown}</title>'
            f"{_label(wrap_label(label), y + BAR_HEIGHT / 2)}"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span}" height="{BAR_HEIGHT}" '
            f'fill="{EMPTY}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{_colour(value)}"/>'
            f'<text x="{LABEL_WIDTH + span + 6}" y="{y + BAR_HEIGHT - 6}" font-size="13" '
            f'fill="#1f2937">{shown}</text></g>'
        )
    parts += [legend(height - LEGEND + 8, locale), "</svg>"]
    return Markup("".join(parts))  # noqa: S704  (every piece of text above is escaped)


def line(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    locale: str = i18n.DEFAULT_LOCALE,
    details: Sequence[str] = (),
) -> Markup:
    """A 0–100 % line over labelled points (weeks); gaps where a value is unknown. `details`
    (one per point, e.g. the week's days) go into each dot's tooltip instead of its label."""
    height, left, top, bottom = 220 + LEGEND, 40, 15, 40 + LEGEND
    inner_h, inner_w = height - top - bottom, WIDTH - left - 20
    step = inner_w / max(1, len(points) - 1)
    parts = [_svg(height, title), _grid(left, top, inner_h, locale)]
    coords: list[str] = []
    dots: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{top + inner_h + 22}" text-anchor="middle" font-size="11" '
            f'fill="#6b7280">{escape(label)}</text>'
        )
        if value is None:
            continue
        y = top + inner_h - inner_h * value / 100
        coords.append(f"{x:.1f},{y:.1f}")
        tip = details[i] if i < len(details) else label
        dots.append(_dot(x, y, value, tip, locale))
    if len(coords) > 1:
        parts.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="#475569" stroke-width="2"/>'
        )
    parts += [*dots, legend(height - LEGEND + 4, locale), "</svg>"]
    return Markup("".join(parts))  # noqa: S704  (every piece of text above is escaped)


def _grid(left: int, top: int, inner_h: int, locale: str) -> str:
    """The 0, 50 and 100 % lines of a line chart, each labelled."""
    parts = []
    for tick in (0, 50, 100):
        y = top + inner_h - inner_h * tick / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6b7280">{i18n.format_percent(tick, locale, digits=0)}</text>'
        )
    return "".join(parts)


def _dot(x: float, y: float, value: float, tip: str, locale: str) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_colour(value)}">'
        f"<title>{escape(tip)}: {i18n.format_percent(value, locale)}</title></circle>"
    )
