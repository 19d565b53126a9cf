"""What customers send from the after-purchase pages, checked before any service sees it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.brands.mail import email_clean
from assessments.models import CheckIn, Product
from assessments.taking.forms import SubmissionIdField

from .services import CheckInAnswers

SUBMISSION_ID_MAX_LENGTH = 40


def _scale(low: int, high: int) -> forms.IntegerField:
    """One check-in scale: a whole number from `low` to `high`, one message for any mistake."""
    message = format_lazy(_("Please choose a number from {low} to {high}."), low=low, high=high)
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        error_messages={key: message for key in ("required", "invalid", "min_value", "max_value")},
    )


class CheckInForm(forms.Form):
    """A check-in: satisfaction (CSAT), effort (CES), likelihood to recommend (NPS), the promise."""

    csat = _scale(1, 5)
    ces = _scale(1, 7)
    nps = _scale(0, 10)
    delivered = forms.ChoiceField(
        choices=CheckIn.Delivered.choices,
        error_messages={
            key: _("Please say whether it delivered what we told you it would.")
            for key in ("required", "invalid_choice")
        },
    )
    comment = forms.CharField(required=False, max_length=2000)

    def scale(self, name: str) -> range:
        """The numbers the page offers for one scale: the same bounds the form checks."""
        field = self.fields[name]
        return range(field.min_value, field.max_value + 1)

    def answers(self) -> CheckInAnswers:
        data = self.cleaned_data
        return CheckInAnswers(
            csat=data["csat"],
            ces=data["ces"],
            nps=data["nps"],
            delivered=data["delivered"],
            comment=data["comment"],
        )


class PreferencesForm(forms.Form):
    """Which kinds of follow-up a customer still wants; an unticked box is a kind turned off."""

    tips = forms.BooleanField(required=False)
    checkins = forms.BooleanField(required=False)
    reassessments = forms.BooleanField(required=False)


class BoughtForm(forms.Form):
    """ "I bought this" on the results page: which product, and an address only with consent."""

    sku = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        to_field_name="sku",
        error_messages={
            key: _("Choose the product you bought.") for key in ("required", "invalid_choice")
        },
    )
    consent = forms.BooleanField(required=False)
    email = forms.CharField(required=False)
    # No name: a visitor's text would go into follow-ups' subjects, in the brand's name, to
    # whatever address they typed. Follow-ups greet without one.
    # The form's own id, so a double click records the purchase once.
    submission_id = SubmissionIdField(max_length=SUBMISSION_ID_MAX_LENGTH)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = products

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("consent"):
            # Without the box ticked we keep no address, whatever was typed.
            data["email"] = ""
            return data
        email = email_clean(data.get("email"))
        if email is None:
            self.add_error("email", _("Give your e-mail address, so we can send the follow-ups."))
        else:
            data["email"] = email
        return data
