import os
import subprocess
import sys
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=environment, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", MAILLAGE_ENV="production", ALLOWED_HOSTS="maillage.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr


def test_production_passes_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MAILLAGE_ENV="production",
        ALLOWED_HOSTS="maillage.example.org",
        SECRET_KEY="k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
    )
    assert result.returncode == 0, result.stderr


def test_unknown_environment_is_refused():
    result = _manage("check", MAILLAGE_ENV="staging")
    assert result.returncode != 0 and "MAILLAGE_ENV" in result.stderr + result.stdout


def test_security_headers(client):
    response = client.get(reverse("core:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(MAILLAGE_THEME="dsfr")
def test_dsfr_theme_swaps_layout_and_form_rendering(client):
    html = client.get(reverse("users:login")).content.decode()
    assert 'class="fr-header"' in html and "dsfr.min.css" in html
    assert 'class="fr-input"' in html
    assert 'class="skip-links"' not in html


def test_neutral_theme_by_default(client):
    html = client.get(reverse("users:login")).content.decode()
    assert 'class="skip-links"' in html and "fr-header" not in html
