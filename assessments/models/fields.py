"""Model and form fields shared by the authoring models."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
KEY_MAX_LENGTH = 64

key_validator = RegexValidator(
    KEY_PATTERN,
    _(
        "Use lowercase letters, digits, hyphens and underscores, starting with a letter or digit "
        "(for example “weekly-distance”)."
    ),
)
colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Give a colour as #rrggbb, for example #1a5fb4.")
)


def content_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class KeyField(models.CharField):
    """A stable slug that names a question, choice, trait or outcome; labels change, keys never."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", KEY_MAX_LENGTH)
        kwargs.setdefault("validators", [key_validator])
        kwargs.setdefault(
            "help_text", _("Stable identifier used in conditions, exports and results.")
        )
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        for option in ("max_length", "validators", "help_text"):
            kwargs.pop(option, None)
        return name, path, args, kwargs


class LocalizedTextWidget(forms.MultiWidget):
    """One input per content language, labelled with the language's name."""

    template_name = "assessments/widgets/localized_text.html"

    def __init__(
        self,
        multiline: bool = False,
        attrs: dict[str, Any] | None = None,
        languages: list[tuple[str, str]] | None = None,
    ) -> None:
        self.languages = languages if languages is not None else content_languages()
        base = (
            forms.Textarea(attrs={"rows": 3, "cols": 60})
            if multiline
            else forms.TextInput(attrs={"size": 60})
        )
        widgets = {code: base.__class__(attrs=dict(base.attrs)) for code, _name in self.languages}
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        value = value if isinstance(value, dict) else {}
        return [value.get(code, "") for code, _name in self.languages]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, (code, language_name) in zip(
            context["widget"]["subwidgets"], self.languages, strict=True
        ):
            subwidget["language_code"] = code
            subwidget["language_name"] = language_name
        return context


class LocalizedTextFormField(forms.MultiValueField):
    """Edits a {language: text} mapping; empty languages are left out of the stored value."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        languages = content_languages()
        self.multiline = multiline
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        fields = [forms.CharField(required=False, strip=True) for _ in languages]
        super().__init__(
            fields=fields,
            widget=LocalizedTextWidget(multiline=multiline),
            require_all_fields=False,
            **kwargs,
        )
        self.languages = [code for code, _name in languages]

    def show_only(self, codes: list[str]) -> None:
        """Offer inputs for these languages only (an assessment's own), in their order.

        Texts stored in other languages are not shown; the form keeps them (see
        `keep_hidden_languages`) so narrowing what is shown never deletes what was written.
        """
        names = dict(content_languages())
        shown = [(code, names[code]) for code in codes if code in names]
        if not shown or [code for code, _name in shown] == self.languages:
            return
        self.languages = [code for code, _name in shown]
        self.fields = tuple(forms.CharField(required=False, strip=True) for _ in shown)
        self.widget = LocalizedTextWidget(
            multiline=self.multiline, attrs=dict(self.widget.attrs), languages=shown
        )

    def keep_hidden_languages(self, initial: Any, value: dict[str, str]) -> dict[str, str]:
        """`value` with the texts of languages this field does not show, taken from `initial`."""
        kept = {
            code: text
            for code, text in (initial if isinstance(initial, dict) else {}).items()
            if code not in self.languages
        }
        return {**kept, **value}

    def compress(self, data_list: list[str]) -> dict[str, str]:
        data_list = data_list or [""] * len(self.languages)
        return {
            code: text
            for code, text in zip(self.languages, data_list, strict=True)
            if text and text.strip()
        }

    def has_changed(self, initial: Any, data: Any) -> bool:
        value = self.compress(data if isinstance(data, list) else [])
        return (initial or {}) != self.keep_hidden_languages(initial, value)

    def validate(self, value: dict[str, str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(_("Give this text in at least one language."))


class LocalizedTextField(models.JSONField):
    """Author-visible text stored as {language code: text}."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> forms.Field:
        return LocalizedTextFormField(
            multiline=self.multiline,
            required=not self.blank,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
        )
