from django.conf import settings

from maillage.core.navigation import menu_for


def layout(request):
    """What every page's layout needs: the theme's base template, the site name, the menu."""
    return {
        "layout_template": f"core/layout_{settings.MAILLAGE_THEME}.html",
        "theme": settings.MAILLAGE_THEME,
        "platform_name": settings.MAILLAGE_SITE_NAME,
        "source_url": settings.MAILLAGE_SOURCE_URL,
        "menu": menu_for(request),
        # django-csp's lazy nonce, under the name django-htmx's {% htmx_script %} looks for.
        "csp_nonce": getattr(request, "csp_nonce", None),
    }
