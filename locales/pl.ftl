# Polski katalog. Te same klucze i znaczniki co locales/en.ftl.
# Register: direct "Ty" (pronouns capitalised: Ty, Cię, Twoje), as most Polish online
# shops write to customers; impersonal phrasing where it reads more naturally, and the
# bot's own sentences avoid gendered past-tense forms.
# The word the customer is told to type for a person is „konsultant” (see match-human).
# Matching folds case and accents but keeps "ł", so phrases with "ł" are listed both
# with "ł" and with "l".

## Conversation

greeting = Cześć! Jestem { $bot_name }. Zapytaj mnie o dostawę, zwroty, zwrot pieniędzy, płatności, Twoje zamówienia lub konto albo w dowolnej chwili napisz „konsultant”, aby porozmawiać z człowiekiem.
welcome-back = Nie ma za co! Czy mogę pomóc w czymś jeszcze?
kb-not-sure = Nie mam pewności, czy znam właściwą odpowiedź, i wolę nie zgadywać. Czy mam poprosić kogoś z naszego zespołu? Wystarczy, że napiszesz „tak”.
guard-blocked = Nie mogę tego sam potwierdzić i wolę nie mówić czegoś, czego nie mogę sprawdzić. Czy mam poprosić kogoś z naszego zespołu, żeby się tym zajął? Wystarczy, że napiszesz „tak”.
kb-other-language = Ta odpowiedź jest dostępna tylko { $article_language ->
    [en] po angielsku
    [es] po hiszpańsku
    [fr] po francusku
    [de] po niemiecku
    [pt] po portugalsku
    [it] po włosku
    [nl] po niderlandzku
    [tr] po turecku
    [id] po indonezyjsku
    [pl] po polsku
   *[other] w innym języku
}:
handoff-waiting = Łączę Cię z kimś z naszego zespołu obsługi klienta. Numer Twojego zgłoszenia to { $ticket }. Zostań w tym czacie: odpowiedź pojawi się właśnie tutaj.
handoff-declined = Jasne. W czym jeszcze mogę pomóc?
fallback-error = Przepraszam, coś poszło nie tak po mojej stronie. Sprawę przejmie ktoś z naszego zespołu; numer Twojego zgłoszenia to { $ticket }.
message-too-long = Ta wiadomość jest dla mnie za długa. Napisz, proszę, krócej – poniżej { $limit } znaków.
rate-limited = Wysyłasz wiadomości szybciej, niż jestem w stanie dobrze na nie odpowiedzieć. Zachowałem wszystko, co napisałeś; odczekaj proszę minutę przed następną wiadomością.
busy = Mamy teraz bardzo dużo zapytań. Twoja wiadomość zostanie za chwilę wysłana ponownie.
fallback-unavailable = Przepraszam, z powodu problemu po naszej stronie nie mogę teraz odpowiedzieć. Spróbuj ponownie za kilka minut.
agent-joined = Do czatu dołączyła osoba z naszego zespołu obsługi klienta (zgłoszenie { $ticket }).
back-to-bot = Nasz zespół obsługi klienta przekazał Cię z powrotem do mnie. W czym jeszcze mogę pomóc?
ticket-resolved = Twoje zgłoszenie { $ticket } zostało rozwiązane. Jeśli potrzebujesz czegoś jeszcze, po prostu napisz tutaj.

## Handoff, ratings and channels

handoff-sla-missed = Dziękujemy za cierpliwość. Podjęcie Twojego zgłoszenia { $ticket } zajmuje naszemu zespołowi więcej czasu niż zwykle. Nadal jesteś w kolejce, a zespół dostał już przypomnienie; w międzyczasie możesz dalej pisać tutaj.
agent-label = { $name } (zespół obsługi klienta)
rating-ask = Jak oceniasz dzisiejszą pomoc? Odpowiedz liczbą od 1 (słabo) do 5 (doskonale).
rating-thanks = Dziękujemy za ocenę! Jeśli potrzebujesz czegoś jeszcze, po prostu napisz tutaj.
text-only = Przepraszam, mogę czytać tylko wiadomości tekstowe. Wpisz, proszę, swoje pytanie, a chętnie pomogę.
chat-help = Po prostu napisz pytanie własnymi słowami: mogę pomóc w sprawie zamówień, dostawy, zwrotów, zwrotu pieniędzy, płatności i Twojego konta. W dowolnej chwili wyślij /human, aby porozmawiać z kimś z naszego zespołu.

## Orders

order-ask-number = Jasne, mogę to sprawdzić. Jaki jest numer Twojego zamówienia? Ma 5 cyfr i znajdziesz go w e-mailu z potwierdzeniem.
order-not-found = Nie udało mi się znaleźć zamówienia #{ $order }. Czy możesz sprawdzić numer w e-mailu z potwierdzeniem?
order-processing = Zamówienie #{ $order } jest przygotowywane w naszym magazynie. Powinno dotrzeć do { DATETIME($eta, dateStyle: "long") }.
order-packed = Zamówienie #{ $order } jest spakowane i czeka na kuriera. Powinno dotrzeć do { DATETIME($eta, dateStyle: "long") }.
order-shipped = Zamówienie #{ $order } jest w drodze, dostarcza je { $carrier } (numer przesyłki { $tracking }). Powinno dotrzeć do { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = Zamówienie #{ $order } jest już w doręczeniu ({ $carrier }) i powinno dotrzeć do Ciebie dzisiaj.
order-delivered = Zamówienie #{ $order } zostało dostarczone { DATETIME($delivered, dateStyle: "long") }. Jeśli nie możesz go znaleźć, napisz „konsultant”, a ktoś z naszego zespołu Ci pomoże.
order-cancelled = Zamówienie #{ $order } zostało anulowane, więc nie zostanie wysłane.

## Refunds and cancellations

refund-not-delivered = Zamówienie #{ $order } nie zostało jeszcze dostarczone, więc na razie nie ma czego zwracać. Jeśli już go nie chcesz, mogę pomóc Ci je anulować, dopóki jest w przygotowaniu.
refund-cancelled = Zamówienie #{ $order } zostało anulowane, a płatność w momencie anulowania zwrócono na pierwotną metodę płatności.
refund-window-passed = Zamówienie #{ $order } zostało dostarczone { DATETIME($delivered, dateStyle: "long") }, czyli ponad { $days } dni temu, więc termin na zwrot już minął.
refund-eligible = Zamówienie #{ $order } możesz zwrócić i otrzymać zwrot do { NUMBER($amount, style: "currency", currency: "USD") }. Zwrot rozpocznij na stronie Zamówienia; pieniądze wyślemy w ciągu 2 dni roboczych od dotarcia przesyłki zwrotnej do naszego magazynu.
refund-needs-person = Zwrot kwoty { NUMBER($amount, style: "currency", currency: "USD") } za zamówienie #{ $order } sprawdza osoba z naszego zespołu, dlatego przekazuję jej Twoje zgłoszenie.
cancel-confirm = Zamówienie #{ $order } jest jeszcze w przygotowaniu, więc można je anulować. Czy mam je teraz anulować? Odpowiedz „tak” lub „nie”.
cancel-done = Gotowe: zamówienie #{ $order } zostało anulowane. Pieniądze wrócą na Twoją pierwotną metodę płatności; zaksięgowanie ich przez bank trwa zwykle 5–7 dni roboczych.
cancel-kept = W porządku, zamówienie #{ $order } pozostaje bez zmian.
cancel-too-late = Zamówienie #{ $order } { $status ->
    [packed] jest już spakowane
    [shipped] jest już w drodze
    [out_for_delivery] jest już w doręczeniu
    [delivered] zostało już dostarczone
    [cancelled] zostało już anulowane
   *[other] jest już na zbyt zaawansowanym etapie
}, więc nie można go już anulować. Po otrzymaniu przesyłki możesz je zwrócić w ciągu 30 dni.
cancel-failed = Nie udało mi się anulować zamówienia #{ $order } w naszym systemie, więc przekazuję sprawę osobie z naszego zespołu.

## Limits of the bot

out-of-scope = Mogę pomóc tylko w sprawach naszego sklepu: zamówienia, dostawa, zwroty, zwrot pieniędzy, płatności i Twoje konto. Czy mogę coś dla Ciebie zrobić w tym zakresie? Możesz też napisać „konsultant”, aby porozmawiać z człowiekiem.
kill-switch = Dziękujemy za wiadomość. Nasz automatyczny asystent jest teraz wstrzymany, więc ktoś z naszego zespołu odpowie Ci tutaj najszybciej, jak to możliwe. Numer Twojego zgłoszenia to { $ticket }.

## Web chat widget

ui-title = Pomoc { $bot_name }
ui-placeholder = Napisz wiadomość…
ui-send = Wyślij
ui-close = Zamknij czat
ui-open = Napisz do nas
ui-connecting = Łączenie…
ui-reconnecting = Utracono połączenie. Ponowne łączenie…
ui-typing = { $bot_name } pisze
ui-source = Źródło
ui-agent = Konsultant
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = konsultant, konsultanta, konsultantem, konsultantowi, konsultantka, konsultantki, konsultantką, konsultantce, z człowiekiem, z czlowiekiem, żywy człowiek, zywy czlowiek, żywego człowieka, zywego czlowieka, żywym człowiekiem, zywym czlowiekiem, prawdziwy człowiek, prawdziwy czlowiek, prawdziwym człowiekiem, prawdziwym czlowiekiem, prawdziwa osoba, prawdziwą osobą, z prawdziwą osobą, żywa osoba, żywą osobą, porozmawiać z kimś, rozmawiać z kimś, rozmowa z kimś, z pracownikiem, pracownika sklepu, obsługa klienta, obsluga klienta, obsługą klienta, obsługi klienta, obslugi klienta, biuro obsługi klienta, biuro obslugi klienta
match-yes = tak, tak poproszę, tak proszę, poproszę, proszę, jasne, ok, okej, oczywiście, pewnie, dobrze, no tak, śmiało, smialo, zgoda, tak jest
match-no = nie, nie dziękuję, nie dzięki, nie teraz, nie trzeba, nie potrzeba, nie ma potrzeby, raczej nie, nie chcę
match-greeting = cześć, hej, hejka, witam, witaj, dzień dobry, dobry wieczór, siema, siemka
match-thanks = dziękuję, dzięki, dziękuję bardzo, bardzo dziękuję, wielkie dzięki, dzięki wielkie, super dzięki, thx
match-legal = prawnik, prawnika, prawnikiem, adwokat, adwokata, adwokatem, radca prawny, radcy prawnego, pozew, pozwę, pozwać, sąd, sądu, do sądu, w sądzie, sprawa sądowa, sprawę sądową, droga sądowa, drogę sądową, uokik, rzecznik konsumentów, rzecznika konsumentów, rzecznik praw konsumenta, miejski rzecznik konsumentów, federacja konsumentów, inspekcja handlowa, uodo, chargeback
match-frustration = skandal, oszustwo, oszusci, oszuści, zenujace, żenujące, niedopuszczalne, fatalnie, beznadziejny, beznadziejna, wsciekly, wściekły, nigdy wiecej, nigdy więcej
match-rating-words = fatalnie, kiepsko, średnio, dobrze, świetnie
