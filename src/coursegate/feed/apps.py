from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "coursegate.feed"
    label = "feed"
    verbose_name = "Change feed"
