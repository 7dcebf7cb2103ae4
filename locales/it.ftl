# Catalogo italiano. Stesse chiavi e stessi segnaposto di locales/en.ftl.
# Register: informal "tu", as Italian online shops usually address their customers.
# The word the customer is told to type for a person is "operatore" (see match-human).

## Conversation

greeting = Ciao! Sono { $bot_name }. Chiedimi pure di spedizioni, resi, rimborsi, pagamenti, dei tuoi ordini o del tuo account, oppure scrivi "operatore" in qualsiasi momento per parlare con una persona.
welcome-back = Di niente! Posso aiutarti in qualcos'altro?
kb-not-sure = Non sono sicuro di avere la risposta giusta e preferisco non tirare a indovinare. Vuoi che chiami una persona del nostro team? Scrivi solo "sì".
guard-blocked = Non posso confermarlo io e preferisco non dirti qualcosa che non posso verificare. Vuoi che una persona del nostro team se ne occupi? Scrivi solo "sì".
kb-other-language = Questa risposta è disponibile solo in { $article_language ->
    [en] inglese
    [es] spagnolo
    [fr] francese
    [de] tedesco
    [pt] portoghese
    [it] italiano
    [nl] olandese
    [tr] turco
    [id] indonesiano
    [pl] polacco
   *[other] un'altra lingua
}:
handoff-waiting = Sto chiamando una persona del nostro team di assistenza. Il riferimento della tua richiesta è { $ticket }. Resta in questa chat: ti risponderanno proprio qui.
handoff-declined = Nessun problema. In cos'altro posso aiutarti?
fallback-error = Scusa, qualcosa è andato storto da parte mia. Ho chiesto a una persona del nostro team di subentrare; il riferimento della tua richiesta è { $ticket }.
message-too-long = Questo messaggio è troppo lungo per me. Scrivi meno di { $limit } caratteri, per favore.
rate-limited = Stai inviando messaggi più velocemente di quanto io riesca a rispondere bene. Ho conservato tutto ciò che hai scritto; aspetta un minuto prima del prossimo, per favore.
busy = In questo momento abbiamo moltissime richieste. Il tuo messaggio verrà inviato di nuovo tra poco.
fallback-unavailable = Scusa, ora non riesco a rispondere per un problema da parte nostra. Riprova tra qualche minuto.
agent-joined = Una persona del nostro team di assistenza è entrata nella chat (richiesta { $ticket }).
back-to-bot = Il nostro team di assistenza ti ha ripassato a me. In cos'altro posso aiutarti?
ticket-resolved = La tua richiesta { $ticket } è stata risolta. Se ti serve altro, scrivi pure qui.

## Handoff, ratings and channels

handoff-sla-missed = Grazie per l'attesa. Il nostro team sta impiegando più tempo del solito a prendere in carico la tua richiesta { $ticket }. Sei ancora in coda e abbiamo mandato loro un promemoria; nel frattempo puoi continuare a scrivere qui.
agent-label = { $name } (team di assistenza)
rating-ask = Come valuteresti l'aiuto che hai ricevuto oggi? Rispondi con un numero da 1 (scarso) a 5 (eccellente).
rating-thanks = Grazie per la tua valutazione! Se ti serve altro, scrivi pure qui.
text-only = Scusa, riesco a leggere solo messaggi di testo. Scrivi la tua domanda e ti aiuto volentieri.
chat-help = Scrivi pure la tua domanda con parole tue: posso aiutarti con ordini, spedizioni, resi, rimborsi, pagamenti e il tuo account. Invia /human in qualsiasi momento per parlare con una persona del nostro team.

## Orders

order-ask-number = Certo, controllo subito. Qual è il tuo numero d'ordine? Ha 5 cifre e lo trovi nell'email di conferma.
order-not-found = Non ho trovato l'ordine #{ $order }. Puoi controllare il numero nell'email di conferma?
order-processing = L'ordine #{ $order } è in preparazione nel nostro magazzino. Dovrebbe arrivare entro il giorno { DATETIME($eta, dateStyle: "long") }.
order-packed = L'ordine #{ $order } è imballato e in attesa del corriere. Dovrebbe arrivare entro il giorno { DATETIME($eta, dateStyle: "long") }.
order-shipped = L'ordine #{ $order } è in viaggio con { $carrier } (codice di tracking { $tracking }). Dovrebbe arrivare entro il giorno { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = L'ordine #{ $order } è in consegna con { $carrier } e dovrebbe arrivarti oggi.
order-delivered = L'ordine #{ $order } è stato consegnato il giorno { DATETIME($delivered, dateStyle: "long") }. Se non lo trovi, scrivi "operatore" e una persona del nostro team ti aiuterà.
order-cancelled = L'ordine #{ $order } è stato annullato, quindi non verrà spedito.

## Refunds and cancellations

refund-not-delivered = L'ordine #{ $order } non è ancora stato consegnato, quindi per ora non c'è niente da rimborsare. Se non lo vuoi più, posso aiutarti ad annullarlo finché è ancora in preparazione.
refund-cancelled = L'ordine #{ $order } è stato annullato e il pagamento è stato rimborsato sul metodo di pagamento originale al momento dell'annullamento.
refund-window-passed = L'ordine #{ $order } è stato consegnato il giorno { DATETIME($delivered, dateStyle: "long") }, più di { $days } giorni fa, quindi non rientra più nel periodo di reso.
refund-eligible = L'ordine #{ $order } può essere reso con un rimborso fino a { NUMBER($amount, style: "currency", currency: "USD") }. Avvia il reso dalla pagina Ordini; il rimborso viene emesso entro 2 giorni lavorativi da quando il reso arriva al nostro magazzino.
refund-needs-person = Un rimborso di { NUMBER($amount, style: "currency", currency: "USD") } per l'ordine #{ $order } viene verificato da una persona del nostro team, quindi le passo la tua richiesta.
cancel-confirm = L'ordine #{ $order } è ancora in preparazione, quindi si può annullare. Lo annullo adesso? Rispondi sì o no, per favore.
cancel-done = Fatto: l'ordine #{ $order } è annullato. Il pagamento torna sul tuo metodo di pagamento originale; le banche impiegano 5-7 giorni lavorativi per mostrarlo.
cancel-kept = Va bene, l'ordine #{ $order } resta com'è.
cancel-too-late = L'ordine #{ $order } { $status ->
    [packed] è già stato imballato
    [shipped] è già in viaggio
    [out_for_delivery] è già in consegna
    [delivered] è già stato consegnato
    [cancelled] è già stato annullato
   *[other] è in una fase in cui non si può più modificare
}, quindi non si può più annullare. Quando arriva, puoi restituirlo entro 30 giorni.
cancel-failed = Non sono riuscito ad annullare l'ordine #{ $order } nel nostro sistema, quindi passo la richiesta a una persona del nostro team.

## Limits of the bot

out-of-scope = Posso aiutarti solo con il nostro negozio: ordini, spedizioni, resi, rimborsi, pagamenti e il tuo account. C'è qualcosa di questo per cui posso aiutarti? Puoi anche scrivere "operatore" per parlare con una persona.
kill-switch = Grazie per il tuo messaggio. Il nostro assistente automatico è in pausa in questo momento, quindi una persona del nostro team ti risponderà qui appena possibile. Il riferimento della tua richiesta è { $ticket }.

## Web chat widget

ui-title = Assistenza { $bot_name }
ui-placeholder = Scrivi il tuo messaggio…
ui-send = Invia
ui-close = Chiudi la chat
ui-open = Chatta con noi
ui-connecting = Connessione in corso…
ui-reconnecting = Connessione persa. Riconnessione in corso…
ui-typing = { $bot_name } sta scrivendo
ui-source = Fonte
ui-agent = Operatore
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = operatore, operatrice, un operatore, un'operatrice, operatore umano, umano, un umano, essere umano, persona reale, una persona reale, persona vera, una persona vera, parlare con qualcuno, parlare con una persona, assistenza clienti, servizio clienti, customer care, agente, un agente, assistente umano, consulente
match-yes = sì, si, sì grazie, sì per favore, certo, certo che sì, ok, okay, va bene, vabbè, d'accordo, per favore, procedi, vai, vai pure, dai, perfetto, esatto, volentieri
match-no = no, no grazie, non ora, non adesso, non serve, non c'è bisogno, lascia stare, lascia perdere, nah
match-greeting = ciao, salve, buongiorno, buonasera, buon pomeriggio, hey, ehi, ciao a tutti
match-thanks = grazie, grazie mille, grazie tante, molte grazie, grazie davvero, ti ringrazio, perfetto grazie, gentilissimo, gentilissimi
match-legal = avvocato, avvocata, avvocati, il mio avvocato, denuncia, denunciare, querela, fare causa, faccio causa, causa legale, vie legali, azione legale, azioni legali, tribunale, giudice di pace, decreto ingiuntivo, diffida, agcm, antitrust, codacons, altroconsumo, associazione consumatori, associazione dei consumatori, tutela dei consumatori, chargeback, garante privacy, garante della privacy
match-frustration = vergognoso, vergognosa, inaccettabile, truffa, truffatori, pessimo, orribile, scandaloso, ridicolo, furioso, furiosa, mai piu, mai più, una vergogna
match-rating-words = pessimo, scarso, discreto, buono, ottimo
