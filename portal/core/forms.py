"""Form helpers every page shares: a service's refusal shown on the form's fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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


class LimitedCharField(forms.CharField):
    """Text with a length limit the browser never enforces by cutting (no maxlength): the
    page shows the limit with a live count, and a longer text is refused with both numbers,
    so nothing typed or pasted is lost without the writer knowing."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        if self.max_length is not None:
            attrs["data-max-chars"] = str(self.max_length)
        return attrs

    def validate(self, value):
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise ValidationError(
                _("At most %(limit)s characters: this text has %(count)s. Shorten it to save."),
                code="max_length",
                params={"limit": f"{self.max_length:,}", "count": f"{len(value):,}"},
            )
