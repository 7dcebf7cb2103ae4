# English catalogue. Every customer-facing canned text lives here, and every
# catalogue in this folder has exactly the same keys and placeholders
# (tests/test_locales.py checks it). Syntax: https://projectfluent.org/fluent/guide/

## Conversation

greeting = Hi! I'm { $bot_name }. Ask me about shipping, returns, refunds, payments, your orders or your account, or say "human" at any time to talk to a person.
welcome-back = You're welcome! Is there anything else I can help you with?
kb-not-sure = I'm not sure I have the right answer to that, and I'd rather not guess. Would you like me to get a person from our team? Just say "yes".
handoff-waiting = I'm bringing in a person from our support team. Your ticket reference is { $ticket }. Please stay in this chat: they will reply right here.
handoff-declined = No problem. What else can I help you with?
fallback-error = Sorry, something went wrong on my side. I've asked a person from our team to take over; your ticket reference is { $ticket }.
message-too-long = That message is too long for me to read. Please keep it under { $limit } characters.
busy = We're very busy right now. Your message will be sent again in a moment.
fallback-unavailable = Sorry, I can't answer right now because of a problem on our side. Please try again in a few minutes.
agent-joined = A person from our support team has joined the chat (ticket { $ticket }).
back-to-bot = Our support team has handed you back to me. What else can I help you with?
ticket-resolved = Your ticket { $ticket } is now resolved. If you need anything else, just write here.

## Orders

order-ask-number = Sure, I can check that. What's your order number? It has 5 digits and is in your confirmation email.
order-not-found = I couldn't find order #{ $order }. Could you check the number in your confirmation email?
order-processing = Order #{ $order } is being prepared in our warehouse. It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-packed = Order #{ $order } is packed and waiting for the carrier. It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-shipped = Order #{ $order } is on its way with { $carrier } (tracking number { $tracking }). It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = Order #{ $order } is out for delivery with { $carrier } and should reach you today.
order-delivered = Order #{ $order } was delivered on { DATETIME($delivered, dateStyle: "long") }. If you can't find it, say "human" and a person will help.
order-cancelled = Order #{ $order } was cancelled, so it will not be shipped.

## Web chat widget

ui-title = { $bot_name } support
ui-placeholder = Type your message…
ui-send = Send
ui-close = Close chat
ui-open = Chat with us
ui-connecting = Connecting…
ui-reconnecting = Connection lost. Reconnecting…
ui-typing = { $bot_name } is typing
ui-source = Source
ui-agent = Support agent
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = human, a human, agent, an agent, a person, real person, someone real, talk to someone, speak to someone, talk to a person, representative, operator, customer service, live chat
match-yes = yes, yes please, yeah, yep, sure, ok, okay, please, please do, go ahead
match-no = no, no thanks, nope, not now, no need
match-greeting = hi, hello, hey, good morning, good afternoon, good evening
match-thanks = thanks, thank you, thank you so much, thx, cheers, great thanks
match-order-status = where is my order, where's my order, order status, status of my order, track, tracking, track my order, arrive, arrives, arriving, arrival, delivery date, when will it come, shipped yet
