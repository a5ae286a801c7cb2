from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.views.decorators.csrf import requires_csrf_token

from maillage.core import selectors
from maillage.core.forms import JournalFilterForm
from maillage.core.policy import PUBLIC, access, any_role
from maillage.core.roles import Role

JOURNAL_PAGE_SIZE = 50


@access(PUBLIC)
def home(request):
    return render(request, "core/home.html", {"demo": selectors.demo_territory(settings.MAILLAGE_DEMO_DEPARTEMENT)})


@access(PUBLIC)
def accessibility(request):
    return render(request, "core/accessibility.html")


@access(PUBLIC)
def privacy(request):
    return render(request, "core/privacy.html")


@access(any_role(Role.COORDINATEUR, Role.GESTIONNAIRE))
def journal(request):
    """The audit journal: a coordinateur sees his territory's part, a gestionnaire his structures'."""
    form = JournalFilterForm(request.GET or None)
    entries = selectors.journal_for_user(request.user)
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries.select_related("actor", "on_behalf_of"), JOURNAL_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "core/journal.html",
        {"form": form, "page_obj": page, "query_string": params.urlencode() + "&" if params else ""},
    )


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    message = ""
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404) and exception.args:
        message = str(exception.args[0])
    if request.path.startswith("/api/"):  # an address outside the API's routes: answered in the API's form
        return JsonResponse({"detail": message or "Adresse inconnue de l'API : voir /api/v1/docs."}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(loader.get_template("500.html").render())
