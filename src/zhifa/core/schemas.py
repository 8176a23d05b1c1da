"""The API's shared schemas: one error body for every app's router (``{"code": "...", "message":
"中文说明"}``,
as written by ``core.middleware.DomainErrorMiddleware`` and the routers' refusals)."""

from ninja import Schema


class ErrorOut(Schema):
    """A refusal: an English machine code and the Chinese explanation a person reads."""

    code: str
    message: str


# The error responses most write endpoints declare (422 is ninja's own validation body).
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: dict}
