"""Create a brand and its first owner; the owner sets a password through a one-time link."""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.brands.services import brand_create


class Command(BaseCommand):
    help = (
        'Create a brand and its first owner: create_brand SLUG "Name" --owner-email ADDRESS. '
        "Prints a one-time link where the owner sets a password (or asks for one with "
        "--ask-password). No password is ever printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The brand's slug, used in links: stride-lab")
        parser.add_argument("name", help="The brand's name as customers see it")
        parser.add_argument("--owner-email", required=True, help="The first owner's address")
        parser.add_argument(
            "--languages",
            default="en",
            help="Language codes offered to customers, comma-separated, the default first: en,es",
        )
        parser.add_argument(
            "--ask-password",
            action="store_true",
            help="Type the owner's password here (twice) instead of printing a link",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        languages = [code.strip() for code in options["languages"].split(",") if code.strip()]
        try:
            created = brand_create(
                slug=options["slug"],
                name=options["name"],
                languages=languages,
                owner_email=options["owner_email"],
            )
        except ValidationError as error:
            raise CommandError(_words(error)) from error
        brand, owner = created.brand, created.owner
        self.stdout.write(self.style.SUCCESS(f"Created brand “{brand.name}” ({brand.slug})."))
        if not created.owner_is_new and owner.has_usable_password():
            self.stdout.write(
                f"{owner.get_username()} already had a login and is now an owner of "
                f"{brand.slug}; they log in with their own password."
            )
            return
        if options["ask_password"]:
            self._ask_password(owner)
            self.stdout.write(f"{owner.get_username()} can log in at {_absolute('admin:login')}.")
            return
        uid = urlsafe_base64_encode(force_bytes(owner.pk))
        token = default_token_generator.make_token(owner)
        link = _absolute("password_set", uid, token)
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        self.stdout.write(
            f"Send this link to {owner.get_username()} to set their password "
            f"(it works once, for {hours} hours):\n{link}"
        )

    def _ask_password(self, owner: Any) -> None:
        for _attempt in range(3):
            password = getpass.getpass(f"Password for {owner.get_username()}: ")
            if password != getpass.getpass("The same again: "):
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                validate_password(password, owner)
            except ValidationError as error:
                self.stderr.write(_words(error))
                continue
            owner.set_password(password)
            owner.save(update_fields=["password"])
            return
        raise CommandError(
            f"No password set. The brand and its owner exist; set the password with "
            f"`manage.py changepassword {owner.get_username()}`."
        )


def _absolute(name: str, *args: str) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def _words(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
