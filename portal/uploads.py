"""One upload policy for every form and every API endpoint that takes files.

A file is accepted when its extension is allowed, its first bytes are those of that type
(content sniffing: an HTML page renamed ``.pdf`` is refused), and it is at most ``MAX_FILE_BYTES``;
one field (e.g. one material of a case) takes at most ``MAX_FILES_PER_FIELD`` files and one
request at most ``MAX_FILES_PER_REQUEST``. Forms call ``check_files`` in their field's ``clean``
(errors beside the field); the verbs that store files call ``check_mapping`` again, so the API and
any other caller get exactly the same answer (a ``ValidationError`` keyed by field → 400).

Usage::

    from portal import uploads
    files = uploads.check_files(request.FILES.getlist("attachment"))          # one field
    uploads.check_mapping({"material_3": [f1, f2], "material_4": [f3]})         # a whole request
"""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_FILES_PER_FIELD = 5
MAX_FILES_PER_REQUEST = 30

# Allowed extension -> the bytes such a file starts with.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    # OFD (the Chinese fixed-layout format) is a ZIP container.
    "ofd": (b"PK\x03\x04",),
}
DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png")
TYPE_NAMES = {"pdf": "PDF", "jpg": "JPG", "jpeg": "JPG", "png": "PNG", "ofd": "OFD"}


def accept(types=DEFAULT_TYPES) -> str:
    """The ``accept`` attribute of a file input for these types."""
    mime = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
    return ",".join([f".{t}" for t in types] + sorted({mime[t] for t in types if t in mime}))


def _name(upload) -> str:
    return os.path.basename(getattr(upload, "name", "") or "")


def check_file(upload, *, types=DEFAULT_TYPES, max_bytes=MAX_FILE_BYTES) -> None:
    """Refuse a file that is too large, of another type, or whose content does not match its name."""
    name = _name(upload)
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ValidationError(
            _("文件「%(name)s」大小为 %(size).1f MB，超过 %(max)d MB 的上限。"),
            params={"name": name, "size": (size or 0) / 1024 / 1024, "max": max_bytes // 1024 // 1024},
            code="too_large",
        )
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in types or extension not in SIGNATURES:
        names = "、".join(dict.fromkeys(TYPE_NAMES.get(t, t.upper()) for t in types))
        raise ValidationError(
            _("文件「%(name)s」的格式不受支持，请上传 %(types)s 文件。"),
            params={"name": name, "types": names},
            code="type",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            _("文件「%(name)s」的内容不是有效的 %(ext)s 文件，请重新导出后上传。"),
            params={"name": name, "ext": TYPE_NAMES.get(extension, extension.upper())},
            code="content",
        )


def check_files(files, *, types=DEFAULT_TYPES, max_files=MAX_FILES_PER_FIELD, max_bytes=MAX_FILE_BYTES):
    """The files of one field, each checked; returns them as a list. Raises one error listing all faults."""
    files = [f for f in (files if isinstance(files, list | tuple) else [files]) if f]
    if len(files) > max_files:
        raise ValidationError(_("每项最多上传 %(n)d 个文件。"), params={"n": max_files}, code="too_many")
    errors = []
    for upload in files:
        try:
            check_file(upload, types=types, max_bytes=max_bytes)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return files


def check_mapping(
    files_by_field: dict, *, types=DEFAULT_TYPES, max_per_request=MAX_FILES_PER_REQUEST, **kwargs
):
    """Every field's files checked, and the request's total; errors keyed by field name."""
    errors = {}
    total = 0
    for field, files in (files_by_field or {}).items():
        try:
            total += len(check_files(files, types=types, **kwargs))
        except ValidationError as exc:
            errors[str(field)] = exc.error_list
    if not errors and total > max_per_request:
        errors["files"] = [
            ValidationError(
                _("一次最多上传 %(n)d 个文件。"), params={"n": max_per_request}, code="too_many_in_request"
            )
        ]
    if errors:
        raise ValidationError(errors)


# --- names used by the apps ---------------------------------------------------------------------

UPLOAD_SIGNATURES = {t: SIGNATURES[t] for t in DEFAULT_TYPES}
UPLOAD_ACCEPT = accept()


def check_upload(upload) -> None:
    """One file under the default policy (PDF, JPG, PNG)."""
    check_file(upload)


def check_uploads(files, *, max_files: int = MAX_FILES_PER_FIELD) -> list:
    """Every file checked; at most ``max_files``. Raises one ValidationError listing every refusal."""
    return check_files(list(files or ()), max_files=max_files)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Zero or more files under the policy (a form field; the API calls ``check_uploads``)."""

    def __init__(self, *args, max_files: int = MAX_FILES_PER_FIELD, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": UPLOAD_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(_("最多上传 %(n)d 个文件。"), params={"n": self.max_files})
        return check_uploads(
            [super(UploadsField, self).clean(f, initial) for f in files], max_files=self.max_files
        )
