"""How the captions and the report say a count: words shared by the pages and the report."""

from __future__ import annotations


def all_of(n: int, singular: str, plural: str) -> str:
    """A sentence's opening for every one of n things: 'The one request', 'Both requests',
    'All 12 requests'."""
    if n == 1:
        return f"The one {singular}"
    if n == 2:
        return f"Both {plural}"
    return f"All {n:,} {plural}"


def the_first(n: int, singular: str, plural: str) -> str:
    """The opening for the first n of a list: 'The target', 'The 10 targets' (not 'The 1 targets')."""
    return f"The {singular}" if n == 1 else f"The {n:,} {plural}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun: '1 row', '1,234 rows' (not 'row(s)')."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def sentence_start(text: str) -> str:
    """`text` opening a sentence: its first letter in capitals, the rest as written ("IT" stays
    "IT", which str.capitalize would lower)."""
    return text[:1].upper() + text[1:]


def sources_have(sources: list[str]) -> str:
    """'source jira has', 'sources jira, desk have': the sources named as sources (their names are
    often a tool's, which alone read as a product rather than a set of requests)."""
    return f"source {sources[0]} has" if len(sources) == 1 else f"sources {', '.join(sources)} have"


def reason_words(code: str) -> str:
    """A rejection reason's code as the pages and the report say it: 'missing_request_id' ->
    'missing request id' (the code itself stays in rejected_rows and the command's report)."""
    return code.replace("_", " ")
