"""The follow-up message class builds exactly the bytes Django's own class builds, faster."""

from __future__ import annotations

import copy
import datetime as dt
import email
import email.policy
import re
from email.headerregistry import HeaderRegistry
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMultiAlternatives
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.followups.mail import FollowupEmailMessage, fast_policy

HTML = '<p style="margin:0 0 16px;font-size:16px;line-height:1.5;">{body}</p>' * 3
LONG = "A line of text that goes on well past seventy-eight characters, as paragraphs do. " * 3

CASES = [
    # subject, body, from, to
    ("Day 2: Steady for Ana", "Hi Ana,\n\nShort lines.\n", "Acme <hello@acme.example>", "a@b.c"),
    ("Día 2: Steady para Ana María", f"Hola,\n\n{LONG}\n", "Acmé <h@acme.example>", "x@y.z"),
    (
        "A subject long enough to be folded over more than one line of the header, "
        "with a few non-ASCII words: señora, Zoë, naïve, and some more words after them",
        f"{LONG}\n\n{LONG}",
        "hello@acme.example",
        "Zoë Ünal <zoe@exämple.com>",
    ),
    ("O'Brien & Co <script>", "Tab\there & <b>bold</b>\n", '"Q, R" <q@r.example>', "o@b.ie"),
]


def build(cls, subject, body, from_email, to, *, n=0):
    message = cls(
        subject=subject,
        body=body,
        from_email=from_email,
        to=[to],
        headers={
            "List-Unsubscribe": f"<https://example.com/u/tok{n}/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<followup-{n}@example.com>",
            "Date": "Sun, 06 Dec 2026 23:00:00 -0000",
            "Auto-Submitted": "auto-generated",
            "Content-Language": "es",
        },
    )
    message.attach_alternative(HTML.format(body=body), "text/html")
    return message


def as_bytes(message, policy) -> bytes:
    built = message.message(policy=policy).as_bytes()
    return re.sub(rb"={15}\d+==", b"BOUNDARY", built)  # the generator picks a random boundary


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
@pytest.mark.parametrize("case", CASES)
def test_the_built_bytes_are_djangos_byte_for_byte(case, policy):
    expected = as_bytes(build(EmailMultiAlternatives, *case), policy)
    # Twice: the second build reuses headers the first one parsed and serialised.
    for _ in range(2):
        assert as_bytes(build(FollowupEmailMessage, *case), policy) == expected


def test_a_mail_client_reads_the_same_headers_and_parts():
    for n, case in enumerate(CASES):
        ours = email.message_from_bytes(
            as_bytes(build(FollowupEmailMessage, *case, n=n), email.policy.default),
            policy=email.policy.default,
        )
        django = email.message_from_bytes(
            as_bytes(build(EmailMultiAlternatives, *case, n=n), email.policy.default),
            policy=email.policy.default,
        )
        assert list(ours.items()) == list(django.items())
        assert ours["Subject"] == " ".join(case[0].split())
        assert ours["Message-ID"] == f"<followup-{n}@example.com>"
        parts = [(p.get_content_type(), p.get_content()) for p in ours.iter_parts()]
        assert parts == [(p.get_content_type(), p.get_content()) for p in django.iter_parts()]
        assert parts[0][1].rstrip("\n") == case[1].rstrip("\n")


def test_a_non_ascii_domain_is_idna_encoded_as_django_does():
    message = build(FollowupEmailMessage, *CASES[2]).message()
    assert message["To"] == "Zoë Ünal <zoe@xn--exmple-cua.com>"


@pytest.mark.parametrize("name", ["Ana\nBcc: victim@example.com", "Ana\r\nX-Evil: 1"])
def test_a_line_break_in_a_customers_name_cannot_add_a_header(name):
    for cls in (EmailMultiAlternatives, FollowupEmailMessage):
        with pytest.raises(ValueError):
            build(cls, f"Hi {name}", "body", "h@acme.example", "a@b.c").message()


def test_the_smtp_backends_policy_is_honoured():
    built = build(FollowupEmailMessage, *CASES[0]).message(policy=email.policy.SMTP)
    assert built.policy.linesep == "\r\n"
    assert b"\r\nSubject: Day 2: Steady for Ana\r\n" in built.as_bytes()
    assert fast_policy(email.policy.SMTP) is fast_policy(email.policy.SMTP)
    assert fast_policy(email.policy.compat32) is email.policy.compat32


def test_a_date_is_written_as_the_standard_library_writes_it():
    remembering = fast_policy(email.policy.default).header_factory
    utc = dt.datetime(2026, 12, 6, 23, 0, 0, 123456, tzinfo=dt.UTC)
    for value in (
        utc,
        utc.replace(microsecond=999999),
        utc.astimezone(ZoneInfo("Europe/Madrid")),  # the same time, another offset
        utc.astimezone(ZoneInfo("America/Lima")),
        utc.replace(tzinfo=None),
        utc + dt.timedelta(seconds=1),
    ):
        header = remembering("Date", value)
        assert str(header) == str(HeaderRegistry()("Date", value)) == format_datetime(value)
        assert header.fold(policy=email.policy.SMTP) == f"Date: {format_datetime(value)}\r\n"


def test_a_kept_copy_is_the_same_message_and_independent_of_the_original():
    original = build(FollowupEmailMessage, *CASES[1])
    original.attach("notes.txt", "a note", "text/plain")
    kept = copy.deepcopy(original)
    assert type(kept) is FollowupEmailMessage
    assert as_bytes(kept, email.policy.SMTP) == as_bytes(original, email.policy.SMTP)
    kept.to.append("someone@else.example")
    kept.extra_headers["Message-ID"] = "<other@example.com>"
    kept.alternatives.clear()
    kept.attachments.clear()
    assert original.to == ["x@y.z"]
    assert original.extra_headers["Message-ID"] == "<followup-0@example.com>"
    assert len(original.alternatives) == 1 and len(original.attachments) == 1


# Lines short and long (a mail line holds 78 characters), with what quoted-printable treats
# specially: "=", spaces and tabs (at a line's end too), non-ASCII, form feeds, carriage returns.
_line = st.text(alphabet="ab =\t.é€😀\x0c\r", max_size=40).map(lambda s: s * 4)
_body = st.lists(_line, max_size=14).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(text=_body, html=_body)
def test_any_body_is_encoded_as_djangos(text, html):
    for policy in (email.policy.default, email.policy.SMTP):
        ours = FollowupEmailMessage(subject="S", body=text, from_email="a@b.c", to=["d@e.f"])
        ours.attach_alternative(html, "text/html")
        django = EmailMultiAlternatives(subject="S", body=text, from_email="a@b.c", to=["d@e.f"])
        django.attach_alternative(html, "text/html")
        fixed = {"Date": "Sun, 06 Dec 2026 23:00:00 -0000", "Message-ID": "<m@example.com>"}
        ours.extra_headers = django.extra_headers = fixed
        assert as_bytes(ours, policy) == as_bytes(django, policy)


def test_a_message_written_for_one_policy_is_written_right_for_another():
    # Headers keep what they folded to for the last policy; another policy folds afresh.
    built = build(FollowupEmailMessage, *CASES[2]).message()
    django = build(EmailMultiAlternatives, *CASES[2]).message()
    for policy in (email.policy.default, email.policy.SMTP, email.policy.default):
        ours = re.sub(rb"={15}\d+==", b"B", built.as_bytes(policy=policy))
        assert ours == re.sub(rb"={15}\d+==", b"B", django.as_bytes(policy=policy))
    assert b"\r\n" in built.as_bytes(policy=email.policy.SMTP)
