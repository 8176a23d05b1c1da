"""Rendering papers off the request: a task queued after the commit of the act that calls for it.

With a broker (``CELERY_BROKER_URL``) the task goes to the Celery workers. In the embedded default (no broker:
Celery runs tasks eagerly, in the calling process) a ``.delay()`` would still render inside the request; there
the task runs instead on one background thread of the web process (``DOCUMENTS_RENDER_BACKGROUND``, on by
default), so the act's response returns at once and the page polls the paper's state. Tests set it off: the task
then runs eagerly at the commit, as before. A paper queued to the thread and lost with the process (a restart
before it ran) stays ``pending``; ``zhifa`` deployments with a broker do not have that gap (``acks_late``)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections, transaction

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_pending: set[Future] = set()


def _background() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) and getattr(settings, "DOCUMENTS_RENDER_BACKGROUND", True))


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhifa-documents")
        return _executor


def _run(task, args: tuple) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:  # noqa: BLE001 — the task records its own failures; this is the last guard of the thread
        log.exception("document task %s%r failed", task.name, args)
    finally:
        connections.close_all()  # this thread's connections, not the request threads'


def after_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one)."""

    def send():
        if _background():
            future = _pool().submit(_run, task, args)
            _pending.add(future)
            future.add_done_callback(_pending.discard)
        else:
            task.delay(*args)

    transaction.on_commit(send)


def wait_idle(timeout: float = 60.0) -> None:
    """Wait until every paper queued to the background thread is done (tests, the load test's end)."""
    for future in list(_pending):
        future.result(timeout=timeout)
