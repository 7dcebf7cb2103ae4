# Catálogo en español. Mismas claves y mismos marcadores que locales/en.ftl.

## Conversation

greeting = ¡Hola! Soy { $bot_name }. Pregúntame sobre envíos, devoluciones, reembolsos, pagos, tus pedidos o tu cuenta, o escribe "humano" en cualquier momento para hablar con una persona.
welcome-back = ¡De nada! ¿Hay algo más en lo que pueda ayudarte?
kb-not-sure = No estoy seguro de tener la respuesta correcta y prefiero no adivinar. ¿Quieres que llame a una persona de nuestro equipo? Solo escribe "sí".
guard-blocked = No puedo confirmarlo yo mismo y prefiero no decirte algo que no puedo comprobar. ¿Quieres que una persona de nuestro equipo lo revise? Solo escribe "sí".
kb-other-language = Esta respuesta solo está disponible en { $article_language ->
    [en] inglés
    [es] español
    [fr] francés
    [de] alemán
    [pt] portugués
    [it] italiano
    [nl] neerlandés
    [tr] turco
    [id] indonesio
    [pl] polaco
   *[other] otro idioma
}:
handoff-waiting = Estoy llamando a una persona de nuestro equipo de soporte. La referencia de tu caso es { $ticket }. Quédate en este chat: te responderán aquí mismo.
handoff-declined = De acuerdo. ¿En qué más puedo ayudarte?
fallback-error = Lo siento, algo falló de mi lado. Le pedí a una persona de nuestro equipo que continúe; la referencia de tu caso es { $ticket }.
message-too-long = Ese mensaje es demasiado largo para mí. Por favor, escribe menos de { $limit } caracteres.
rate-limited = Estás enviando mensajes más rápido de lo que puedo responder bien. He guardado todo lo que escribiste; espera un minuto antes del siguiente, por favor.
busy = Estamos muy ocupados en este momento. Tu mensaje se enviará de nuevo en un momento.
fallback-unavailable = Lo siento, ahora no puedo responder por un problema de nuestro lado. Inténtalo de nuevo en unos minutos.
agent-joined = Una persona de nuestro equipo de soporte se unió al chat (caso { $ticket }).
back-to-bot = Nuestro equipo de soporte te devolvió a mí. ¿En qué más puedo ayudarte?
ticket-resolved = Tu caso { $ticket } quedó resuelto. Si necesitas algo más, escribe aquí.

## Handoff, ratings and channels

handoff-sla-missed = Gracias por esperar. Nuestro equipo está tardando más de lo habitual en atender tu caso { $ticket }. Sigues en la fila y ya les enviamos un recordatorio; mientras tanto, puedes seguir escribiendo aquí.
agent-label = { $name } (equipo de soporte)
rating-ask = ¿Cómo calificarías la ayuda que recibiste hoy? Responde con un número del 1 (mala) al 5 (excelente).
rating-thanks = ¡Gracias por tu calificación! Si necesitas algo más, escribe aquí.
text-only = Lo siento, solo puedo leer mensajes de texto. Escribe tu pregunta y con gusto te ayudo.
chat-help = Escribe tu pregunta con tus propias palabras: puedo ayudarte con pedidos, envíos, devoluciones, reembolsos, pagos y tu cuenta. Envía /human en cualquier momento para hablar con una persona de nuestro equipo.

## Orders

order-ask-number = Claro, puedo revisarlo. ¿Cuál es tu número de pedido? Tiene 5 dígitos y aparece en tu correo de confirmación.
order-not-found = No encontré el pedido #{ $order }. ¿Puedes revisar el número en tu correo de confirmación?
order-processing = El pedido #{ $order } se está preparando en nuestro almacén. Debería llegar a más tardar el { DATETIME($eta, dateStyle: "long") }.
order-packed = El pedido #{ $order } está empacado y esperando a la transportista. Debería llegar a más tardar el { DATETIME($eta, dateStyle: "long") }.
order-shipped = El pedido #{ $order } va en camino con { $carrier } (número de seguimiento { $tracking }). Debería llegar a más tardar el { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = El pedido #{ $order } está en reparto con { $carrier } y debería llegarte hoy.
order-delivered = El pedido #{ $order } se entregó el { DATETIME($delivered, dateStyle: "long") }. Si no lo encuentras, escribe "humano" y una persona te ayudará.
order-cancelled = El pedido #{ $order } fue cancelado, así que no se enviará.

## Refunds and cancellations

refund-not-delivered = El pedido #{ $order } todavía no se ha entregado, así que aún no hay nada que reembolsar. Si ya no lo quieres, puedo ayudarte a cancelarlo mientras se está preparando.
refund-cancelled = El pedido #{ $order } fue cancelado y su pago se devolvió al método de pago original en el momento de la cancelación.
refund-window-passed = El pedido #{ $order } se entregó el { DATETIME($delivered, dateStyle: "long") }, hace más de { $days } días, así que está fuera de nuestro plazo de devolución.
refund-eligible = El pedido #{ $order } se puede devolver con un reembolso de hasta { NUMBER($amount, style: "currency", currency: "USD") }. Inicia la devolución desde la página de pedidos; el reembolso se emite dentro de 2 días hábiles después de que la devolución llegue a nuestro almacén.
refund-needs-person = Un reembolso de { NUMBER($amount, style: "currency", currency: "USD") } para el pedido #{ $order } lo revisa una persona de nuestro equipo, así que le paso tu caso.
cancel-confirm = El pedido #{ $order } todavía se está preparando, así que se puede cancelar. ¿Lo cancelo ahora? Responde sí o no, por favor.
cancel-done = Listo: el pedido #{ $order } está cancelado. El pago vuelve a tu método de pago original; los bancos tardan de 5 a 7 días hábiles en mostrarlo.
cancel-kept = De acuerdo, el pedido #{ $order } se queda como está.
cancel-too-late = El pedido #{ $order } { $status ->
    [packed] ya está empacado
    [shipped] ya va en camino
    [out_for_delivery] ya está en reparto
    [delivered] ya fue entregado
    [cancelled] ya fue cancelado
   *[other] ya no se puede modificar
}, así que ya no se puede cancelar. Cuando llegue, puedes devolverlo dentro de 30 días.
cancel-failed = No pude cancelar el pedido #{ $order } en nuestro sistema, así que le paso esto a una persona de nuestro equipo.

## Limits of the bot

out-of-scope = Solo puedo ayudarte con nuestra tienda: pedidos, envíos, devoluciones, reembolsos, pagos y tu cuenta. ¿Hay algo de eso en lo que pueda ayudarte? También puedes escribir "humano" para hablar con una persona.
kill-switch = Gracias por tu mensaje. Nuestro asistente automático está en pausa en este momento, así que una persona de nuestro equipo te responderá aquí en cuanto pueda. La referencia de tu caso es { $ticket }.

## Web chat widget

ui-title = Soporte de { $bot_name }
ui-placeholder = Escribe tu mensaje…
ui-send = Enviar
ui-close = Cerrar el chat
ui-open = Chatea con nosotros
ui-connecting = Conectando…
ui-reconnecting = Se perdió la conexión. Reconectando…
ui-typing = { $bot_name } está escribiendo
ui-source = Fuente
ui-agent = Agente de soporte
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = humano, un humano, agente, un agente, una persona, persona real, hablar con alguien, hablar con una persona, representante, operador, atencion al cliente, servicio al cliente
match-yes = si, sí, si por favor, claro, vale, ok, de acuerdo, por favor, adelante, dale
match-no = no, no gracias, ahora no, no hace falta
match-greeting = hola, buenas, buenos dias, buenas tardes, buenas noches, hey
match-thanks = gracias, muchas gracias, mil gracias, te lo agradezco
match-legal = abogado, abogada, demanda, demandar, denunciar, denuncia, accion legal, tribunal, juzgado, profeco, proteccion al consumidor, contracargo
match-frustration = terrible, horrible, pesimo, pésimo, inaceptable, ridiculo, ridículo, estafa, estafadores, fraude, una verguenza, una vergüenza, indignante, furioso, furiosa, grosero, grosera, nunca mas, nunca más, desastre, harto, harta
match-rating-words = pésimo, malo, regular, bueno, excelente
