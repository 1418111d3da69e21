"""Search that works for Chinese: an inverted index of unigrams and bigrams.

Chinese has no spaces, so words cannot be split reliably; instead every
character (unigram) and every pair of adjacent characters (bigram) of a text
is indexed. A query of one character matches its unigram, a longer query must
contain all of its bigrams, and a final ``icontains`` removes the rare false
positive of a longer query whose bigrams occur apart. Any substring of a name
therefore finds it, including the one- and two-character queries (许可, 罚)
that trigram indexes miss.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

_SEPARATORS = re.compile(r"[\s\u3000,，。.、;；:：()（）《》「」“”\"'·/\\-]+")
MAX_QUERY_LENGTH = 50


def _runs(text: str) -> list[str]:
    return [run for run in _SEPARATORS.split((text or "").lower()) if run]


def tokens(text: str) -> set[str]:
    """Every unigram and bigram of every run of the text."""
    out: set[str] = set()
    for run in _runs(text):
        out.update(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_tokens(query: str) -> set[str]:
    """The tokens a matching text must contain: bigrams of each run, or the lone character."""
    out: set[str] = set()
    for run in _runs(query[:MAX_QUERY_LENGTH]):
        if len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index(obj, *texts: str) -> None:
    """(Re)index one object. Call from the service that saves it."""
    from portal.models import SearchToken

    ct = ContentType.objects.get_for_model(obj)
    SearchToken.objects.filter(content_type=ct, object_id=obj.pk).delete()
    wanted = set().union(*(tokens(t) for t in texts)) if texts else set()
    SearchToken.objects.bulk_create(
        [SearchToken(content_type=ct, object_id=obj.pk, token=t) for t in sorted(wanted)],
        ignore_conflicts=True,
    )


def bulk_index(model, rows) -> None:
    """Index many new objects at once (seeding): ``rows`` is an iterable of (pk, text)."""
    from portal.models import SearchToken

    ct = ContentType.objects.get_for_model(model)
    batch = []
    for pk, text in rows:
        batch.extend(SearchToken(content_type=ct, object_id=pk, token=t) for t in tokens(text))
        if len(batch) > 20000:
            SearchToken.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        SearchToken.objects.bulk_create(batch, ignore_conflicts=True)


def search(queryset, query: str, field: str = "name"):
    """Filter ``queryset`` to rows whose ``field`` contains ``query`` (through the index)."""
    from portal.models import SearchToken

    wanted = query_tokens(query)
    if not wanted:
        return queryset
    ct = ContentType.objects.get_for_model(queryset.model)
    matching = (
        SearchToken.objects.filter(content_type=ct, token__in=wanted)
        .values("object_id")
        .annotate(hits=Count("token", distinct=True))
        .filter(hits=len(wanted))
        .values("object_id")
    )
    queryset = queryset.filter(pk__in=matching)
    for run in _runs(query[:MAX_QUERY_LENGTH]):
        queryset = queryset.filter(**{f"{field}__icontains": run})
    return queryset
