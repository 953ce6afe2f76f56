from dataclasses import dataclass


class TransportError(Exception):
    """The message could not be handed over. `message` is for people; never holds a PIN."""

    def __init__(self, message: str, *, permanent: bool = False, code: str = ""):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


@dataclass(frozen=True)
class Sent:
    provider_id: str
    status: str  # one of Message.Status
