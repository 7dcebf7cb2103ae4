"""The conversation's language, as a customer notices it.

Greetings and thanks in each shipped language are recognised on their own; "ok", an
emoji, an order number or a link never move a settled conversation; a clearly
written longer message or an explicit request does; a channel's hint decides what
the text cannot; the same message always gives the same answer; and a language the
deployment does not support is never returned.
"""

from __future__ import annotations

import pytest

from bot.language import LanguageDetector, language_for_phone

SHIPPED = ("en", "es", "fr", "de", "pt", "it", "nl", "tr", "id", "pl")

NOISE = (
    "ok",
    "OK!!",
    "👍",
    "👍👍🙏",
    "10042",
    "#10042",
    "ORD-10042",
    "https://shop.example.com/orders/10042?ref=mail",
    "www.example.com/track",
    "jo.smith@example.com",
    "?",
    "",
    "   ",
)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    detector = LanguageDetector(SHIPPED, "en")
    detector.warm()
    return detector


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hola", "es"),
        ("merci beaucoup", "fr"),
        ("merci", "fr"),
        ("danke", "de"),
        ("obrigado", "pt"),
        ("grazie", "it"),
        ("bedankt", "nl"),
        ("teşekkürler", "tr"),
        ("terima kasih", "id"),
        ("dziękuję", "pl"),
        ("thanks", "en"),
        ("buenos días", "es"),
        ("bom dia", "pt"),
        ("guten Morgen", "de"),
        ("goedemorgen", "nl"),
        ("buongiorno", "it"),
        ("selamat pagi", "id"),
        ("dzień dobry", "pl"),
        ("günaydın", "tr"),
    ],
)
def test_a_greeting_or_thanks_opens_the_conversation_in_its_language(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text, current=None) == language
    guessed = detector.guess(text)
    assert guessed is not None
    assert guessed[0] == language


@pytest.mark.parametrize("text", NOISE)
@pytest.mark.parametrize("settled", SHIPPED)
def test_noise_never_flips_a_settled_conversation(
    detector: LanguageDetector, text: str, settled: str
) -> None:
    assert detector.detect(text, current=settled) == settled
    # Not even with a hint for another language.
    assert detector.detect(text, current=settled, hint="de-DE") == settled


@pytest.mark.parametrize("text", [t for t in NOISE if not t.lower().startswith("ok")])
def test_noise_carries_no_language(detector: LanguageDetector, text: str) -> None:
    assert detector.guess(text) is None


@pytest.mark.parametrize("text", NOISE)
def test_noise_opens_a_conversation_in_the_hinted_or_default_language(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text, current=None) == "en"
    assert detector.detect(text, current=None, hint="pt-BR") == "pt"


@pytest.mark.parametrize(
    ("text", "settled"),
    [
        ("merci beaucoup", "en"),
        ("gracias", "de"),
        ("danke schön", "fr"),
        ("obrigado", "es"),
        ("ok thanks", "it"),
        ("Samsung Galaxy", "pl"),
    ],
)
def test_a_few_words_in_another_language_do_not_switch(
    detector: LanguageDetector, text: str, settled: str
) -> None:
    assert detector.detect(text, current=settled) == settled


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Bonjour, je voudrais savoir où en est ma commande, elle n'est toujours pas "
            "arrivée et j'ai besoin de la recevoir avant vendredi.",
            "fr",
        ),
        ("Hola, necesito ayuda con mi pedido, todavía no ha llegado.", "es"),
        ("Hallo, meine Bestellung ist leider noch nicht angekommen.", "de"),
        ("Olá, o meu pedido ainda não chegou, podem verificar?", "pt"),
        ("Merhaba, siparişim hâlâ gelmedi, yardımcı olur musunuz?", "tr"),
    ],
)
def test_a_long_clear_message_switches_the_conversation(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text, current="en") == language


def test_a_long_english_message_switches_back(detector: LanguageDetector) -> None:
    text = "Sorry, could you help me with the refund for the order I placed on Monday?"
    assert detector.detect(text, current="fr") == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("can we speak Spanish?", "es"),
        ("Can we do this in Spanish please", "es"),
        ("en español por favor", "es"),
        ("¿Hablas inglés?", "en"),
        ("parlez-vous français ?", "fr"),
        ("auf Deutsch bitte", "de"),
        ("Sprechen Sie Englisch?", "en"),
        ("Você pode falar em português?", "pt"),
        ("in italiano per favore", "it"),
        ("Spreekt u Nederlands?", "nl"),
        ("Türkçe konuşabilir miyiz?", "tr"),
        ("bisa pakai bahasa Indonesia?", "id"),
        ("Czy możemy rozmawiać po polsku?", "pl"),
        ("English?", "en"),
        ("¿Español?", "es"),
    ],
)
def test_asking_for_a_language_switches_at_once(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.requested(text) == language
    others = [code for code in SHIPPED if code != language]
    for settled in others[:3]:
        assert detector.detect(text, current=settled) == language
    assert detector.detect(text, current=None, hint=others[0]) == language


@pytest.mark.parametrize(
    "text",
    [
        "I don't speak Spanish",
        "no hablo inglés",
        "I bought a Spanish guitar",
        "The manual is in German",
        "las instrucciones vienen solo en alemán",
        "Do you ship to Germany?",
        "hello",
    ],
)
def test_mentioning_a_language_is_not_asking_for_it(detector: LanguageDetector, text: str) -> None:
    assert detector.requested(text) is None


def test_a_request_for_an_unsupported_language_changes_nothing() -> None:
    detector = LanguageDetector(("en", "es"), "en")
    assert detector.requested("parlez-vous français ?") is None
    assert detector.detect("can we speak German?", current="es") in {"en", "es"}


@pytest.mark.parametrize("text", ["ok", "hotel", "taxi", "pizza", "menu", "Samsung", "iPhone"])
@pytest.mark.parametrize(
    "hint", ["en-GB", "es-MX", "pt-BR", "de-DE", "nl-NL", "it_IT", "tr", "id", "pl", "fr-CA"]
)
def test_the_hint_decides_ambiguous_short_text(
    detector: LanguageDetector, text: str, hint: str
) -> None:
    assert detector.detect(text, current=None, hint=hint) == hint[:2]


@pytest.mark.parametrize("text", ["ok", "hotel", "menu", "video"])
@pytest.mark.parametrize("hint", SHIPPED)
def test_the_hint_is_a_prior_for_the_models(
    detector: LanguageDetector, text: str, hint: str
) -> None:
    # Words every language uses: the models cannot tell, so the hint decides.
    guessed = detector.guess(text, hint=hint)
    assert guessed is not None
    assert guessed[0] == hint


def test_a_clear_text_outweighs_a_wrong_hint(detector: LanguageDetector) -> None:
    text = "Where is my order? It has not arrived yet and I need it for Friday."
    assert detector.detect(text, current=None, hint="de-DE") == "en"
    assert detector.detect("gracias", current=None, hint="en-US") == "es"


def test_a_phone_number_hint_works_like_a_locale(detector: LanguageDetector) -> None:
    assert detector.detect("ok", current=None, hint=language_for_phone("+34612345678")) == "es"
    hint = language_for_phone("whatsapp:+5511912345678")
    assert detector.detect("10042", current=None, hint=hint) == "pt"


@pytest.mark.parametrize(
    ("number", "language"),
    [
        ("+34612345678", "es"),
        ("whatsapp:+34612345678", "es"),
        ("+5511912345678", "pt"),
        ("+351912345678", "pt"),
        ("+4930123456789", "de"),
        ("+12025550123", "en"),
        ("+14165550123", "en"),  # Toronto
        ("+33612345678", "fr"),
        ("+393123456789", "it"),
        ("+31612345678", "nl"),
        ("+905321234567", "tr"),
        ("+6281234567890", "id"),
        ("+48512345678", "pl"),
        ("+525512345678", "es"),  # Mexico
        ("tel:+4930123456789", "de"),
        ("sip:+34612345678@sip.example.com", "es"),
    ],
)
def test_a_phone_number_maps_to_its_countrys_language(number: str, language: str) -> None:
    assert language_for_phone(number) == language


def test_a_phone_number_is_restricted_to_the_languages_given() -> None:
    assert language_for_phone("+212612345678") == "ar"  # Morocco
    assert language_for_phone("+212612345678", among=SHIPPED) == "fr"
    assert language_for_phone("+3225551234", among=SHIPPED) in {"nl", "fr"}  # Belgium


@pytest.mark.parametrize("number", ["", "12", "not a number", "whatsapp:", "+"])
def test_an_unreadable_phone_number_gives_no_language(number: str) -> None:
    assert language_for_phone(number) is None


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es-MX", "es"),
        ("pt_BR", "pt"),
        ("PT-br", "pt"),
        ("fr_CA.UTF-8", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("ru-RU,de;q=0.8", "de"),
        ("de", "de"),
        ("zh-CN", None),
        ("", None),
        (None, None),
    ],
)
def test_from_hint(detector: LanguageDetector, locale: str | None, language: str | None) -> None:
    assert detector.from_hint(locale) == language


def test_a_conversation_stays_in_its_language(detector: LanguageDetector) -> None:
    language: str | None = None
    turns = [
        ("Hola, necesito ayuda con mi pedido", "es"),
        ("10042", "es"),
        ("ok", "es"),
        ("👍", "es"),
        ("Samsung Galaxy Tab", "es"),
        ("gracias", "es"),
        ("can we speak English?", "en"),
        ("ok", "en"),
        ("merci", "en"),
    ]
    for text, expected in turns:
        language = detector.detect(text, current=language, hint="es-ES")
        assert language == expected, text


TEXTS = (
    "hola",
    "ok",
    "merci beaucoup",
    "mejor candidato",
    "conhecimento dessa",
    "Wo findet man das?",
    "Bonjour, je voudrais annuler ma commande.",
    "stichting historisch",
    "10042",
)


def test_the_same_message_always_gives_the_same_answer(detector: LanguageDetector) -> None:
    first = [(detector.guess(t), detector.detect(t, current=None)) for t in TEXTS]
    for _ in range(20):
        assert [(detector.guess(t), detector.detect(t, current=None)) for t in TEXTS] == first
    fresh = LanguageDetector(SHIPPED, "en")  # loads its own models, lazily
    assert [(fresh.guess(t), fresh.detect(t, current=None)) for t in TEXTS] == first


def test_unsupported_languages_are_never_returned() -> None:
    detector = LanguageDetector(("en", "es"), "es")
    texts = [
        "Bonjour, je voudrais annuler ma commande s'il vous plaît.",
        "Hallo, meine Bestellung ist leider noch nicht angekommen.",
        "Привет, где мой заказ?",
        "我的订单在哪里？",
        "طلبي لم يصل بعد",
        "merci",
        "danke",
        "ok",
    ]
    for text in texts:
        assert detector.detect(text, current=None) in {"en", "es"}
        assert detector.detect(text, current="en") in {"en", "es"}
        guessed = detector.guess(text)
        assert guessed is None or guessed[0] in {"en", "es"}
    assert detector.detect("ok", current="fr") in {"en", "es"}  # a stale language is dropped


def test_a_single_language_deployment_answers_in_it() -> None:
    detector = LanguageDetector(("de",), "de")
    assert detector.detect("Hello, where is my order? It has not arrived.", current=None) == "de"
    assert detector.detect("hola", current="de") == "de"


@pytest.mark.parametrize(
    "text", ["\ud800 broken surrogate text here", "\x00\x01\x02", "a" * 100_000, "ß" * 5000]
)
def test_detect_never_raises(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text, current="en") in SHIPPED
    assert detector.detect(text, current=None) in SHIPPED
