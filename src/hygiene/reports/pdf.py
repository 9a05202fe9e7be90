"""HTML to PDF on the server, with WeasyPrint (Pango lays out Vietnamese; the fonts come from
the system through fontconfig, e.g. Debian's fonts-dejavu-core). The documents we render carry
their styles inline and reference nothing: the fetcher allows no protocol and a reference stops
the rendering, so a report never reaches the network or the file system.
"""

from typing import Any


class ReportNotSelfContained(ValueError):
    """The HTML referenced an outside resource."""


def to_pdf(html: str) -> bytes:
    """The PDF of one self-contained HTML document."""
    # Imported here: loading Pango takes a second, and nothing happens at import time.
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    fetcher: Any = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as exc:
        raise ReportNotSelfContained(f"reports must be self-contained: {exc}") from None
    if pdf is None:  # only when a target file is given, never here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
