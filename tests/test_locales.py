"""Every catalogue has the same messages with the same placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast, visitor

from bot.config import Settings
from bot.i18n import UI_KEYS, Catalog

LOCALES = Path(__file__).resolve().parent.parent / "locales"
CATALOGUES = sorted(LOCALES.glob("*.ftl"))


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:  # noqa: N802
        self.names.add(node.id.name)


def messages(path: Path) -> dict[str, set[str]]:
    resource = FluentParser().parse(path.read_text("utf-8"))
    junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
    assert not junk, f"{path.name} has syntax errors: {[j.content for j in junk]}"
    found: dict[str, set[str]] = {}
    for entry in resource.body:
        if isinstance(entry, ast.Message):
            names = _Variables()
            names.visit(entry)
            found[entry.id.name] = names.names
    return found


def test_english_and_spanish_ship() -> None:
    assert {p.stem for p in CATALOGUES} >= {"en", "es"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_same_keys_and_placeholders_as_english(path: Path) -> None:
    english = messages(LOCALES / "en.ftl")
    other = messages(path)
    assert sorted(set(english) - set(other)) == [], "missing keys"
    assert sorted(set(other) - set(english)) == [], "keys English does not have"
    differing = {key: (english[key], other[key]) for key in english if english[key] != other[key]}
    assert differing == {}, "placeholders differ"


def test_widget_labels_and_handoff_phrases_exist_in_every_language() -> None:
    settings = Settings.from_env({})
    catalog = Catalog(LOCALES, [p.stem for p in CATALOGUES], "en")
    for language in catalog.languages:
        labels = catalog.ui(language, settings.bot_name)
        assert set(labels) == set(UI_KEYS)
        assert all(labels.values())
    assert catalog.matches("en", "match-human", "Can I talk to someone, please?")
    assert catalog.matches("es", "match-human", "Quiero hablar con un AGENTE")
    assert not catalog.matches("en", "match-human", "humanitarian shipping")
    assert catalog.is_only("es", "match-yes", "Sí")
    assert not catalog.is_only("en", "match-yes", "yes but what about returns")
