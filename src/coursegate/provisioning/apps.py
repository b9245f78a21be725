from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "coursegate.provisioning"
    label = "provisioning"
