"""PDF rendering with weasyprint: the HTML template laid out for print, static maps only."""

from __future__ import annotations

import logging

from tradearea.report.html import IMAGE_SCHEME, render_html
from tradearea.report.model import Report


def render_pdf(report: Report) -> bytes:
    """Render the report as PDF: A4, page numbers, a table of contents with page numbers.

    Parameters
    ----------
    report : Report
        The report.

    Returns
    -------
    bytes
        The PDF. Nothing is fetched from the network: images are embedded, fonts are local.
    """
    import weasyprint

    images: dict[str, bytes] = {}
    html = render_html(report, mode="pdf", images=images)
    # weasyprint logs every CSS property it ignores; keep the report's own log readable.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = _fetcher(images)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf()


def _fetcher(images: dict[str, bytes]) -> object:
    """A URL fetcher that serves the report's charts from memory and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _MemoryFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url in images:
                return URLFetcherResponse(url, images[url], {"Content-Type": "image/png"})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            msg = f"the report does not fetch {url[:80]!r}"
            raise ValueError(msg)

    return _MemoryFetcher(allowed_protocols=("data", IMAGE_SCHEME), allow_redirects=False)
