"""Reading the customer's answer to "how would you rate the help you got?".

Accepted: a digit 1-5 alone or with a scale ("4/5", "4 stars", "5 out of 5"),
optionally followed by punctuation and a comment ("3, the wait was long"); one
to five star characters; or one of the catalogue's five rating words. Anything
else is not a rating: the message is a new question and is answered as one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import fold

_NUMBER = re.compile(
    r"^\s*(?P<n>[1-5])(?!\d)\s*(?:/\s*5|out of 5|stars?|★|⭐)?"
    r"\s*(?:$|[.!,;:)\-–—]\s*(?P<rest>.*))",
    re.IGNORECASE | re.DOTALL,
)
_STARS = re.compile(r"^\s*([★⭐]{1,5})\s*$")


@dataclass(frozen=True, slots=True)
class Rating:
    score: int
    comment: str | None = None


def read_rating(text: str, words: Sequence[str] = ()) -> Rating | None:
    """The rating in `text`, or None. `words` name scores 1 to 5, in order."""
    found = _NUMBER.match(text)
    if found is not None:
        comment = (found.group("rest") or "").strip() or None
        return Rating(int(found.group("n")), comment)
    stars = _STARS.match(text)
    if stars is not None:
        return Rating(len(stars.group(1)))
    folded = fold(text)
    for score, word in enumerate(words[:5], start=1):
        if folded and folded == fold(word):
            return Rating(score)
    return None
