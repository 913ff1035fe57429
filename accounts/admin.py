from django.contrib import admin

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    # Tokens are created on the profile page (the only place the secret is shown).
    readonly_fields = ["user", "prefix", "digest", "scope", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "digest", "scope", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:
        return False
