# Deutscher Katalog. Gleiche Schlüssel und Platzhalter wie locales/en.ftl.
# Register: informal "du" (lower case), as modern German lifestyle online shops use.
# The word the customer is told to type for a person is „Mitarbeiter“ (see match-human).

## Conversation

greeting = Hallo! Ich bin { $bot_name }. Frag mich zu Versand, Rücksendungen, Erstattungen, Zahlungen, deinen Bestellungen oder deinem Konto – oder schreib jederzeit „Mitarbeiter“, um mit einem Menschen zu sprechen.
welcome-back = Gern geschehen! Kann ich dir sonst noch helfen?
kb-not-sure = Da bin ich mir nicht sicher, und raten möchte ich lieber nicht. Soll ich jemanden aus unserem Team dazuholen? Schreib einfach „ja“.
guard-blocked = Das kann ich selbst nicht bestätigen, und ich möchte dir nichts sagen, was ich nicht prüfen kann. Soll ich jemanden aus unserem Team dazuholen, der es sich ansieht? Schreib einfach „ja“.
kb-other-language = Diese Antwort gibt es nur { $article_language ->
    [en] auf Englisch
    [es] auf Spanisch
    [fr] auf Französisch
    [de] auf Deutsch
    [pt] auf Portugiesisch
    [it] auf Italienisch
    [nl] auf Niederländisch
    [tr] auf Türkisch
    [id] auf Indonesisch
    [pl] auf Polnisch
   *[other] in einer anderen Sprache
}:
handoff-waiting = Ich hole jemanden aus unserem Support-Team dazu. Deine Ticketnummer ist { $ticket }. Bitte bleib in diesem Chat: Die Antwort bekommst du direkt hier.
handoff-declined = Kein Problem. Wobei kann ich dir sonst helfen?
fallback-error = Entschuldige, bei mir ist etwas schiefgelaufen. Ich habe jemanden aus unserem Team gebeten, zu übernehmen; deine Ticketnummer ist { $ticket }.
message-too-long = Diese Nachricht ist zu lang für mich. Bitte schreib weniger als { $limit } Zeichen.
rate-limited = Du schreibst schneller, als ich gut antworten kann. Ich habe alles behalten, was du geschrieben hast; bitte warte eine Minute bis zur nächsten Nachricht.
busy = Gerade ist bei uns sehr viel los. Deine Nachricht wird gleich noch einmal gesendet.
fallback-unavailable = Entschuldige, wegen eines Problems bei uns kann ich gerade nicht antworten. Bitte versuch es in ein paar Minuten noch einmal.
agent-joined = Jemand aus unserem Support-Team ist dem Chat beigetreten (Ticket { $ticket }).
back-to-bot = Unser Support-Team hat dich wieder an mich übergeben. Wobei kann ich dir sonst helfen?
ticket-resolved = Dein Ticket { $ticket } ist jetzt gelöst. Wenn du noch etwas brauchst, schreib einfach hier.

## Handoff, ratings and channels

handoff-sla-missed = Danke fürs Warten. Unser Team braucht länger als üblich, um dein Ticket { $ticket } zu übernehmen. Du bist weiterhin in der Warteschlange und wir haben das Team daran erinnert; du kannst hier in der Zwischenzeit gern weiterschreiben.
agent-label = { $name } (Support-Team)
rating-ask = Wie würdest du die Hilfe bewerten, die du heute bekommen hast? Antworte mit einer Zahl von 1 (schlecht) bis 5 (ausgezeichnet).
rating-thanks = Danke für deine Bewertung! Wenn du noch etwas brauchst, schreib einfach hier.
text-only = Entschuldige, ich kann nur Textnachrichten lesen. Schreib deine Frage bitte als Text, dann helfe ich dir gern.
chat-help = Schreib deine Frage einfach in deinen eigenen Worten: Ich helfe dir bei Bestellungen, Versand, Rücksendungen, Erstattungen, Zahlungen und deinem Konto. Schick jederzeit /human, um mit jemandem aus unserem Team zu sprechen.

## Orders

order-ask-number = Klar, das schaue ich nach. Wie lautet deine Bestellnummer? Sie hat 5 Ziffern und steht in deiner Bestätigungs-E-Mail.
order-not-found = Ich konnte die Bestellung #{ $order } nicht finden. Kannst du die Nummer in deiner Bestätigungs-E-Mail prüfen?
order-processing = Deine Bestellung #{ $order } wird gerade in unserem Lager vorbereitet. Sie sollte bis zum { DATETIME($eta, dateStyle: "long") } ankommen.
order-packed = Deine Bestellung #{ $order } ist verpackt und wartet auf den Versanddienstleister. Sie sollte bis zum { DATETIME($eta, dateStyle: "long") } ankommen.
order-shipped = Deine Bestellung #{ $order } ist mit { $carrier } unterwegs (Sendungsnummer { $tracking }). Sie sollte bis zum { DATETIME($eta, dateStyle: "long") } ankommen.
order-out-for-delivery = Deine Bestellung #{ $order } ist bei { $carrier } in der Zustellung und sollte heute bei dir ankommen.
order-delivered = Deine Bestellung #{ $order } wurde am { DATETIME($delivered, dateStyle: "long") } zugestellt. Falls du sie nicht findest, schreib „Mitarbeiter“ und jemand aus unserem Team hilft dir.
order-cancelled = Die Bestellung #{ $order } wurde storniert und wird daher nicht versendet.

## Refunds and cancellations

refund-not-delivered = Die Bestellung #{ $order } wurde noch nicht zugestellt, daher gibt es noch nichts zu erstatten. Wenn du sie nicht mehr möchtest, helfe ich dir gern, sie zu stornieren, solange sie noch vorbereitet wird.
refund-cancelled = Die Bestellung #{ $order } wurde storniert, und die Zahlung wurde bei der Stornierung auf deine ursprüngliche Zahlungsart zurückerstattet.
refund-window-passed = Die Bestellung #{ $order } wurde am { DATETIME($delivered, dateStyle: "long") } zugestellt, also vor mehr als { $days } Tagen, und liegt damit außerhalb unserer Rückgabefrist.
refund-eligible = Die Bestellung #{ $order } kann zurückgeschickt werden; du bekommst dann bis zu { NUMBER($amount, style: "currency", currency: "USD") } erstattet. Starte die Rücksendung auf der Seite „Bestellungen“; die Erstattung erfolgt innerhalb von 2 Werktagen, nachdem die Rücksendung in unserem Lager angekommen ist.
refund-needs-person = Eine Erstattung von { NUMBER($amount, style: "currency", currency: "USD") } für die Bestellung #{ $order } prüft jemand aus unserem Team, deshalb gebe ich dein Ticket weiter.
cancel-confirm = Die Bestellung #{ $order } wird noch vorbereitet und kann daher storniert werden. Soll ich sie jetzt stornieren? Bitte antworte mit Ja oder Nein.
cancel-done = Erledigt: Die Bestellung #{ $order } ist storniert. Das Geld geht auf deine ursprüngliche Zahlungsart zurück; bis es bei deiner Bank sichtbar ist, dauert es 5–7 Werktage.
cancel-kept = Alles klar, die Bestellung #{ $order } bleibt, wie sie ist.
cancel-too-late = Die Bestellung #{ $order } { $status ->
    [packed] ist bereits verpackt
    [shipped] ist bereits unterwegs
    [out_for_delivery] ist bereits in der Zustellung
    [delivered] wurde bereits zugestellt
    [cancelled] wurde bereits storniert
   *[other] ist schon zu weit bearbeitet
} und kann daher nicht mehr storniert werden. Sobald sie angekommen ist, kannst du sie innerhalb von 30 Tagen zurückschicken.
cancel-failed = Ich konnte die Bestellung #{ $order } in unserem System nicht stornieren, deshalb gebe ich das an jemanden aus unserem Team weiter.

## Limits of the bot

out-of-scope = Ich kann dir nur bei Fragen zu unserem Shop helfen: Bestellungen, Versand, Rücksendungen, Erstattungen, Zahlungen und dein Konto. Gibt es da etwas, wobei ich dir helfen kann? Du kannst auch „Mitarbeiter“ schreiben, um mit einem Menschen zu sprechen.
kill-switch = Danke für deine Nachricht. Unser automatischer Assistent ist gerade pausiert, deshalb antwortet dir jemand aus unserem Team hier, so schnell es geht. Deine Ticketnummer ist { $ticket }.

## Web chat widget

ui-title = { $bot_name }-Support
ui-placeholder = Schreib deine Nachricht…
ui-send = Senden
ui-close = Chat schließen
ui-open = Chatte mit uns
ui-connecting = Verbindung wird hergestellt…
ui-reconnecting = Verbindung unterbrochen. Neuer Versuch…
ui-typing = { $bot_name } schreibt
ui-source = Quelle
ui-agent = Kundenservice
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = mitarbeiter, mitarbeiterin, einen mitarbeiter, eine mitarbeiterin, einem mitarbeiter, servicemitarbeiter, einem menschen, einen menschen, echter mensch, echten menschen, echte person, echten person, mit einer person, mit jemandem sprechen, mit jemandem reden, mit jemandem schreiben, kundenservice, kundendienst, kundenberater, kundenberaterin, kundensupport, ansprechpartner, ansprechpartnerin, persönlicher kontakt, live chat, live-chat
match-yes = ja, ja bitte, ja gerne, jap, jo, jawohl, klar, na klar, gerne, gern, ok, okay, sicher, bitte, mach das, mach ruhig, passt, genau
match-no = nein, nein danke, nee, ne, nö, jetzt nicht, nicht nötig, nicht notwendig, brauche ich nicht, lieber nicht, passt schon
match-greeting = hallo, hi, hey, moin, moin moin, servus, guten morgen, guten tag, guten abend, grüß gott, grüezi, hallo zusammen
match-thanks = danke, danke schön, dankeschön, danke sehr, vielen dank, besten dank, herzlichen dank, danke dir, super danke, merci
match-legal = anwalt, anwältin, rechtsanwalt, rechtsanwältin, anwälte, verklagen, klage, klage einreichen, gericht, vor gericht, gerichtlich, rechtliche schritte, mahnbescheid, mahnverfahren, verbraucherzentrale, verbraucherschutz, schlichtungsstelle, rückbuchung, chargeback, datenschutzbeschwerde, datenschutzbehörde, abmahnung
match-frustration = unverschämt, unverschamt, frechheit, betrug, betrüger, betruger, katastrophe, inakzeptabel, schrecklich, unmöglich, skandal, wütend, wutend, nie wieder, reicht mir
match-rating-words = schrecklich, schlecht, okay, gut, ausgezeichnet
