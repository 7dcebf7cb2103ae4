# English catalogue. Every customer-facing canned text lives here, and every
# catalogue in this folder has exactly the same keys and placeholders
# (tests/test_locales.py checks it). Syntax: https://projectfluent.org/fluent/guide/

## Conversation

greeting = Hi! I'm { $bot_name }. Ask me about shipping, returns, refunds, payments, your orders or your account, or say "human" at any time to talk to a person.
welcome-back = You're welcome! Is there anything else I can help you with?
kb-not-sure = I'm not sure I have the right answer to that, and I'd rather not guess. Would you like me to get a person from our team? Just say "yes".
guard-blocked = I can't confirm that myself, and I'd rather not tell you something I can't check. Would you like me to get a person from our team to look at it? Just say "yes".
kb-other-language = This answer is only available in { $article_language ->
    [en] English
    [es] Spanish
    [fr] French
    [de] German
    [pt] Portuguese
    [it] Italian
    [nl] Dutch
    [tr] Turkish
    [id] Indonesian
    [pl] Polish
   *[other] another language
}:
handoff-waiting = I'm bringing in a person from our support team. Your ticket reference is { $ticket }. Please stay in this chat: they will reply right here.
handoff-declined = No problem. What else can I help you with?
fallback-error = Sorry, something went wrong on my side. I've asked a person from our team to take over; your ticket reference is { $ticket }.
message-too-long = That message is too long for me to read. Please keep it under { $limit } characters.
rate-limited = You're sending messages faster than I can answer them well. I've kept everything you wrote; please give me a minute before the next one.
busy = We're very busy right now. Your message will be sent again in a moment.
fallback-unavailable = Sorry, I can't answer right now because of a problem on our side. Please try again in a few minutes.
agent-joined = A person from our support team has joined the chat (ticket { $ticket }).
back-to-bot = Our support team has handed you back to me. What else can I help you with?
ticket-resolved = Your ticket { $ticket } is now resolved. If you need anything else, just write here.

## Handoff, ratings and channels

handoff-sla-missed = Thank you for waiting. Our team is taking longer than usual to pick up your ticket { $ticket }. You're still in the queue and we've reminded them; you can keep writing here in the meantime.
agent-label = { $name } (support team)
rating-ask = How would you rate the help you got today? Reply with a number from 1 (poor) to 5 (excellent).
rating-thanks = Thank you for your rating! If you need anything else, just write here.
text-only = Sorry, I can only read text messages. Please type your question and I'll help.
chat-help = Just write your question in your own words: I can help with orders, shipping, returns, refunds, payments and your account. Send /human at any time to talk to a person from our team.

## Orders

order-ask-number = Sure, I can check that. What's your order number? It has 5 digits and is in your confirmation email.
order-not-found = I couldn't find order #{ $order }. Could you check the number in your confirmation email?
order-processing = Order #{ $order } is being prepared in our warehouse. It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-packed = Order #{ $order } is packed and waiting for the carrier. It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-shipped = Order #{ $order } is on its way with { $carrier } (tracking number { $tracking }). It should arrive by { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = Order #{ $order } is out for delivery with { $carrier } and should reach you today.
order-delivered = Order #{ $order } was delivered on { DATETIME($delivered, dateStyle: "long") }. If you can't find it, say "human" and a person will help.
order-cancelled = Order #{ $order } was cancelled, so it will not be shipped.

## Refunds and cancellations

refund-not-delivered = Order #{ $order } hasn't been delivered yet, so there is nothing to refund yet. If you no longer want it, I can help you cancel it while it is still being prepared.
refund-cancelled = Order #{ $order } was cancelled, and its payment was refunded to the original payment method when it was cancelled.
refund-window-passed = Order #{ $order } was delivered on { DATETIME($delivered, dateStyle: "long") }, more than { $days } days ago, so it is outside our return window.
refund-eligible = Order #{ $order } can be returned for a refund of up to { NUMBER($amount, style: "currency", currency: "USD") }. Start the return from the Orders page; the refund is issued within 2 business days after the return reaches our warehouse.
refund-needs-person = A refund of { NUMBER($amount, style: "currency", currency: "USD") } for order #{ $order } is reviewed by a person from our team, so I'm passing your ticket to them.
cancel-confirm = Order #{ $order } is still being prepared, so it can be cancelled. Shall I cancel it now? Please answer yes or no.
cancel-done = Done: order #{ $order } is cancelled. The payment goes back to your original payment method; banks take 5-7 business days to show it.
cancel-kept = All right, order #{ $order } stays as it is.
cancel-too-late = Order #{ $order } is { $status ->
    [packed] already packed
    [shipped] already on its way
    [out_for_delivery] already out for delivery
    [delivered] already delivered
    [cancelled] already cancelled
   *[other] past the point where it can be changed
}, so it can no longer be cancelled. Once it arrives you can return it within 30 days.
cancel-failed = I couldn't cancel order #{ $order } in our system, so I'm passing this to a person from our team.

## Limits of the bot

out-of-scope = I can only help with our shop: orders, shipping, returns, refunds, payments and your account. Is there something there I can do for you? You can also say "human" to reach a person.
kill-switch = Thanks for your message. Our automatic assistant is paused right now, so a person from our team will answer you here as soon as they can. Your ticket reference is { $ticket }.

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
match-legal = lawyer, attorney, sue, suing, lawsuit, legal action, court, small claims, chargeback, consumer protection, ombudsman, trading standards, data protection complaint
match-frustration = terrible, awful, horrible, disgusting, unacceptable, ridiculous, scam, scammers, fraud, worst service, furious, so angry, rude, never again, disgrace, outrageous, pathetic, useless service, fed up, sick of this
match-rating-words = terrible, bad, okay, good, excellent
