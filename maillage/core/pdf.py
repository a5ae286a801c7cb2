"""PDF documents from templates (WeasyPrint), offline: static files are read from disk, and any
other URL is refused rather than fetched."""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

BASE_URL = "http://maillage.local/"


def _static_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves /static/… from the apps' static folders; refuses everything else."""

        def fetch(self, url, headers=None):
            prefix = BASE_URL + settings.STATIC_URL.strip("/") + "/"
            if url.startswith(prefix):
                found = finders.find(url.removeprefix(prefix).split("?")[0])
                if found:
                    mime_type, _ = mimetypes.guess_type(found)
                    return URLFetcherResponse(
                        url, Path(found).read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
                    )
            raise ValueError(f"Ressource extérieure non chargée dans un PDF : {url}")

    return StaticFilesFetcher()


def render_pdf(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is only needed when a PDF is made

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_static_fetcher()).write_pdf()


def pdf_response(template: str, context: dict, request, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
