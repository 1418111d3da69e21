"""Search that works for Chinese: an inverted index of unigrams and bigrams.

Chinese has no spaces, so words cannot be split reliably; instead every
character (unigram) and every pair of adjacent characters (bigram) of a text
is indexed. A query of one character matches its unigram, a longer query must
contain all of its bigrams, and a final ``icontains`` removes the rare false
positive of a longer query whose bigrams occur apart. Any substring of a name
therefore finds it, including the one- and two-character queries (许可, 罚)
that trigram indexes miss.

Only whitespace separates words: punctuation belongs to the text, so ``许可（镇街）`` is one run
matched as a substring, not the words 许可 and 镇街 anywhere. Words separated by spaces must all
occur.

Two indexes share the token table: a model's own rows (``index``/``search``: the power list's name
search) and *search documents* (``index_document``/``find``): one ``SearchDocument`` per public
object of a registered kind (powers, discretion standards, service items), holding the lower-cased
texts the public search looks through (name, code, legal basis, object…), one per line. A document's
tokens point at the document, so the public search never widens the name search.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

_SEPARATORS = re.compile(r"\s+")  # \s includes the ideographic space U+3000
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


def bulk_index(model, rows, replace: bool = False) -> int:
    """Index many objects at once (seeding, ``reindex_search``): ``rows`` is an iterable of (pk, text).

    ``replace`` first drops every token of the model; otherwise the given objects' old tokens go
    (each object is re-indexed, as ``index`` does). Rows are written with ``portal.bulk`` (COPY on
    PostgreSQL), not model instances. Returns the number of rows indexed.
    """
    from portal.models import SearchToken

    ct = ContentType.objects.get_for_model(model)
    if replace:
        SearchToken.objects.filter(content_type=ct).delete()
    indexed = 0
    chunk: dict[int, set[str]] = {}

    def flush():
        if not replace:
            SearchToken.objects.filter(content_type=ct, object_id__in=list(chunk)).delete()
        _write_tokens(ct.pk, chunk.items())
        chunk.clear()

    for pk, text in rows:
        indexed += 1
        chunk.setdefault(pk, set()).update(tokens(text))
        if len(chunk) >= 5000:
            flush()
    if chunk:
        flush()
    return indexed


def _write_tokens(content_type_id: int, rows) -> int:
    """Write ``(object_id, tokens)`` pairs as token rows in one bulk pass (``portal.bulk``)."""
    from portal import bulk
    from portal.models import SearchToken

    return bulk.insert_rows(
        SearchToken,
        ["content_type_id", "object_id", "token"],
        ((content_type_id, pk, token) for pk, found in rows for token in found),
    )


def _holders(content_type, wanted: set[str]):
    """A ``values("object_id")`` subquery: the objects of ``content_type`` holding every wanted token.

    One token (any 1–2-character query, the commonest) reads the unique index's entries directly;
    several are grouped and counted.
    """
    from portal.models import SearchToken

    tokens_of_type = SearchToken.objects.filter(content_type=content_type)
    if len(wanted) == 1:
        return tokens_of_type.filter(token=next(iter(wanted))).values("object_id")
    return (
        tokens_of_type.filter(token__in=wanted)
        .values("object_id")
        .annotate(hits=Count("token", distinct=True))
        .filter(hits=len(wanted))
        .values("object_id")
    )


def search(queryset, query: str, field: str = "name", field_only: bool = False):
    """Filter ``queryset`` to rows whose ``field`` contains ``query`` (through the index).

    ``field_only``: the model's index holds ``field``'s text alone (the power list's names), so a run
    of one or two characters is its own token and needs no substring check. Without it, PostgreSQL
    estimated ``UPPER(name) LIKE '%许%'`` selective and scanned every row with it (15–25 ms at a city's
    8,000 powers) instead of reading the token's entries (under 1 ms).
    """
    wanted = query_tokens(query)
    if not wanted:
        return queryset
    ct = ContentType.objects.get_for_model(queryset.model)
    queryset = queryset.filter(pk__in=_holders(ct, wanted))
    for run in _runs(query[:MAX_QUERY_LENGTH]):
        if not (field_only and len(run) <= 2):
            queryset = queryset.filter(**{f"{field}__icontains": run})
    return queryset


# --- search documents: the public search over several kinds ------------------------------------


def document_text(*texts: str) -> str:
    """What a document stores and is checked against: lower-cased texts, one per line."""
    return "\n".join(" ".join(_runs(t)) for t in texts if t and _runs(t))


def index_document(obj, *texts: str) -> None:
    """(Re)index ``obj`` for the public search with the texts a visitor may look for. Call from its verb."""
    from portal.models import SearchDocument, SearchToken

    ct = ContentType.objects.get_for_model(obj)
    text = document_text(*texts)
    document, _created = SearchDocument.objects.update_or_create(
        content_type=ct, object_id=obj.pk, defaults={"text": text}
    )
    doc_ct = ContentType.objects.get_for_model(SearchDocument)
    SearchToken.objects.filter(content_type=doc_ct, object_id=document.pk).delete()
    SearchToken.objects.bulk_create(
        [SearchToken(content_type=doc_ct, object_id=document.pk, token=t) for t in sorted(tokens(text))],
        ignore_conflicts=True,
    )


def forget_document(obj) -> None:
    """Remove ``obj`` from the public search (its row is deleted)."""
    from portal.models import SearchDocument, SearchToken

    ct = ContentType.objects.get_for_model(obj)
    ids = list(SearchDocument.objects.filter(content_type=ct, object_id=obj.pk).values_list("pk", flat=True))
    doc_ct = ContentType.objects.get_for_model(SearchDocument)
    SearchToken.objects.filter(content_type=doc_ct, object_id__in=ids).delete()
    SearchDocument.objects.filter(pk__in=ids).delete()


def bulk_index_documents(model, rows, replace: bool = False) -> int:
    """Index many objects at once (seeding, ``reindex_search``): ``rows`` yields (pk, [texts]).

    ``replace`` first drops every document of the model. Returns the number of documents written.
    """
    from portal import bulk
    from portal.models import SearchDocument, SearchToken

    ct = ContentType.objects.get_for_model(model)
    doc_ct = ContentType.objects.get_for_model(SearchDocument)
    if replace:
        old = SearchDocument.objects.filter(content_type=ct)
        SearchToken.objects.filter(content_type=doc_ct, object_id__in=old.values("pk")).delete()
        old.delete()
    written = 0
    chunk = []

    def flush():
        # Prepared rows in two bulk passes (COPY on PostgreSQL): the documents with ids reserved
        # up front, then every document's tokens; no model instances, no per-row INSERT.
        nonlocal written
        first = bulk.reserve_ids(SearchDocument, len(chunk))
        bulk.insert_rows(
            SearchDocument,
            ["id", "content_type_id", "object_id", "text"],
            ((first + n, ct.pk, pk, text) for n, (pk, text) in enumerate(chunk)),
        )
        _write_tokens(doc_ct.pk, ((first + n, tokens(text)) for n, (_pk, text) in enumerate(chunk)))
        written += len(chunk)
        chunk.clear()

    for pk, texts in rows:
        chunk.append((pk, document_text(*texts)))
        if len(chunk) >= 5000:
            flush()
    if chunk:
        flush()
    return written


def find(model, query: str):
    """Ids (a ``values`` queryset of ``object_id``) of ``model``'s documents containing every word of ``query``.

    The tokens narrow the candidates; ``contains`` on the stored lower-cased text removes false
    positives, so the result equals a plain scan of the documents: nothing missed, nothing extra.
    """
    from portal.models import SearchDocument

    ct = ContentType.objects.get_for_model(model)
    wanted = query_tokens(query)
    documents = SearchDocument.objects.filter(content_type=ct)
    if not wanted:
        return documents.none().values("object_id")
    documents = documents.filter(pk__in=_holders(ContentType.objects.get_for_model(SearchDocument), wanted))
    for run in _runs(query[:MAX_QUERY_LENGTH]):
        if len(run) > 2:  # a 1–2-character run is its own token: holding it is containing it
            documents = documents.filter(text__contains=run)
    return documents.values("object_id")


# --- the kinds the public search covers (registered by each app in AppConfig.ready) ---------------


@dataclass(frozen=True)
class Kind:
    """One kind of result of the public search.

    ``public`` returns the queryset of what anyone may see (published only); ``row`` turns one object
    into ``{"title", "url", "code", "meta"}``; ``documents`` yields (pk, [texts]) of every public
    object for ``reindex_search``; ``names``, if the model's own list searches its names through
    ``search()``, yields (pk, [texts]) of every row as its verbs index them (``reindex_names``).
    """

    slug: str
    label: str
    model: type
    public: Callable
    row: Callable
    documents: Callable
    order: int = 100
    ordering: tuple = ("pk",)
    names: Callable | None = None


_kinds: dict[str, Kind] = {}
_URL_TEMPLATES: dict = {}


def url_with_code(viewname: str, code: str) -> str:
    """``reverse(viewname, args=[code])`` for a ``<str:code>`` URL, the pattern reversed once (a page of rows)."""
    from django.urls import get_script_prefix, get_urlconf, reverse

    key = (viewname, get_urlconf(), get_script_prefix())
    template = _URL_TEMPLATES.get(key)
    if template is None:
        template = _URL_TEMPLATES[key] = reverse(viewname, args=["__CODE__"])
    return template.replace("__CODE__", code)


def register(kind: Kind) -> None:
    _kinds[kind.slug] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.slug))


def get_kind(slug: str) -> Kind | None:
    return _kinds.get(slug)


def matches(kind: Kind, query: str):
    """The public objects of ``kind`` that ``query`` finds."""
    return kind.public().filter(pk__in=find(kind.model, query))


def reindex_all(stdout=None) -> dict[str, int]:
    """Rebuild every kind's documents (after a bulk load, or after the tokenizer changed)."""
    written = {}
    for kind in kinds():
        written[kind.slug] = bulk_index_documents(kind.model, kind.documents(), replace=True)
        if stdout is not None:
            stdout.write(f"  {kind.slug}: {written[kind.slug]}")
    return written


def reindex_names(stdout=None) -> dict[str, int]:
    """Rebuild the name indexes of the lists' own searches (after the tokenizer changed: old tokens go)."""
    written = {}
    for kind in kinds():
        if kind.names is None:
            continue
        rows = ((pk, "\n".join(t for t in texts if t)) for pk, texts in kind.names())
        written[kind.slug] = bulk_index(kind.model, rows, replace=True)
        if stdout is not None:
            stdout.write(f"  {kind.slug} names: {written[kind.slug]}")
    return written


def snippets(kind: Kind, rows: list[tuple[int, dict]], query: str, width: int = 20) -> dict[int, tuple]:
    """Where ``query`` matched, for the result rows whose title and code do not show it (one query).

    ``rows`` are (pk, row dict); returns ``{pk: (before, match, after)}``: the first line of the
    object's search document holding a word of the query, cut ``width`` characters around it (a
    power found by its legal basis's wording shows that wording).
    """
    from portal.models import SearchDocument

    words = _runs(query[:MAX_QUERY_LENGTH])
    hidden = [
        pk for pk, row in rows
        if not all(w in (row.get("title") or "").lower() or w in (row.get("code") or "").lower() for w in words)
    ]  # fmt: skip
    if not words or not hidden:
        return {}
    texts = SearchDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(kind.model), object_id__in=hidden
    ).values_list("object_id", "text")
    titles = {pk: (row.get("title") or "").lower() for pk, row in rows}
    out = {}
    for pk, text in texts:
        for line in text.split("\n"):
            if line == titles.get(pk):
                continue
            word = next((w for w in words if w in line), None)
            if word is not None:
                at = line.index(word)
                before, after = line[max(0, at - width) : at], line[at + len(word) : at + len(word) + width]
                out[pk] = (
                    "…" * (at > width) + before,
                    word,
                    after + "…" * (at + len(word) + width < len(line)),
                )
                break
    return out


def grouped(query: str, slug: str | None = None):
    """The public search: ``(counts, kind, results)``.

    ``counts`` lists ``(kind, n)`` for every kind; ``kind`` is the one asked for, or else the first
    with results (or the first of all); ``results`` is that kind's ordered queryset of matches.
    """
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    everything = kinds()
    found = {k.slug: matches(k, query) for k in everything}
    counts = [(k, found[k.slug].count()) for k in everything]
    chosen = get_kind(slug) if slug else None
    if chosen is None:
        chosen = next((k for k, n in counts if n), everything[0] if everything else None)
    results = found[chosen.slug].order_by(*chosen.ordering) if chosen is not None else None
    return counts, chosen, results
