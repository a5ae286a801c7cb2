"""Long work run outside the request: an import started from the upload page.

Runs in a background thread of the web process (no queue is needed at this scale), or inline when
settings.MAILLAGE_TASKS_INLINE is set (tests). The page polls the batch's progress.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections

from maillage.places.importing.runner import ImportRefused
from maillage.places.importing.variants import MappingVariant
from maillage.places.models import ImportBatch

logger = logging.getLogger(__name__)


def _run_import(batch_id: int, data: bytes, filename: str, dataset, dry_run: bool, mapping, actor_id):
    from django.contrib.auth import get_user_model

    from maillage.places.services import place_import_file

    try:
        batch = ImportBatch.objects.get(pk=batch_id)
        actor = get_user_model().objects.filter(pk=actor_id).first()
        place_import_file(
            actor=actor, data=data, filename=filename, dataset=dataset, dry_run=dry_run, mapping=mapping, batch=batch
        )
    except ImportRefused:
        pass  # the batch carries the reason
    except Exception:
        logger.exception("Import %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status="failed", report={"refused": "erreur inattendue"})


def _run_import_in_thread(*args):
    """A thread owns its own database connection: open it fresh, and close it when done."""
    close_old_connections()
    try:
        _run_import(*args)
    finally:
        close_old_connections()


def start_import(
    *, batch: ImportBatch, data: bytes, filename: str, dataset, dry_run: bool, mapping: MappingVariant | None, actor
) -> None:
    args = (batch.pk, data, filename, dataset, dry_run, mapping, getattr(actor, "pk", None))
    if getattr(settings, "MAILLAGE_TASKS_INLINE", False):
        _run_import(*args)
    else:
        threading.Thread(target=_run_import_in_thread, args=args, daemon=True, name=f"import-{batch.pk}").start()
