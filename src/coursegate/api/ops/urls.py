from django.urls import re_path

from coursegate.api.ops import views

urlpatterns = [re_path(r"^metrics/?$", views.metrics, name="metrics")]
