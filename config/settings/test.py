"""Tests: selected by pytest (pyproject.toml). DATABASE_URL chooses SQLite or PostgreSQL."""

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "tests-only-secret-key-maillage"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fail loudly on a template variable that does not exist.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "«UNDEFINED %s»"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
MAILLAGE_TASKS_INLINE = True
