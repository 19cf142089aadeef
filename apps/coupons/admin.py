"""Admin: coupons and redemptions are read here; they change on the dashboard (through the
services), so ``uses`` always matches the unreleased redemptions."""

from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin

from .models import Coupon, CouponRedemption


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "value", "uses", "max_uses", "is_active", "valid_until")
    list_filter = ("is_active", "kind", "first_order_only")
    search_fields = ("code", "name", "batch")
    show_full_result_count = False


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "coupon",
        "order_reference",
        "customer",
        "discount",
        "order_total",
        "created_at",
        "released_at",
    )
    list_select_related = ("coupon", "customer")
    search_fields = ("order_reference", "coupon__code")
    raw_id_fields = ("coupon", "customer")
