"""Admin: the category tree is edited here; complaints are read-only (every change is a verb).

The reporter's identity and contact are never shown in the admin (opening them is an audited
action on the complaint's page).
"""

from django.contrib import admin

from .models import Category, Complaint


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "limit_days",
        "accept_days",
        "corruption_clue",
        "is_active",
        "order",
    ]
    list_editable = ["limit_days", "accept_days", "is_active", "order"]
    list_filter = ["corruption_clue", "is_active", "parent"]
    search_fields = ["code", "name"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "channel", "state", "category", "handling_department", "received_at"]
    list_filter = ["state", "channel", "category"]
    search_fields = ["code", "title"]
    exclude = ["reporter_name", "reporter_contact", "query_secret_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
