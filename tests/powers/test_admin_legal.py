"""Legal documents and articles change only through the legal-basis verbs: a published basis never changes."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied

from portal.models import AuditEvent
from powers import services
from powers.choices import PowerStatus
from powers.models import LegalArticle, LegalDocument
from tests.portal.test_admin_audit import post_change_form
from tests.powers.factories import LegalArticleFactory, PowerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def doc_url(document):
    return f"/admin/powers/legaldocument/{document.pk}/change/"


def test_an_uncited_article_is_corrected_through_the_verb(admin_client, admin_user):
    article = LegalArticleFactory(text="旧条文")
    response = post_change_form(admin_client, doc_url(article.document), {}, {"articles-0-text": "新条文"})
    assert response.status_code == 302, texts(response)
    assert LegalArticle.objects.get(pk=article.pk).text == "新条文"
    event = AuditEvent.objects.get(verb="legal_article.update")
    assert (
        event.actor == admin_user and event.before == {"text": "旧条文"} and event.after == {"text": "新条文"}
    )


def test_the_text_under_a_published_power_is_refused_and_nothing_is_stored(admin_client, department):
    article = LegalArticleFactory(text="原条文")
    power = PowerFactory(department=department, status=PowerStatus.PUBLISHED)
    power.legal_articles.add(article)
    document = article.document
    response = post_change_form(
        admin_client, doc_url(document), {"issuer": "新机关"}, {"articles-0-text": "悄悄改过的条文"}
    )
    assert response.status_code == 302
    assert any("不能改动" in m and power.code in m for m in texts(response))
    assert LegalArticle.objects.get(pk=article.pk).text == "原条文"
    assert LegalDocument.objects.get(pk=document.pk).issuer != "新机关"  # the document's save rolled back too
    assert not AuditEvent.objects.exists()
    # Renaming the document is refused too; deleting the article or the document as well.
    response = post_change_form(admin_client, doc_url(document), {"title": "别的名称"})
    assert any("不能修改" in m for m in texts(response))
    delete = admin_client.post(
        f"/admin/powers/legalarticle/{article.pk}/delete/", {"post": "yes", "reason": "x"}, follow=True
    )
    assert any("不能删除" in m for m in texts(delete))
    delete = admin_client.post(
        f"/admin/powers/legaldocument/{document.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert any("不能删除" in m for m in texts(delete))
    assert LegalArticle.objects.filter(pk=article.pk).exists()


def test_repealing_a_document_needs_a_reason_and_is_audited(admin_client, department):
    article = LegalArticleFactory()
    PowerFactory(department=department, status=PowerStatus.PUBLISHED).legal_articles.add(article)
    document = article.document
    response = post_change_form(admin_client, doc_url(document), {"is_current": ""})
    assert any("须说明理由" in m for m in texts(response))
    assert LegalDocument.objects.get(pk=document.pk).is_current is True
    response = post_change_form(
        admin_client, doc_url(document), {"is_current": "", "reason": "已被2026年修订版取代"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="legal_document.update")
    assert event.before == {"is_current": True} and event.after == {"is_current": False}
    assert event.note == "已被2026年修订版取代"


def test_a_draft_citation_allows_corrections_but_not_deletion(department, admin_user, legal, handler):
    article = LegalArticleFactory(text="草稿依据")
    PowerFactory(department=department, status=PowerStatus.DRAFT).legal_articles.add(article)
    services.save_legal_article(article, by=legal, text="更正后的草稿依据")
    with pytest.raises(services.TransitionError, match="草稿请先移除"):
        services.remove_legal_article(article, by=admin_user)
    with pytest.raises(PermissionDenied):
        services.save_legal_article(article, by=handler, text="部门自己改")
    new = services.save_legal_article(
        by=legal, document=article.document, number=99, label="第九十九条", text="新增条文"
    )
    assert AuditEvent.objects.get(verb="legal_article.create").after["label"] == "第九十九条"
    services.remove_legal_article(new, by=admin_user, reason="录入重复")
    assert AuditEvent.objects.get(verb="legal_article.delete").note == "录入重复"
