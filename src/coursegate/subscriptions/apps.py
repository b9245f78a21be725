from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "coursegate.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscription plans and licenses"
