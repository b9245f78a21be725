"""Celery task of the webhooks: deliver due events on a worker.

Acknowledged late: a worker killed mid-task leaves the message to run again, which is safe since a
delivery round only sends what is after a subscription's cursor under the round's own lease (a
killed round's lease runs out, then the next round resumes from the cursor). The sweep
(delivery.webhooks_sweep) delivers whatever no task reached.
"""

from __future__ import annotations

from celery import shared_task

from coursegate.webhooks.delivery import webhooks_deliver


@shared_task(name="coursegate.webhooks.deliver", ignore_result=True, acks_late=True)
def webhooks_deliver_task(subscription_ids: list[int] | None = None) -> int:
    """Deliver due events (of ``subscription_ids`` only, when given); returns the attempts made."""
    return webhooks_deliver(subscription_ids=subscription_ids)
