"""Forms for customers' data rights: the address to send a link to, the erasure's confirmation,
and the owners' export-or-erase request in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.brands.mail import EMAIL_MAX_LENGTH, email_clean
from assessments.models import Brand
from assessments.privacy.selectors import email_normalise


class AddressField(forms.CharField):
    """An address a customer could receive mail at, trimmed and in lower case."""

    default_error_messages = {
        "invalid": _("Enter an e-mail address, like name@example.com."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return text
        email = email_clean(text)
        if email is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return email_normalise(email)


class AddressForm(forms.Form):
    """The address a customer wants a link to their data sent to."""

    email = AddressField(
        label=_("Your e-mail address"),
        error_messages={"required": _("Enter the e-mail address you gave us.")},
    )


class EraseForm(forms.Form):
    """Erasing cannot be undone, so the customer ticks a box saying they know."""

    confirm = forms.BooleanField(
        error_messages={
            "required": _("Tick the box to confirm: erasing cannot be undone."),
        },
    )


class CustomerDataForm(forms.Form):
    """An owner exports or erases one address's data, for a request that came another way."""

    EXPORT = "export"
    ERASE = "erase"

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("Brand"))
    email = AddressField(label=_("The customer's e-mail address"))
    action = forms.ChoiceField(
        label=_("What to do"),
        choices=[
            (EXPORT, _("Download everything tied to the address (JSON)")),
            (ERASE, _("Erase everything tied to the address")),
        ],
        widget=forms.RadioSelect,
        initial=EXPORT,
    )
    confirm = forms.BooleanField(
        required=False,
        label=_(
            "I have checked the request came from this address's owner; erasing cannot be undone."
        ),
    )

    def __init__(self, *args: Any, brands: QuerySet[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        if len(brands) == 1:
            self.fields["brand"].initial = brands[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == self.ERASE and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to erase: it cannot be undone."))
        return data
