"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

Where Chromium is absent they are skipped with a message saying how to install it; CI sets
MAILLAGE_REQUIRE_BROWSER=1 so that a missing browser fails instead.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless Chromium on a machine with no network beyond localhost.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium est absent : installez-le avec « apt-get install chromium » pour les tests de navigateur."
        if os.environ.get("MAILLAGE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in this thread; the database calls of the
    # test itself stay synchronous (the live server answers from its own thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


def assert_accessible(page):
    """axe-core (all its WCAG and best-practice rules): zero violations."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_in(page, email, password):
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/")
