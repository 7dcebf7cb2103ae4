"""The knowledge base: the operator's Markdown articles, searched with BM25.

An article is a Markdown file with a small front matter (`id`, `title`, `lang`,
`tags`). Its summary paragraph and each `## section` become passages: the bot
answers with one passage and names the article it came from, so a section must
make sense on its own.

Ranking is BM25 from `bm25s` (fast, numpy-only, maintained) over Snowball stems
(PyStemmer), one index per language. BM25 scores have no fixed scale, so the
decision to answer uses `coverage`: the share of the question's terms, weighted
by their rarity (IDF), that the passage contains. A question about something
the articles never mention covers little and gets "I'm not sure" instead of a
confident wrong passage.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import Stemmer
from bm25s import stopwords as bm25_stopwords

log = logging.getLogger(__name__)

_STEMMERS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
    "tr": "turkish",
    "id": "indonesian",
    "sv": "swedish",
    "da": "danish",
    "no": "norwegian",
    "ru": "russian",
}
_STOPWORDS = {
    "en": bm25_stopwords.STOPWORDS_EN_PLUS,
    "es": bm25_stopwords.STOPWORDS_SPANISH,
    "fr": bm25_stopwords.STOPWORDS_FRENCH,
    "de": bm25_stopwords.STOPWORDS_GERMAN,
    "pt": bm25_stopwords.STOPWORDS_PORTUGUESE,
    "it": bm25_stopwords.STOPWORDS_ITALIAN,
    "nl": bm25_stopwords.STOPWORDS_DUTCH,
    "tr": bm25_stopwords.STOPWORDS_TURKISH,
}
# Words that frame a support question without saying what it is about; they
# would otherwise count as unmatched content and sink good answers.
_FRAME_WORDS = {
    "en": {
        "long",
        "take",
        "takes",
        "much",
        "need",
        "want",
        "know",
        "tell",
        "please",
        "help",
        "hi",
        "hello",
        "thanks",
        "get",
        "can",
        "could",
        "would",
        "like",
        "question",
        "ok",
    },
    "es": {
        "hola",
        "gracias",
        "quiero",
        "necesito",
        "saber",
        "puedo",
        "puedes",
        "por",
        "favor",
        "ayuda",
        "pregunta",
        "tarda",
        "tardan",
        "cuanto",
        "cuanta",
        "saberlo",
        "quisiera",
        "gustaria",
        "podria",
        "podrias",
        "decirme",
        "dime",
    },
}
_WORD = re.compile(r"\w+", re.UNICODE)
# A question is in a message's opening; a pasted page is not searched whole.
_QUERY_CHARS = 1000


class KnowledgeError(ValueError):
    """An article cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    lang: str
    tags: tuple[str, ...]
    path: Path


@dataclass(frozen=True, slots=True)
class Passage:
    article: Article
    heading: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    passage: Passage
    score: float
    coverage: float


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Analyzer:
    """Text to index terms for one language: words, minus stopwords, stemmed, accent-free."""

    def __init__(self, lang: str) -> None:
        name = _STEMMERS.get(lang)
        self._stem = Stemmer.Stemmer(name).stemWord if name else (lambda word: word)
        stop = set(_STOPWORDS.get(lang, ()))
        self._stop = {_strip_accents(w) for w in stop} | stop
        frame = _FRAME_WORDS.get(lang, set())
        self._frame = {_strip_accents(w) for w in frame}

    def terms(self, text: str) -> list[str]:
        return [term for term, _ in self.query_terms(text)]

    def content_words(self, text: str) -> str:
        """`text` without this language's stop and framing words, for searching it in
        another language's index ("¿Qué son los Bramblepoints?" -> "Bramblepoints")."""
        kept = []
        for word in _WORD.findall(text):
            bare = _strip_accents(word.casefold())
            if bare not in self._stop and bare not in self._frame:
                kept.append(word)
        return " ".join(kept)

    def query_terms(self, text: str) -> list[tuple[str, bool]]:
        """Each term with whether it carries meaning (False for framing words)."""
        out = []
        for word in _WORD.findall(text.casefold()):
            bare = _strip_accents(word)
            if len(bare) < 2 or word in self._stop or bare in self._stop:
                continue
            out.append((_strip_accents(self._stem(word)), bare not in self._frame))
        return out


@lru_cache(maxsize=32)
def _analyzer(lang: str) -> _Analyzer:
    return _Analyzer(lang)


class _Index:
    def __init__(self, lang: str, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        self.analyzer = _analyzer(lang)
        docs = [
            self.analyzer.terms(
                " ".join(
                    [
                        p.article.title,
                        " ".join(p.article.tags),
                        p.heading or p.article.title,
                        p.text,
                    ]
                )
            )
            for p in self.passages
        ]
        self.terms = [set(doc) for doc in docs]
        df = Counter(term for doc in self.terms for term in doc)
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        self.bm25 = bm25s.BM25()
        self.bm25.index(docs, show_progress=False)

    def search(self, query: str, k: int) -> list[Hit]:
        analysed = self.analyzer.query_terms(query)
        known = list(dict.fromkeys(t for t, _ in analysed if t in self._idf))
        if not known:
            return []
        # Framing words help rank ("how long ... take" finds delivery times) but
        # do not count towards coverage: they say nothing about the topic.
        meaningful = {t for t, meaning in analysed if meaning}
        weight = {t: self._idf.get(t, self._idf_unknown) for t in meaningful}
        total = sum(weight.values())
        scores = self.bm25.get_scores(known)
        ranked = sorted(range(len(self.passages)), key=lambda i: -float(scores[i]))[:k]
        hits = []
        for i in ranked:
            if scores[i] <= 0:
                break
            covered = sum(w for t, w in weight.items() if t in self.terms[i])
            hits.append(Hit(self.passages[i], float(scores[i]), covered / total if total else 0.0))
        return hits


class KnowledgeBase:
    def __init__(self, articles: Sequence[Article], passages: Sequence[Passage]) -> None:
        self.articles = list(articles)
        by_lang: dict[str, list[Passage]] = {}
        for passage in passages:
            by_lang.setdefault(passage.article.lang, []).append(passage)
        self._indexes = {lang: _Index(lang, group) for lang, group in by_lang.items()}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._indexes))

    @classmethod
    def load(cls, folder: Path) -> KnowledgeBase:
        articles: list[Article] = []
        passages: list[Passage] = []
        for path in sorted(folder.rglob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            article, parts = parse_article(path)
            articles.append(article)
            passages.extend(parts)
        log.info(
            "knowledge base: %d articles, %d passages from %s",
            len(articles),
            len(passages),
            folder,
        )
        return cls(articles, passages)

    def search(
        self, query: str, language: str, k: int = 5, *, asked_in: str | None = None
    ) -> list[Hit]:
        """The best passages in `language`, best first (empty when nothing matches).

        `asked_in` is the query's own language when it differs from the articles'.
        """
        index = self._indexes.get(language)
        if index is None:
            return []
        query = query[:_QUERY_CHARS]
        if asked_in is not None and asked_in != language:
            query = _analyzer(asked_in).content_words(query)
        return index.search(query, k)


def parse_article(path: Path) -> tuple[Article, list[Passage]]:
    text = path.read_text("utf-8")
    if not text.startswith("---\n"):
        raise KnowledgeError(f"{path}: an article starts with a '---' front matter block")
    try:
        head, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise KnowledgeError(f"{path}: the front matter has no closing '---'") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(head.splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise KnowledgeError(f"{path}:{number}: expected 'key: value'")
        meta[key.strip()] = value.strip()
    for required in ("title", "lang"):
        if not meta.get(required):
            raise KnowledgeError(f"{path}: front matter needs '{required}'")
    tags = tuple(t.strip() for t in meta.get("tags", "").strip("[]").split(",") if t.strip())
    article = Article(
        id=meta.get("id") or path.stem,
        title=meta["title"],
        lang=meta["lang"].lower(),
        tags=tags,
        path=path,
    )
    passages = []
    heading: str | None = None
    lines: list[str] = []

    def flush() -> None:
        content = "\n".join(lines).strip()
        if content:
            passages.append(Passage(article, heading, content))

    for line in body.splitlines():
        if line.startswith("## "):
            flush()
            heading, lines = line[3:].strip(), []
        elif line.startswith("# "):
            continue
        else:
            lines.append(line)
    flush()
    if not passages:
        raise KnowledgeError(f"{path}: the article has no text")
    return article, passages
