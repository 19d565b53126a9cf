"""Admin forms: image uploads checked with Pillow, JSON rules checked for shape, import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from assessments.authoring.images import image_clean
from assessments.embedding.origins import OriginError, clean_allowed_origins
from assessments.models import Brand, Choice, Outcome, Product
from assessments.models.brands import RETENTION_DAYS_DEFAULT


def _clean_upload(form: forms.ModelForm, field: str) -> Any:
    upload = form.cleaned_data.get(field)
    # Only fresh uploads are checked and encoded afresh; a kept file was when it arrived.
    if upload and hasattr(upload, "content_type"):
        return image_clean(upload, max_bytes=settings.MAX_IMAGE_UPLOAD_BYTES)
    return upload


def assessment_of(obj: Any) -> Any:
    """The assessment a step, question, choice, trait, band or outcome belongs to."""
    from assessments.models import Assessment

    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, Assessment):
        return obj
    for attr in ("assessment", "step", "question", "trait"):
        parent = getattr(obj, attr, None)
        if parent is not None:
            return assessment_of(parent)
    return None


class StableKeyForm(forms.ModelForm):
    """Keys name answers in published versions and stored responses: once used, they stay."""

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        original = self.initial.get("key")
        if self.instance.pk and original and key != original:
            assessment = assessment_of(self.instance)
            if assessment is not None and assessment.versions.exists():
                raise forms.ValidationError(
                    _(
                        "Keys cannot change once a version is published: answers and reports "
                        "refer to “%(key)s”. Change the label instead."
                    ),
                    params={"key": original},
                )
        return key


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = "__all__"

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")

    def clean_attributes(self) -> Any:
        value = self.cleaned_data.get("attributes")
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Attributes are a JSON object: {"feel": "soft"}.'))
        for name, item in value.items():
            ok = isinstance(item, str | int | float | bool) or (
                isinstance(item, list) and all(isinstance(v, str) for v in item)
            )
            if not ok:
                raise forms.ValidationError(
                    _(
                        "Attribute “%(name)s” must be text, a number, true/false or a list of "
                        "texts."
                    ),
                    params={"name": name},
                )
        return value


class ChoiceForm(StableKeyForm):
    class Meta:
        model = Choice
        fields = "__all__"

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")

    def clean_points(self) -> Any:
        value = self.cleaned_data.get("points") or {}
        if not isinstance(value, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
        ):
            raise forms.ValidationError(
                _('Points are a JSON object from trait key to a number: {"support": 2}.')
            )
        return value


class OutcomeForm(StableKeyForm):
    class Meta:
        model = Outcome
        fields = "__all__"

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")


class BrandForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the period is the default one rather than an error.
        self.fields["retention_days"].required = False

    def clean_logo(self) -> Any:
        return _clean_upload(self, "logo")

    def clean_retention_days(self) -> int:
        value = self.cleaned_data.get("retention_days")
        return RETENTION_DAYS_DEFAULT if value is None else value

    def clean_sender_name(self) -> str:
        name = self.cleaned_data.get("sender_name") or ""
        if any(character in name for character in "\r\n\x00"):
            raise forms.ValidationError(_("The sender name is one line: remove the line break."))
        return name

    def clean_allowed_origins(self) -> list[str]:
        try:
            return clean_allowed_origins(self.cleaned_data.get("allowed_origins") or [])
        except OriginError as error:
            raise forms.ValidationError(str(error)) from error


class ImportForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("Brand"))
    file = forms.FileField(
        label=_("Definition file (JSON)"),
        help_text=_("A file written by Export, or by hand following the JSON Schema."),
    )
    publish = forms.BooleanField(
        required=False, label=_("Publish it as a new version once imported")
    )

    def __init__(self, *args: Any, brands: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Definition files are limited to 5 MB."))
        return upload.read()
