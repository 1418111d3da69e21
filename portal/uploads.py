"""The one upload policy for citizens' files, in forms and in the API (approvals' materials, complaints).

A file is accepted when it is at most MAX_UPLOAD_BYTES, named .pdf/.jpg/.jpeg/.png *and* starts with
the bytes such a file starts with. Checked before any verb runs, so a refused file stores nothing.
"""

import os

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What a citizen may upload: extension -> the bytes such a file starts with.
UPLOAD_SIGNATURES = {
    "pdf": (b"%PDF",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def check_upload(upload) -> None:
    """Refuse a file that is too large, of another type, or whose content does not match its name."""
    name = os.path.basename(upload.name or "")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("文件「%(name)s」大小为 %(size).1f MB，超过 %(max)d MB 的上限。"),
            params={"name": name, "size": upload.size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in UPLOAD_SIGNATURES:
        raise ValidationError(
            _("文件「%(name)s」的格式不受支持，请上传 PDF、JPG 或 PNG 文件。"),
            params={"name": name},
            code="type",
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in UPLOAD_SIGNATURES[extension]):
        raise ValidationError(
            _("文件「%(name)s」的内容不是有效的 %(ext)s 文件，请重新导出后上传。"),
            params={"name": name, "ext": extension.upper()},
            code="content",
        )


def check_uploads(files, *, max_files: int) -> list:
    """Every file checked; at most ``max_files``. Raises one ValidationError listing every refusal."""
    files = [f for f in files or () if f]
    if len(files) > max_files:
        raise ValidationError(_("最多上传 %(n)d 个文件。"), params={"n": max_files}, code="too_many")
    errors = []
    for upload in files:
        try:
            check_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Zero or more files under the policy (a form field; the API calls ``check_uploads``)."""

    def __init__(self, *args, max_files: int = 5, **kwargs):
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
