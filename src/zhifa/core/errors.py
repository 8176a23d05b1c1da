"""Domain errors: an English code for the API and a Chinese message for people.

Services raise these; the API answers ``{"code", "message"}`` with ``status``; views show the message.
"""


class DomainError(Exception):
    """A refused action. Nothing has been changed when this is raised."""

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data


class TransitionNotAllowed(DomainError):
    """A workflow move not in the transition table, or from a state the object is no longer in."""

    status = 409


class NotPermitted(DomainError):
    """The acting user lacks the role or the qualification for this act."""

    status = 403
