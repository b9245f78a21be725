"""Catalogs and their content in the admin.

A catalog may hold thousands of items, so its page links to its content (the catalog items list,
filtered) instead of listing it inline. Content items are written through
``content_item_upsert`` (it checks the metadata and stores a program's key canonically); items are
put in a catalog with ``catalog_add_items`` (which marks the catalog modified). Catalogs themselves
are configuration and save directly; one that a plan or policy uses cannot be deleted (protected).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from coursegate.catalogs.exceptions import ContentMetadataInvalidError
from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog
from coursegate.catalogs.services import _check_metadata as check_metadata  # the service's own check
from coursegate.catalogs.services import catalog_add_items, content_item_upsert


@admin.register(EnterpriseCatalog)
class EnterpriseCatalogAdmin(admin.ModelAdmin):
    list_display = ("title", "uuid", "customer", "item_count", "query_title", "created", "modified")
    list_filter = ("customer",)
    list_select_related = ("customer",)
    search_fields = ("title", "=uuid", "customer__name", "query_title")
    search_help_text = "Title, uuid (exact), customer name or query title"
    date_hierarchy = "created"
    ordering = ("title",)
    fields = ("uuid", "title", "customer", "query_title", "catalog_query_uuid", "content", "created", "modified")
    readonly_fields = ("content", "created", "modified")

    def get_queryset(self, request):
        counted = CatalogItem.objects.filter(catalog=OuterRef("pk")).order_by().values("catalog").annotate(n=Count("*"))
        n_items = Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))
        return super().get_queryset(request).annotate(n_items=n_items)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "uuid") if obj is not None else self.readonly_fields

    @admin.display(description="items", ordering="n_items")
    def item_count(self, catalog) -> str:
        url = reverse("admin:catalogs_catalogitem_changelist")
        return format_html('<a href="{}?catalog={}">{}</a>', url, catalog.pk, catalog.n_items)

    @admin.display(description="content")
    def content(self, catalog) -> str:
        if catalog.pk is None or not hasattr(catalog, "n_items"):
            return "-"
        add = reverse("admin:catalogs_catalogitem_add")
        return format_html('{} items: {} · <a href="{}?catalog={}">add content</a>', catalog.n_items,
                           self.item_count(catalog), add, catalog.pk)  # fmt: skip


class ContentItemForm(forms.ModelForm):
    class Meta:
        model = ContentItem
        fields = ("content_type", "content_key", "title", "parent_key", "enroll_by", "price_cents", "is_active",
                  "metadata")  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        try:
            check_metadata(cleaned.get("title", ""), "title")
            metadata = cleaned.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                raise ContentMetadataInvalidError("metadata: must be an object")
            check_metadata(metadata or {})
        except ContentMetadataInvalidError as exc:
            raise ValidationError(str(exc)) from exc
        return cleaned


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    form = ContentItemForm
    list_display = ("content_key", "content_type", "title", "parent_key", "enroll_by", "price_cents", "is_active",
                    "modified")  # fmt: skip
    list_filter = ("content_type", "is_active")
    search_fields = ("content_key", "title", "parent_key")
    date_hierarchy = "modified"
    ordering = ("content_type", "content_key")

    def get_readonly_fields(self, request, obj=None):
        # The type and key are the item's identity (content_item_upsert looks items up by them).
        return ("content_type", "content_key", "modified") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ContentItemForm.Meta.fields if name in form.cleaned_data}
        data.update(content_type=obj.content_type, content_key=obj.content_key)
        saved = content_item_upsert(**data)
        obj.pk = saved.pk


class CatalogItemForm(forms.ModelForm):
    class Meta:
        model = CatalogItem
        fields = ("catalog", "item")


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    """The content of catalogs, one row per (catalog, item); filter by catalog from its page."""

    form = CatalogItemForm
    list_display = ("catalog", "content_key", "content_type", "content_title", "added")
    list_filter = ("catalog", "item__content_type")
    list_select_related = ("catalog", "item")
    search_fields = ("item__content_key", "item__title", "catalog__title")
    date_hierarchy = "added"
    ordering = ("-id",)
    raw_id_fields = ("item",)
    autocomplete_fields = ("catalog",)

    def has_change_permission(self, request, obj=None):
        return False  # remove the item and add another

    def save_model(self, request, obj, form, change):
        catalog_add_items(catalog=obj.catalog, items=[obj.item])
        obj.pk = CatalogItem.objects.values_list("pk", flat=True).get(catalog=obj.catalog, item=obj.item)

    @admin.display(description="content key", ordering="item__content_key")
    def content_key(self, row) -> str:
        return row.item.content_key

    @admin.display(description="type", ordering="item__content_type")
    def content_type(self, row) -> str:
        return row.item.content_type

    @admin.display(description="title", ordering="item__title")
    def content_title(self, row) -> str:
        return row.item.title
