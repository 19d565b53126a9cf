"""A follow-up e-mail whose MIME message is built several times faster, byte for byte the same.

Django builds every message through the standard library's modern `email` API, and the mail
backends call `message()` once per send (the test and local-memory backends too, to validate
the headers). Most of that cost is the header registry: `HeaderRegistry.__getitem__` creates a
new header class on every header set, and every value is parsed again, although a dispatch
batch sets the same Content-Type, MIME-Version, From and List-Unsubscribe-Post values on
message after message.

`FollowupEmailMessage` builds its message with a clone of whatever policy the backend asks for
(the SMTP backend's, the default one), whose header factory remembers each header class by
name and each parsed header by (name, value). Parsing does not depend on the policy, and the
email package never changes a header object once it is made (folding reads its parse tree, a
changed value is a new header), so sharing parsed headers between messages changes nothing
that goes out: only how often the same string is parsed. A shared header also keeps what it
folded to for the last policy that asked, as folding is a function of the two.

The bodies are the other cost: a follow-up's HTML has lines longer than a mail line may be, so
it goes out quoted-printable, encoded in pure Python. Quoted-printable encodes each line on its
own, and the messages of a batch share almost all their lines (only a name and the links
differ), so the policy's content manager encodes each distinct line once.
"""

from __future__ import annotations

import binascii
import copy
import datetime as dt
import email.policy
import functools
import threading
from collections.abc import Callable
from email import quoprimime
from email.contentmanager import ContentManager, raw_data_manager, set_text_content
from email.headerregistry import BaseHeader
from email.policy import EmailPolicy, Policy
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import EmailAlternative

# Distinct header values a worker keeps parsed. A batch repeats a few dozen (Content-Type,
# From, MIME-Version, …), used on every message; the per-recipient ones (To, Message-ID,
# List-Unsubscribe) are used once and soon evicted, as the least recently used.
PARSED_HEADERS = 256
# Distinct body lines a worker keeps encoded: a few templates' worth of lines.
ENCODED_LINES = 4096


class RememberingHeaderFactory:
    """A header factory that makes each header class once per name and parses each string
    (name, value) once, then hands out the same immutable header object."""

    def __init__(self, registry: Any, *, size: int = PARSED_HEADERS) -> None:
        self._registry = registry
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed: Callable[..., BaseHeader] = functools.lru_cache(maxsize=size)(self._parse)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # `policy.header_max_count` asks for the class on every header set, too.
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            made = self._registry[name]
            cls = self._classes[key] = type(made.__name__, (_FoldsOnce, made), {})
        return cls

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if isinstance(value, str):
            return self._parsed(name, value)
        if isinstance(value, dt.datetime):
            # A Date header is written to the second: every message sent in the same second
            # gets the same one, made from the time without its fraction of a second.
            # Equal times in other zones are written with other offsets: the key tells them
            # apart.
            return self._parsed(name, value.replace(microsecond=0), value.utcoffset())
        return self[name](name, value)  # a list of addresses: built each time

    def _parse(self, name: str, value: Any, offset: dt.timedelta | None = None) -> BaseHeader:
        return self[name](name, value)

    def __getattr__(self, attribute: str) -> Any:
        # Anything else a policy or caller asks of a registry (map_to_type, …).
        return getattr(self._registry, attribute)


_fast: dict[Policy, Policy] = {}
_fast_lock = threading.Lock()


def fast_policy(policy: Policy) -> Policy:
    """`policy` with a remembering header factory: the same output, parsed headers reused.

    A policy without a header factory (compat32) is returned as it is.
    """
    found = _fast.get(policy)
    if found is not None:
        return found
    if not isinstance(policy, EmailPolicy):
        return policy
    with _fast_lock:
        if len(_fast) >= 16:  # policies made on the fly must not pile up
            _fast.clear()
        found = _fast[policy] = policy.clone(
            header_factory=RememberingHeaderFactory(policy.header_factory),
            content_manager=(
                _line_encoding_manager
                if policy.content_manager is raw_data_manager
                else policy.content_manager
            ),
        )
    return found


class _FoldsOnce:
    """Mixed into a header class: an instance keeps what it folded to for the last policy that
    asked, so a header shared by a batch's messages is folded once, not once per message."""

    __slots__ = ()

    def fold(self, *, policy: Policy) -> str:
        kept = self.__dict__.get("_folded")
        if kept is not None and kept[0] is policy:
            return kept[1]
        folded = super().fold(policy=policy)  # type: ignore[misc]
        self.__dict__["_folded"] = (policy, folded)
        return folded


@functools.lru_cache(maxsize=ENCODED_LINES)
def _quoted_printable_line(line: bytes, max_line_length: int) -> str:
    # The standard library's encoder, on one line: what it gives for the line in a body.
    return quoprimime.body_encode(line.decode("latin-1") + "\n", max_line_length)


def _set_text(
    msg: Any, string: str, subtype: str = "plain", charset: str = "utf-8", **rest: Any
) -> None:
    """The standard text setter, with each distinct line of a quoted-printable body encoded
    once. The encoding is chosen as the standard library chooses it: lines a mail line holds
    go as they are; longer ones go quoted-printable unless base64 is shorter for the first ten
    lines. Anything but the quoted-printable case (and any other argument) is left to the
    standard setter, as it is."""
    policy = msg.policy
    longest = policy.max_line_length
    lines = string.encode(charset).splitlines()
    if (
        any(value is not None for value in rest.values())
        or not longest
        or not lines
        or max(len(line) for line in lines) <= longest
    ):
        return set_text_content(msg, string, subtype, charset, **rest)
    encoded = [_quoted_printable_line(line, longest) for line in lines]
    linesep = policy.linesep.encode("ascii")
    if sum(map(len, encoded[:10])) > len(binascii.b2a_base64(linesep.join(lines[:10]) + linesep)):
        return set_text_content(msg, string, subtype, charset, **rest)
    # The headers as the standard setter writes them for this encoding; then the payload.
    set_text_content(msg, "", subtype, charset, cte="quoted-printable")
    msg.set_payload("".join(encoded))
    return None


_line_encoding_manager = ContentManager()
_line_encoding_manager.get_handlers.update(raw_data_manager.get_handlers)
_line_encoding_manager.set_handlers.update(raw_data_manager.set_handlers)
_line_encoding_manager.add_set_handler(str, _set_text)


class FollowupEmailMessage(EmailMultiAlternatives):
    """An `EmailMultiAlternatives` whose `message()` reuses parsed and folded headers and
    encoded body lines (see the module)."""

    def message(self, *, policy: Policy = email.policy.default) -> Any:
        return super().message(policy=fast_policy(policy))

    def __deepcopy__(self, memo: dict[int, Any]) -> FollowupEmailMessage:
        """A deep copy, as the local-memory backend keeps of every message it takes, without
        the generic machinery: what cannot change (strings, the alternatives' tuples of
        strings) is shared, as `copy.deepcopy` shares a string; lists and dicts of such are
        copied; anything else is deep-copied."""
        copied = self.__class__.__new__(self.__class__)
        memo[id(self)] = copied
        copied.__dict__.update(
            (name, _copied(value, memo)) for name, value in self.__dict__.items()
        )
        return copied


def _unchanging(value: object) -> bool:
    if type(value) is tuple or type(value) is EmailAlternative:
        return all(_unchanging(item) for item in value)
    return value is None or type(value) in (str, bytes, int, bool)


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    if _unchanging(value):
        return value
    if type(value) is list and all(_unchanging(item) for item in value):
        return list(value)
    if type(value) is dict and all(_unchanging(i) for pair in value.items() for i in pair):
        return dict(value)
    return copy.deepcopy(value, memo)
