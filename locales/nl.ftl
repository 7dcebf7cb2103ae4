# Nederlandse catalogus. Dezelfde sleutels en placeholders als locales/en.ftl.
# Register: informal "je", as most Dutch and Flemish online shops write to customers.
# The word the customer is told to type for a person is "medewerker" (see match-human).

## Conversation

greeting = Hoi! Ik ben { $bot_name }. Stel me je vragen over verzending, retourneren, terugbetalingen, betalingen, je bestellingen of je account, of typ op elk moment "medewerker" om iemand van ons team te spreken.
welcome-back = Graag gedaan! Kan ik je nog ergens anders mee helpen?
kb-not-sure = Ik weet niet zeker of ik daar het juiste antwoord op heb, en ik gok liever niet. Zal ik iemand van ons team erbij halen? Typ dan gewoon "ja".
guard-blocked = Dat kan ik zelf niet bevestigen, en ik zeg je liever niets wat ik niet kan nagaan. Zal ik iemand van ons team ernaar laten kijken? Typ dan gewoon "ja".
kb-other-language = Dit antwoord is alleen beschikbaar in { $article_language ->
    [en] het Engels
    [es] het Spaans
    [fr] het Frans
    [de] het Duits
    [pt] het Portugees
    [it] het Italiaans
    [nl] het Nederlands
    [tr] het Turks
    [id] het Indonesisch
    [pl] het Pools
   *[other] een andere taal
}:
handoff-waiting = Ik haal iemand van onze klantenservice erbij. Je ticketnummer is { $ticket }. Blijf in deze chat: je krijgt hier antwoord.
handoff-declined = Geen probleem. Waarmee kan ik je nog meer helpen?
fallback-error = Sorry, er ging bij mij iets mis. Ik heb iemand van ons team gevraagd het over te nemen; je ticketnummer is { $ticket }.
message-too-long = Dat bericht is te lang voor mij. Houd het alsjeblieft onder de { $limit } tekens.
rate-limited = Je stuurt sneller berichten dan ik goed kan beantwoorden. Ik heb alles bewaard wat je schreef; wacht alsjeblieft een minuut voor het volgende bericht.
busy = Het is op dit moment erg druk. Je bericht wordt zo opnieuw verstuurd.
fallback-unavailable = Sorry, door een probleem aan onze kant kan ik nu niet antwoorden. Probeer het over een paar minuten opnieuw.
agent-joined = Iemand van onze klantenservice is bij de chat gekomen (ticket { $ticket }).
back-to-bot = Onze klantenservice heeft je weer aan mij overgedragen. Waarmee kan ik je nog meer helpen?
ticket-resolved = Je ticket { $ticket } is opgelost. Heb je nog iets nodig? Schrijf het gewoon hier.

## Handoff, ratings and channels

handoff-sla-missed = Bedankt voor je geduld. Het duurt langer dan normaal voordat ons team je ticket { $ticket } oppakt. Je staat nog steeds in de wachtrij en we hebben het team eraan herinnerd; je kunt hier intussen gewoon verder schrijven.
agent-label = { $name } (klantenservice)
rating-ask = Hoe zou je de hulp van vandaag beoordelen? Antwoord met een cijfer van 1 (slecht) tot 5 (uitstekend).
rating-thanks = Bedankt voor je beoordeling! Heb je nog iets nodig? Schrijf het gewoon hier.
text-only = Sorry, ik kan alleen tekstberichten lezen. Typ je vraag, dan help ik je verder.
chat-help = Stel je vraag gewoon in je eigen woorden: ik kan je helpen met bestellingen, verzending, retouren, terugbetalingen, betalingen en je account. Stuur op elk moment /human om iemand van ons team te spreken.

## Orders

order-ask-number = Natuurlijk, dat zoek ik voor je op. Wat is je bestelnummer? Het bestaat uit 5 cijfers en staat in je bevestigingsmail.
order-not-found = Ik kon bestelling #{ $order } niet vinden. Wil je het nummer in je bevestigingsmail nog eens controleren?
order-processing = Bestelling #{ $order } wordt klaargemaakt in ons magazijn. Je kunt hem uiterlijk { DATETIME($eta, dateStyle: "long") } verwachten.
order-packed = Bestelling #{ $order } is ingepakt en wacht op de vervoerder. Je kunt hem uiterlijk { DATETIME($eta, dateStyle: "long") } verwachten.
order-shipped = Bestelling #{ $order } is onderweg met { $carrier } (trackingnummer { $tracking }). Je kunt hem uiterlijk { DATETIME($eta, dateStyle: "long") } verwachten.
order-out-for-delivery = Bestelling #{ $order } is bij { $carrier } in bezorging en komt als het goed is vandaag bij je aan.
order-delivered = Bestelling #{ $order } is bezorgd op { DATETIME($delivered, dateStyle: "long") }. Kun je hem niet vinden? Typ dan "medewerker" en iemand van ons team helpt je verder.
order-cancelled = Bestelling #{ $order } is geannuleerd en wordt dus niet verzonden.

## Refunds and cancellations

refund-not-delivered = Bestelling #{ $order } is nog niet bezorgd, dus er valt nog niets terug te betalen. Wil je hem niet meer? Dan help ik je hem te annuleren zolang hij nog wordt klaargemaakt.
refund-cancelled = Bestelling #{ $order } is geannuleerd, en de betaling is bij het annuleren teruggestort via de oorspronkelijke betaalmethode.
refund-window-passed = Bestelling #{ $order } is bezorgd op { DATETIME($delivered, dateStyle: "long") }, meer dan { $days } dagen geleden, en valt dus buiten onze retourtermijn.
refund-eligible = Bestelling #{ $order } kan worden geretourneerd voor een terugbetaling van maximaal { NUMBER($amount, style: "currency", currency: "USD") }. Start de retour via de pagina Bestellingen; je krijgt het bedrag binnen 2 werkdagen terug nadat de retour in ons magazijn is aangekomen.
refund-needs-person = Een terugbetaling van { NUMBER($amount, style: "currency", currency: "USD") } voor bestelling #{ $order } wordt beoordeeld door iemand van ons team, dus ik geef je ticket aan hen door.
cancel-confirm = Bestelling #{ $order } wordt nog klaargemaakt, dus je kunt hem nog annuleren. Zal ik hem nu annuleren? Antwoord alsjeblieft met ja of nee.
cancel-done = Klaar: bestelling #{ $order } is geannuleerd. Het bedrag wordt teruggestort via je oorspronkelijke betaalmethode; het duurt 5 tot 7 werkdagen voordat je bank het laat zien.
cancel-kept = Prima, bestelling #{ $order } blijft zoals hij is.
cancel-too-late = Bestelling #{ $order } { $status ->
    [packed] is al ingepakt
    [shipped] is al onderweg
    [out_for_delivery] is al bij de bezorger
    [delivered] is al bezorgd
    [cancelled] is al geannuleerd
   *[other] is al te ver in behandeling om nog aan te passen
} en kan dus niet meer geannuleerd worden. Zodra je hem hebt ontvangen, kun je hem binnen 30 dagen retourneren.
cancel-failed = Ik kon bestelling #{ $order } niet annuleren in ons systeem, dus ik geef dit door aan iemand van ons team.

## Limits of the bot

out-of-scope = Ik kan je alleen helpen met onze winkel: bestellingen, verzending, retouren, terugbetalingen, betalingen en je account. Kan ik je daar ergens mee helpen? Je kunt ook "medewerker" typen om iemand van ons team te spreken.
kill-switch = Bedankt voor je bericht. Onze automatische assistent is op dit moment gepauzeerd, dus iemand van ons team beantwoordt je hier zo snel mogelijk. Je ticketnummer is { $ticket }.

## Web chat widget

ui-title = { $bot_name } klantenservice
ui-placeholder = Typ je bericht…
ui-send = Verstuur
ui-close = Chat sluiten
ui-open = Chat met ons
ui-connecting = Verbinden…
ui-reconnecting = Verbinding verbroken. Opnieuw verbinden…
ui-typing = { $bot_name } is aan het typen
ui-source = Bron
ui-agent = Klantenservice
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = medewerker, een medewerker, medewerkster, klantenservicemedewerker, klantenservice medewerker, klantenservice, klantendienst, een mens, echt mens, een echt mens, echt persoon, een echt persoon, echte persoon, een echte persoon, met iemand praten, met iemand spreken, iemand spreken, met een persoon, iemand van jullie team, live chat, een agent
match-yes = ja, ja graag, ja hoor, ja prima, jazeker, graag, ok, oké, okay, prima, goed, is goed, doe maar, zeker, jep, jup, top
match-no = nee, nee dank je, nee dankjewel, nee bedankt, nee hoor, niet nu, hoeft niet, niet nodig, laat maar, liever niet, nope
match-greeting = hoi, hallo, hey, hi, hoi hoi, goedemorgen, goedemiddag, goedenavond, goedendag, dag
match-thanks = bedankt, dank je, dank je wel, dankjewel, dank u, dank u wel, dankuwel, thanks, top bedankt, super bedankt, merci
match-legal = advocaat, advocate, mijn advocaat, jurist, rechtszaak, rechter, naar de rechter, rechtbank, kantonrechter, kort geding, dagvaarding, juridische stappen, aanklagen, aangifte doen, ingebrekestelling, sommatie, juridisch loket, consumentenbond, acm, consuwijzer, geschillencommissie, autoriteit persoonsgegevens, terugboeking, chargeback
match-frustration = schandalig, belachelijk, oplichting, oplichters, waardeloos, onacceptabel, verschrikkelijk, woedend, nooit meer, een schande
match-rating-words = waardeloos, slecht, redelijk, goed, uitstekend
