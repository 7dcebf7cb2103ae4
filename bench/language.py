"""Short-text language identification: accuracy and time per message, and the RSS of the models.

    .venv/bin/python bench/language.py [--per-set N]

Reads ../shared/data (internal evaluation only: nothing from it is copied into the
repository): lingua's test set (single words, word pairs, sentences) and papluca's
sentences, restricted to the ten shipped languages (en es fr de pt it nl tr id pl;
papluca has no Indonesian). Every row is used unless --per-set N takes N rows of each
set, evenly spaced in file order (deterministic). A full run takes about two minutes,
most of it plain langdetect.

Rows, one per way of deciding a message's language:
(a)  plain langdetect: `langdetect.detect` with all 55 profiles, seeded; a language
     outside the ten counts as wrong.
(a') langdetect with only the ten languages' profiles (Switchboard's previous detector).
(b)  ours, `LanguageDetector.guess(text)`, no hint.
(c)  ours with a correct hint (the row's language as the channel's locale).
(c') ours with a wrong hint (another of the ten, in rotation): not a target; shows that a
     hint decides ambiguous words but does not override a text that says otherwise.
(d)  ours inside a conversation: `detect(text, current=X)` where X was settled by an
     earlier message, a support sentence in X passed to `detect(..., current=None)`.
     (d=) X is the row's own language: right if the language stays X.
     (d~) X is another of the ten (in rotation): for single words and word pairs right if
     the language stays X (a short message must not flip it); for sentences right if it
     switches to the row's language. "flips" counts short texts that changed X.
Time is the median wall time of one call per message (b-d after a warm-up call);
(d) times the second message only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
LANGS = ("en", "es", "fr", "de", "pt", "it", "nl", "tr", "id", "pl")
SETS = ("single words", "word pairs", "sentences", "papluca")
SHORT = ("single words", "word pairs")
GRANULARITY = {
    "single-words": "single words",
    "word-pairs": "word pairs",
    "sentences": "sentences",
}

# One support message per language, written for this benchmark, that settles a
# conversation's language before the measured message.
SETTLING = {
    "en": "Hello, I ordered a lamp last week and it still has not arrived.",
    "es": "Hola, pedí una lámpara la semana pasada y todavía no ha llegado.",
    "fr": "Bonjour, j'ai commandé une lampe la semaine dernière et elle n'est pas arrivée.",
    "de": "Hallo, ich habe letzte Woche eine Lampe bestellt und sie ist noch nicht angekommen.",
    "pt": "Olá, encomendei uma lâmpada na semana passada e ainda não chegou.",
    "it": "Ciao, ho ordinato una lampada la settimana scorsa e non è ancora arrivata.",
    "nl": "Hallo, ik heb vorige week een lamp besteld en hij is nog steeds niet aangekomen.",
    "tr": "Merhaba, geçen hafta bir lamba sipariş ettim ve hâlâ gelmedi.",
    "id": "Halo, saya memesan lampu minggu lalu dan sampai sekarang belum juga sampai.",
    "pl": "Dzień dobry, zamówiłem lampę w zeszłym tygodniu i nadal nie dotarła.",
}

Row = tuple[str, str]  # text, language


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load(per_set: int | None) -> dict[str, list[Row]]:
    sets: dict[str, list[Row]] = {name: [] for name in SETS}
    with (SHARED / "langid_lingua.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["lang"] in LANGS:
                sets[GRANULARITY[row["granularity"]]].append((row["text"], row["lang"]))
    with (SHARED / "langid_papluca.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["lang"] in LANGS:
                sets["papluca"].append((row["text"], row["lang"]))
    if per_set is not None:  # every k-th row: the files are sorted by language
        sets = {
            name: rows[:: max(1, len(rows) // per_set)][:per_set] for name, rows in sets.items()
        }
    return sets


def other(lang: str, i: int) -> str:
    """Another of the ten languages, rotating with the row number."""
    return LANGS[(LANGS.index(lang) + 1 + i % (len(LANGS) - 1)) % len(LANGS)]


class Cell:
    def __init__(self) -> None:
        self.right = 0
        self.total = 0
        self.flips = 0
        self.times: list[float] = []

    def text(self) -> str:
        pct = 100 * self.right / self.total if self.total else float("nan")
        ms = 1000 * statistics.median(self.times) if self.times else float("nan")
        return f"{pct:6.1f}% {ms:6.3f}ms"


def run(rows: Sequence[Row], decide: Callable[[int, str, str], tuple[bool, bool]]) -> Cell:
    """decide(i, text, lang) -> (right, flipped), timed per call."""
    cell = Cell()
    for i, (text, lang) in enumerate(rows):
        started = time.perf_counter()
        right, flipped = decide(i, text, lang)
        cell.times.append(time.perf_counter() - started)
        cell.right += right
        cell.flips += flipped
        cell.total += 1
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-set", type=int, help="only the first N rows of each set")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print("skipped: ../shared/data not found")
        return

    # Memory first, in a process that has loaded nothing else yet. numpy comes
    # before the baseline: `switchboard serve` imports it at start-up anyway (the
    # knowledge base and the router use it), so the models do not add it.
    import numpy  # noqa: F401

    from bot.language import LanguageDetector

    before = rss_mb()
    detector = LanguageDetector(LANGS, "en")
    started = time.perf_counter()
    detector.warm()
    warm_s = time.perf_counter() - started
    after = rss_mb()

    sets = load(args.per_set)

    import langdetect
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    langdetect.DetectorFactory.seed = 0

    def plain(i: int, text: str, lang: str) -> tuple[bool, bool]:
        try:
            return langdetect.detect(text) == lang, False
        except LangDetectException:
            return False, False

    restricted = DetectorFactory()
    restricted.set_seed(0)
    restricted.load_json_profile(
        [(Path(PROFILES_DIRECTORY) / code).read_text("utf-8") for code in LANGS]
    )

    def ten_profiles(i: int, text: str, lang: str) -> tuple[bool, bool]:
        detector_ = restricted.create()
        detector_.append(text)
        try:
            return detector_.detect() == lang, False
        except LangDetectException:
            return False, False

    def guessed(
        hint: Callable[[int, str], str | None],
    ) -> Callable[[int, str, str], tuple[bool, bool]]:
        def decide(i: int, text: str, lang: str) -> tuple[bool, bool]:
            result = detector.guess(text, hint(i, lang))
            return result is not None and result[0] == lang, False

        return decide

    settled = {code: detector.detect(SETTLING[code], current=None) for code in LANGS}
    unsettled = [code for code, got in settled.items() if got != code]

    def same(i: int, text: str, lang: str) -> tuple[bool, bool]:
        got = detector.detect(text, current=settled[lang])
        return got == lang, got != settled[lang]

    def elsewhere(short: bool) -> Callable[[int, str, str], tuple[bool, bool]]:
        def decide(i: int, text: str, lang: str) -> tuple[bool, bool]:
            start = settled[other(lang, i)]
            got = detector.detect(text, current=start)
            return (got == start if short else got == lang), got != start

        return decide

    ways: list[tuple[str, Callable[[str], Callable[[int, str, str], tuple[bool, bool]]]]] = [
        ("(a)  plain langdetect, 55 profiles", lambda s: plain),
        ("(a') langdetect, the 10 profiles", lambda s: ten_profiles),
        ("(b)  ours, no hint", lambda s: guessed(lambda i, lang: None)),
        ("(c)  ours, correct hint", lambda s: guessed(lambda i, lang: lang)),
        ("(c') ours, wrong hint", lambda s: guessed(lambda i, lang: other(lang, i))),
        ("(d=) settled in its language", lambda s: same),
        ("(d~) settled in another", lambda s: elsewhere(s in SHORT)),
    ]
    detector.guess("warm-up call")
    table: dict[str, dict[str, Cell]] = {}
    for label, make in ways:
        table[label] = {name: run(rows, make(name)) for name, rows in sets.items()}

    print("Short-text language identification, 10 languages:", " ".join(LANGS))
    print(
        "rows: "
        + ", ".join(f"{name} {len(rows)}" for name, rows in sets.items())
        + (f" (sample: {args.per_set} evenly spaced)" if args.per_set else " (all rows)")
    )
    print("cells: accuracy, median time per message\n")
    width = 36
    print(f"{'':{width}}" + "".join(f"{name:>19}" for name in SETS))
    for label, cells in table.items():
        print(f"{label:{width}}" + "".join(f"{cells[name].text():>19}" for name in SETS))
    print("\n(d) short texts that flipped a settled language (target 0):")
    for label in ("(d=) settled in its language", "(d~) settled in another"):
        counts = ", ".join(
            f"{name} {table[label][name].flips}/{table[label][name].total}" for name in SHORT
        )
        print(f"    {label}: {counts}")
    if unsettled:
        print(f"    settling message misread for: {', '.join(unsettled)}")
    print(
        f"\nwarm(): {warm_s:.2f} s; RSS {before:.1f} MB before, {after:.1f} MB after"
        f" (+{after - before:.1f} MB: the three models for the 10 languages; numpy preloaded)"
    )
    print("targets: (b) word pairs >= 90%, sentences >= 99.5%; (c) word pairs >= 97%;")
    print("         (d) no flips; median <= 0.5 ms per message")


if __name__ == "__main__":
    main()
