"""Celery task of the outbox: deliver e-mails on a worker (published after commit by the kick of
outbox/services.py).

Acknowledged late: a worker killed mid-task leaves the message to be delivered again. That is
safe because the task only sends rows it can claim: a row already sent is never due again, and a
row held by a live sender's lease is skipped. Rows the task never reaches are the sweep's.
"""

from __future__ import annotations

from celery import shared_task

from coursegate.outbox.sender import outbox_send_due


@shared_task(name="coursegate.outbox.send", ignore_result=True, acks_late=True)
def outbox_send(ids: list[int] | None = None) -> int:
    """Deliver the due rows among ``ids`` (every due row without them); returns rows attempted."""
    return outbox_send_due(ids=ids) if ids is not None else outbox_send_due()
