"""Forms for the store's pages: the staff code lookup and an in-store sale."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import CODE_ALPHABET, CODE_LENGTH


class CodeLookupForm(forms.Form):
    """The code on the customer's screen, as staff type it."""

    code = forms.CharField(
        label=_("Code on the customer's screen"),
        min_length=CODE_LENGTH,
        max_length=CODE_LENGTH + 4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper().replace("-", "")
        if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
            raise forms.ValidationError(
                _("A code is six letters and digits, as shown on the customer's screen.")
            )
        return code


class StoreSaleForm(forms.Form):
    """A product sold in the store to the customer whose results are open."""

    sku = forms.ChoiceField(label=_("Product"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)
    order_id = forms.CharField(
        label=_("Receipt number"),
        max_length=200,
        required=False,
        help_text=_(
            "From the till, if there is one; left empty, the sale gets a number of its own."
        ),
    )
    email = forms.EmailField(label=_("Customer's e-mail (optional)"), required=False)
    followups_agreed = forms.BooleanField(
        label=_("The customer agreed to tips and check-ins about this product by e-mail."),
        required=False,
    )
    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, products: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].choices = products

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("followups_agreed") and not cleaned.get("email"):
            self.add_error("email", _("Follow-ups need the customer's e-mail address."))
        return cleaned
