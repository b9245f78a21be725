from django.apps import AppConfig


class CatalogsConfig(AppConfig):
    name = "coursegate.catalogs"
    label = "catalogs"
    verbose_name = "Enterprise catalogs and content metadata"
