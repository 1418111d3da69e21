"""What public pages, the API and records show of a person: one masking rule for names, one for numbers.

- ``mask_name``: a private person's name is its first character and two stars, whatever its length
  (王** for 王, 王五 and 王小明; 欧** for 欧阳娜娜: a compound surname is not kept whole, and the length
  of the name is never disclosed). An empty name stays empty. Only private persons are masked: an
  organisation (a company applying, a party of a public decision) is named in full by the caller,
  as the public record (双公示) requires.
- ``mask_middle``: a number (ID card, phone, recipient) keeps its first ``head`` and last ``tail``
  characters; a value too short to keep both is starred entirely.
"""

NAME_STARS = "**"


def mask_name(name: str | None) -> str:
    """王小明 → 王**; the one rule for a private person's name on public pages, the API and records."""
    name = (name or "").strip()
    return f"{name[0]}{NAME_STARS}" if name else ""


def mask_middle(raw: str | None, *, head: int, tail: int) -> str:
    """``raw`` with all but its first ``head`` and last ``tail`` characters starred (all of it when short)."""
    raw = raw or ""
    if len(raw) <= head + tail:
        return "*" * len(raw)
    return f"{raw[:head]}{'*' * (len(raw) - head - tail)}{raw[-tail:]}"
