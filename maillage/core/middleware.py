"""Answers Django leaves blank, made readable."""

from django.shortcuts import render


class MethodNotAllowedPage:
    """An address that only takes a form's POST, opened as a link (405 with an empty body): a page
    that says so in French instead of a blank one. The API keeps its own answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
