"""Charts as server-rendered SVG: no script, no CDN, no inline style, so they render offline and
under the console's Content-Security-Policy (presentation attributes are not styles)."""

from collections.abc import Sequence

from markupsafe import Markup, escape

from hygiene import i18n

WIDTH = 640
BAR_HEIGHT = 22
LABEL_WIDTH = 200
GOOD, FAIR, POOR, EMPTY = "#15803d", "#b45309", "#b91c1c", "#e5e7eb"


def _colour(value: float | None) -> str:
    if value is None:
        return EMPTY
    return GOOD if value >= 90 else FAIR if value >= 70 else POOR


def bars(
    items: Sequence[tuple[str, float | None]], *, title: str, locale: str = i18n.DEFAULT_LOCALE
) -> Markup:
    """Horizontal bars, one per (label, percentage); an unknown value shows as a dash."""
    height = max(1, len(items)) * (BAR_HEIGHT + 8) + 10
    span = WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 5 + i * (BAR_HEIGHT + 8)
        length = 0 if value is None else round(span * max(0.0, min(value, 100.0)) / 100)
        text_y = y + BAR_HEIGHT - 6
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end" font-size="13" '
            f'fill="#1f2937">{escape(label[:32])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{span}" height="{BAR_HEIGHT}" '
            f'fill="{EMPTY}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="{_colour(value)}"/>'
            f'<text x="{LABEL_WIDTH + span + 6}" y="{text_y}" font-size="13" '
            f'fill="#1f2937">{i18n.format_percent(value, locale)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every piece of text above is escaped)


def line(
    points: Sequence[tuple[str, float | None]], *, title: str, locale: str = i18n.DEFAULT_LOCALE
) -> Markup:
    """A 0–100 % line over labelled points (weeks); gaps where a value is unknown."""
    height, left, top, bottom = 220, 40, 15, 40
    inner_h, inner_w = height - top - bottom, WIDTH - left - 20
    step = inner_w / max(1, len(points) - 1)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (0, 50, 100):
        y = top + inner_h - inner_h * tick / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#6b7280">{i18n.format_percent(tick, locale, digits=0)}</text>'
        )
    coords: list[str] = []
    dots: list[str] = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="11" '
            f'fill="#6b7280">{escape(label)}</text>'
        )
        if value is None:
            continue
        y = top + inner_h - inner_h * value / 100
        coords.append(f"{x:.1f},{y:.1f}")
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_colour(value)}">'
            f"<title>{escape(label)}: {i18n.format_percent(value, locale)}</title></circle>"
        )
    if len(coords) > 1:
        parts.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="#475569" stroke-width="2"/>'
        )
    parts += [*dots, "</svg>"]
    return Markup("".join(parts))  # noqa: S704  (every piece of text above is escaped)
