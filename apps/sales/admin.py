"""Admin: orders, payments and the sales ledger are read here only. They change through the
services (the dashboard's order pages), so stock, coupons and the ledger always agree."""

from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin

from .models import LedgerEntry, Order, OrderEvent, OrderLine, Payment


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku",
        "name",
        "option_label",
        "unit_price",
        "quantity",
        "line_total",
        "discount",
        "refunded_quantity",
    )


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = (
        "method",
        "status",
        "amount",
        "provider",
        "provider_reference",
        "card_brand",
        "card_last4",
        "failure_code",
        "created_at",
        "captured_at",
    )


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("at", "from_status", "to_status", "by", "note")


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ("at", "kind", "method", "amount", "payment", "note")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "created_at",
        "email",
        "status",
        "payment_method",
        "total",
        "refunded",
    )
    list_filter = ("status", "payment_method", "shipping_method")
    search_fields = ("number", "email", "coupon_code")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = (OrderLineInline, PaymentInline, OrderEventInline, LedgerEntryInline)


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("order", "sku", "name", "unit_price", "quantity", "line_total")
    list_select_related = ("order",)
    search_fields = ("order__number", "sku", "name")
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("order", "method", "status", "amount", "card_brand", "card_last4", "created_at")
    list_filter = ("method", "status")
    list_select_related = ("order",)
    search_fields = ("order__number", "provider_reference")
    exclude = ("card_token",)
    show_full_result_count = False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "order", "kind", "method", "amount", "note")
    list_filter = ("kind", "method")
    list_select_related = ("order",)
    search_fields = ("order__number",)
    date_hierarchy = "at"
    show_full_result_count = False
