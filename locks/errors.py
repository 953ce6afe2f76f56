"""The application's one error type; the dashboard shows its message, the API its Seam shape."""

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A request that cannot be carried out, with a message that says what to fix.

    `type` and `status` are the Seam error body's type and HTTP status; `field` names the input
    at fault, so a form can put the message beside it.
    """

    def __init__(
        self,
        message: str,
        *,
        type: str = "invalid_input",
        status: int = 400,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.type = type
        self.status = status
        self.field = field


class NotFound(ServiceError):
    def __init__(self, message: str, *, type: str):
        super().__init__(message, type=type, status=404)


def saved_clean(instance, *, exclude: list[str] | None = None) -> None:
    """`full_clean()` then save; a model's refusal becomes a ServiceError on its field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise ServiceError(problems[0], field=None if field == "__all__" else field) from None
    instance.save()
