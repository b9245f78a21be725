from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "coursegate.events"
    label = "events"
    verbose_name = "Events"
