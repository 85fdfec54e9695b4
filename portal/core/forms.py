"""Form helpers every page shares: a service's refusal shown on the form's fields."""

from django import forms
from django.core.exceptions import ValidationError

# Where the service's field names differ from the form's.
SERVICE_FIELD_TO_FORM_FIELD = {"password": "password1"}


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names; the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        field = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


def any_choice(label) -> list[tuple[str, str]]:
    """The empty first choice of a filter's select: "all" under the given label."""
    return [("", label)]
