"""The knowledge base: the demo articles load, good questions find them, bad ones do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, KnowledgeError

DEMO = Path(__file__).resolve().parent.parent / "kb" / "demo"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(DEMO)


def test_demo_kb_covers_the_store(kb: KnowledgeBase) -> None:
    assert len(kb.articles) >= 15
    assert set(kb.languages) >= {"en", "es"}
    tags = {tag for article in kb.articles for tag in article.tags}
    assert {"shipping", "returns", "refund", "payment"} <= {
        t.rstrip("s") + "s" for t in tags
    } | tags


@pytest.mark.parametrize(
    ("question", "language", "article"),
    [
        ("How long does shipping take?", "en", "shipping-times"),
        ("what is your return policy", "en", "return-policy"),
        ("can I pay with PayPal?", "en", "payment-methods"),
        ("I forgot my password", "en", "reset-password"),
        ("my item arrived broken", "en", "damaged-or-wrong-item"),
        ("¿Cuánto cuesta el envío?", "es", "shipping-costs-es"),
        ("cuanto tarda el envio", "es", "shipping-times-es"),
    ],
)
def test_questions_find_their_article(
    kb: KnowledgeBase, question: str, language: str, article: str
) -> None:
    best = kb.search(question, language)[0]
    assert best.passage.article.id == article
    assert best.coverage == pytest.approx(1.0)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "tell me a joke",
        "do you sell bicycles",
        "Do you offer gift wrapping?",
    ],
)
def test_unrelated_questions_cover_little(kb: KnowledgeBase, question: str) -> None:
    hits = kb.search(question, "en")
    assert not hits or hits[0].coverage < 0.6


def test_a_broken_article_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("no front matter here\n", "utf-8")
    with pytest.raises(KnowledgeError, match=r"broken\.md"):
        KnowledgeBase.load(tmp_path)
    (tmp_path / "broken.md").write_text("---\ntitle: Hi\n---\nbody\n", "utf-8")
    with pytest.raises(KnowledgeError, match="needs 'lang'"):
        KnowledgeBase.load(tmp_path)
