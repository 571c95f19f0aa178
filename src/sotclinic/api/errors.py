"""The JSON body of a refusal, shared by the API's error handlers and its views."""


def error_body(field: str | None, message: str) -> dict:
    """The message, and the field at fault ("body" when no one field is)."""
    return {"detail": message, "errors": [{"field": field or "body", "message": message}]}
