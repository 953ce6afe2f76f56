"""Seam-style errors and warnings, shared by locks, accounts and codes."""

from datetime import datetime

from django.db import models


class HasIssues(models.Model):
    """Seam-style `errors` and `warnings`: [{error_code or warning_code, message, created_at}]."""

    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def has_error(self, error_code: str) -> bool:
        return any(e["error_code"] == error_code for e in self.errors)

    def has_warning(self, warning_code: str) -> bool:
        return any(w["warning_code"] == warning_code for w in self.warnings)

    def add_error(self, error_code: str, message: str, now: datetime, **extra) -> bool:
        """Add an error unless present (then refresh its message and `extra` fields); True
        when it is new."""
        return _add_issue(self.errors, "error_code", error_code, message, now, extra)

    def add_warning(self, warning_code: str, message: str, now: datetime, **extra) -> bool:
        return _add_issue(self.warnings, "warning_code", warning_code, message, now, extra)

    def clear_errors(self, *error_codes: str) -> None:
        self.errors = [e for e in self.errors if e["error_code"] not in error_codes]

    def clear_warnings(self, *warning_codes: str) -> None:
        self.warnings = [w for w in self.warnings if w["warning_code"] not in warning_codes]


def _add_issue(issues: list, key: str, code: str, message: str, now: datetime, extra: dict) -> bool:
    for issue in issues:
        if issue[key] == code:
            issue["message"] = message
            issue.update(extra)
            return False
    issues.append({key: code, "message": message, "created_at": now.isoformat(), **extra})
    return True
