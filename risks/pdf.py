"""PDFs of warning notices and supervision orders (WeasyPrint, Chinese fonts embedded).

The PDF is the same document template as the printable page (``risks/_warning_doc.html`` /
``risks/_order_doc.html``) in a print-only shell whose CSS names the CJK font the project installs
(fonts-wqy-microhei): WeasyPrint embeds the subset of the font it uses, so the file reads the same
on a machine without Chinese fonts. No network: ``base_url`` is the static directory only.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base = str(settings.BASE_DIR / "static")
    return HTML(string=html, base_url=base, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"PDF rendering fetches nothing: {url}")


def pdf_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
