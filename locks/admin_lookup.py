"""What every app's support admin shares: view-only pages, and secrets masked.

No PIN or secret is shown: raw fields holding one are excluded from the forms, listed nowhere,
not searched and refused as URL filters (`?code=...` would let anyone guess a PIN digit by
digit); a masked stand-in says only whether one is set, and how long a PIN is.
"""

import re

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

# Four or more digits, also when written with single spaces, dots or dashes between them.
DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d){3,}")


def masked_pin(pin: str) -> str:
    """Dots and the PIN's length: never a digit of it."""
    return f"•••• ({len(pin)} digits)" if pin else "none"


def digits_masked(text: str) -> str:
    """A text typed by people may hold a PIN written out: every run of digits masked."""
    return DIGIT_RUN.sub("••••", text)


class LookupAdmin(admin.ModelAdmin):
    """View-only. The fields in `exclude` hold secrets: never shown, and never filterable."""

    list_per_page = 50
    # Counting every row of a big table on each page is slow, and a support person needs no total.
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] in (self.exclude or ()):
            return False
        return super().lookup_allowed(lookup, value, request)


def changelist_link(model, label: str, **filters) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)
