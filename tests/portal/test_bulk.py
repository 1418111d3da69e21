"""portal.bulk: rows and instances written without save(), ids reserved, keys still checked."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction

from portal import bulk
from portal.models import Department, SearchDocument, SearchToken

pytestmark = pytest.mark.django_db


def test_insert_rows_with_reserved_ids_and_defaults():
    ct = ContentType.objects.get_for_model(Department)
    first = bulk.reserve_ids(SearchDocument, 2)
    written = bulk.insert_rows(
        SearchDocument,
        ["id", "content_type_id", "object_id", "text"],
        [(first, ct.pk, 1, "甲"), (first + 1, ct.pk, 2, "乙")],
    )
    assert written == 2
    assert list(SearchDocument.objects.order_by("id").values_list("id", "text")) == [
        (first, "甲"),
        (first + 1, "乙"),
    ]
    assert SearchDocument.objects.create(content_type=ct, object_id=3, text="丙").pk > first + 1


def test_insert_objects_sets_ids_and_writes_every_column():
    ct = ContentType.objects.get_for_model(Department)
    tokens = [SearchToken(content_type=ct, object_id=7, token=t) for t in ("许", "可", "许可")]
    bulk.insert_objects(SearchToken, tokens)
    assert all(t.pk for t in tokens) and len({t.pk for t in tokens}) == 3
    assert set(SearchToken.objects.filter(object_id=7).values_list("pk", "token")) == {
        (t.pk, t.token) for t in tokens
    }


def _replication_role():
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite checks keys at commit")
def test_a_dangling_key_is_refused_when_written_by_a_bulk_load():
    with pytest.raises(IntegrityError), bulk.loading(), transaction.atomic():
        bulk.insert_rows(SearchToken, ["content_type_id", "object_id", "token"], [(987654, 1, "甲")])
    assert not SearchToken.objects.filter(content_type_id=987654).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's per-row checks")
def test_outside_a_bulk_load_the_rows_keep_postgresqls_own_checks():
    """A verb's bulk write (the appraisal run, inside a request) never turns the per-row checks off:
    the once-per-column check takes no lock on the referenced rows."""
    ct = ContentType.objects.get_for_model(Department)
    roles = []
    with transaction.atomic():
        bulk.insert_rows(SearchToken, ["content_type_id", "object_id", "token"], [(ct.pk, 1, "甲")])
        roles.append(_replication_role())
        with bulk.loading():
            bulk.insert_rows(SearchToken, ["content_type_id", "object_id", "token"], [(ct.pk, 2, "乙")])
            roles.append(_replication_role())
    assert roles == ["origin", "origin"]  # and reset after the bulk load's write
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(SearchToken, ["content_type_id", "object_id", "token"], [(987654, 1, "甲")])
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred per-row check, now


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path")
def test_a_refused_row_raises_its_own_error():
    ct = ContentType.objects.get_for_model(Department)
    with pytest.raises(IntegrityError, match="search_token_unique"), transaction.atomic():
        bulk.insert_rows(
            SearchToken, ["content_type_id", "object_id", "token"], [(ct.pk, 1, "甲"), (ct.pk, 1, "甲")]
        )
