from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.tokens import PREFIX_LENGTH


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token: only its prefix and the SHA-256 of the whole token are kept.

    The token is "mgl_<prefix>_<secret>" with a 256-bit random secret, so a fast hash is
    enough (nothing to brute-force); the prefix finds the row without scanning.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole token, hex.")
    scope = models.CharField(max_length=8, choices=TokenScope, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=TokenScope.values), name="api_token_scope_valid"),
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="api_token_digest_hex"),
            models.CheckConstraint(condition=~Q(prefix=""), name="api_token_prefix_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name or 'token'} (mgl_{self.prefix}_…)"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiRateCounter(models.Model):
    """How many requests a token made in one fixed rate-limit window (see accounts.auth).

    Throwaway state: the table is UNLOGGED (no WAL, emptied after a crash) and token_id is
    deliberately not a foreign key, so deleting a token or user never touches or waits on
    these rows, and the upsert skips a referential check on every request. Token ids come
    from a sequence and are never reused, so an orphaned row cannot count against another
    token; it simply expires with its window.
    """

    pk = models.CompositePrimaryKey("token_id", "window_start")
    token_id = models.BigIntegerField()
    window_start = models.DateTimeField()
    count = models.BigIntegerField()

    class Meta:
        db_table = "accounts_api_rate_counter"
        verbose_name = _("API rate counter")
        indexes = [models.Index(fields=["window_start"], name="api_rate_counter_window")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="api_rate_counter_count_positive"),
        ]

    def __str__(self) -> str:
        return f"token {self.token_id} @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"


class Profile(models.Model):
    """What a user chose for themselves: for now the interface language (blank: not chosen,
    the browser's Accept-Language decides)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    language = models.CharField(_("interface language"), max_length=8, blank=True, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("profile")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=["", *(code for code, _name in settings.LANGUAGES)]),
                name="profile_language_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'no language chosen'})"
