"""Reading a step's footprint photos from a multipart POST: in memory only, never a file.

Django's default handlers spill an upload over 2.5 MB to a temporary file on disk; a photo of
a customer's foot must not land there, even for a moment. `PhotoUploadHandler` replaces them on
the step view: it keeps the photo fields the step asks for in memory, one file each, up to
`settings.FOOTPRINT_MAX_BYTES`, and drops anything larger (or any other file) unread, noting
which fields were too large so the page can say so.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

# The name of a photo question's file input: not the question's key, so a form that is not
# multipart (which sends only the file's name) never hands the engine a stray value.
PHOTO_PREFIX = "photo-"
KEEP_PREFIX = "keep-photo-"
DRAWINGS_PREFIX = "drawings-"


def photo_field(question_key: str) -> str:
    return f"{PHOTO_PREFIX}{question_key}"


def keep_field(question_key: str) -> str:
    return f"{KEEP_PREFIX}{question_key}"


def drawings_field(question_key: str) -> str:
    """Ticked: forget the measured photo and choose a drawing instead."""
    return f"{DRAWINGS_PREFIX}{question_key}"


class PhotoUploadHandler(FileUploadHandler):
    """Photos for the named fields, in memory and at most `max_bytes` each; nothing else."""

    def __init__(self, request: HttpRequest, *, fields: Iterable[str], max_bytes: int) -> None:
        super().__init__(request)
        self.fields = frozenset(fields)
        self.max_bytes = max_bytes
        self.too_large: set[str] = set()
        self._received: set[str] = set()
        self._buffer = io.BytesIO()

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        # One file per photo field; any other file part is skipped without being read.
        if field_name not in self.fields or field_name in self._received:
            raise SkipFile
        self._received.add(field_name)
        self._buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.max_bytes:
            self.too_large.add(self.field_name)
            self._buffer = io.BytesIO()
            raise SkipFile
        self._buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self._buffer.seek(0)
        return InMemoryUploadedFile(
            file=self._buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
