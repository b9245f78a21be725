"""``/api/webhooks/v1/``: subscriptions (placeholder: the webhooks helper fills it)."""

urlpatterns: list = []
