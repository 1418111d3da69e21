"""Hole 1 of the security test: the API stored any file the form refuses. One policy: portal.uploads."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.models import Case, CaseMaterial
from portal import uploads
from tests.approvals.factories import centre as build_centre
from tests.approvals.factories import pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


def doc():
    return SimpleUploadedFile("申请书.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20)


def html_as_pdf():
    return SimpleUploadedFile("营业执照.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")


BAD_UPLOADS = {
    "doc": lambda: [doc()],
    "html renamed pdf": lambda: [html_as_pdf()],
    "20 files": lambda: [pdf(f"p{i}.pdf") for i in range(20)],
}


@pytest.mark.parametrize(
    "upload, code",
    [(lambda: pdf(), None), (lambda: SimpleUploadedFile("a.png", PNG), None), (doc, "type"), (html_as_pdf, "content"),
     (lambda: SimpleUploadedFile("a.PDF", b"%PDF-1.7"), None), (lambda: SimpleUploadedFile("a.exe", b"MZ"), "type"),
     (lambda: SimpleUploadedFile("a.png", b"%PDF-1.7"), "content")],
)  # fmt: skip
def test_check_file(upload, code):
    if code is None:
        uploads.check_file(upload())
    else:
        with pytest.raises(ValidationError) as exc:
            uploads.check_file(upload())
        assert exc.value.error_list[0].code == code


def test_check_file_size(settings):
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2048)
    with pytest.raises(ValidationError) as exc:
        uploads.check_file(big, max_bytes=1024)
    assert exc.value.code == "too_large"


def test_check_mapping_counts_per_field_and_per_request():
    with pytest.raises(ValidationError) as exc:
        uploads.check_mapping({"material_1": [pdf() for _ in range(6)]})
    assert set(exc.value.message_dict) == {"material_1"}
    many = {f"material_{i}": [pdf() for _ in range(5)] for i in range(7)}
    with pytest.raises(ValidationError) as exc:
        uploads.check_mapping(many)
    assert set(exc.value.message_dict) == {"files"}
    uploads.check_mapping({f"material_{i}": [pdf() for _ in range(5)] for i in range(6)})


@pytest.mark.django_db
@pytest.mark.parametrize("bad", list(BAD_UPLOADS))
def test_api_application_refuses_what_the_form_refuses(client, settings, tmp_path, bad):
    settings.MEDIA_ROOT = tmp_path
    centre = build_centre()
    field = f"material_{centre.required.pk}"
    base = {"item": centre.item.code, "applicant_name": "张三", "applicant_phone": "13800138000"}
    api = APIClient().post("/api/v1/cases/", {**base, field: BAD_UPLOADS[bad]()}, format="multipart")
    assert api.status_code == 400, api.content
    assert field in api.json()
    page = client.post(
        reverse("approvals:apply", args=[centre.item.code]),
        {
            **base,
            "applicant_type": "person",
            "applicant_id_number": "110101199003078888",
            field: BAD_UPLOADS[bad](),
        },
    )
    assert page.status_code in (200, 400) and page.context["form"].errors[field]
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


@pytest.mark.django_db
def test_api_correction_refuses_a_file_the_form_refuses(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    centre = build_centre()
    created = (
        APIClient()
        .post("/api/v1/cases/", {"item": centre.item.code, "applicant_name": "李四"}, format="multipart")
        .json()
    )
    clerk = APIClient()
    clerk.force_authenticate(centre.clerk)
    clerk.post(f"/api/v1/cases/{created['code']}/request-correction/", {"missing": [str(centre.required.pk)]})
    field = f"material_{centre.required.pk}"
    response = APIClient().post(
        f"/api/v1/cases/{created['code']}/correct/",
        {"secret": created["query_secret"], field: html_as_pdf()},
        format="multipart",
    )
    assert response.status_code == 400 and field in response.json()
    assert not CaseMaterial.objects.exists()
