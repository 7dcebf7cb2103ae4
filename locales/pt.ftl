# Catálogo em português do Brasil. Mesmas chaves e mesmos marcadores que locales/en.ftl.
# Register: "você", as Brazilian online shops address their customers.
# The word the customer is told to type for a person is "atendente" (see match-human).

## Conversation

greeting = Oi! Eu sou { $bot_name }. Pode me perguntar sobre entregas, devoluções, reembolsos, pagamentos, seus pedidos ou sua conta, ou digite "atendente" a qualquer momento para falar com uma pessoa.
welcome-back = De nada! Posso ajudar em mais alguma coisa?
kb-not-sure = Não tenho certeza se tenho a resposta certa para isso, e prefiro não chutar. Quer que eu chame uma pessoa da nossa equipe? É só digitar "sim".
guard-blocked = Não consigo confirmar isso sozinho, e prefiro não dizer algo que não posso verificar. Quer que uma pessoa da nossa equipe veja isso? É só digitar "sim".
kb-other-language = Esta resposta só está disponível em { $article_language ->
    [en] inglês
    [es] espanhol
    [fr] francês
    [de] alemão
    [pt] português
    [it] italiano
    [nl] holandês
    [tr] turco
    [id] indonésio
    [pl] polonês
   *[other] outro idioma
}:
handoff-waiting = Estou chamando uma pessoa da nossa equipe de atendimento. O número do seu chamado é { $ticket }. Fique neste chat: a resposta vai chegar aqui mesmo.
handoff-declined = Tudo bem. Em que mais posso ajudar?
fallback-error = Desculpe, algo deu errado do meu lado. Pedi para uma pessoa da nossa equipe assumir; o número do seu chamado é { $ticket }.
message-too-long = Essa mensagem é longa demais para mim. Por favor, escreva menos de { $limit } caracteres.
rate-limited = Você está enviando mensagens mais rápido do que consigo responder bem. Guardei tudo o que você escreveu; aguarde um minuto antes da próxima, por favor.
busy = Estamos com muito movimento agora. Sua mensagem será enviada de novo em instantes.
fallback-unavailable = Desculpe, não consigo responder agora por causa de um problema do nosso lado. Tente de novo em alguns minutos.
agent-joined = Uma pessoa da nossa equipe de atendimento entrou no chat (chamado { $ticket }).
back-to-bot = Nossa equipe de atendimento transferiu você de volta para mim. Em que mais posso ajudar?
ticket-resolved = Seu chamado { $ticket } foi resolvido. Se precisar de mais alguma coisa, é só escrever aqui.

## Handoff, ratings and channels

handoff-sla-missed = Obrigado por aguardar. Nossa equipe está demorando mais do que o normal para assumir o seu chamado { $ticket }. Você continua na fila e já lembramos a equipe; enquanto isso, pode continuar escrevendo aqui.
agent-label = { $name } (equipe de atendimento)
rating-ask = Como você avalia a ajuda que recebeu hoje? Responda com um número de 1 (ruim) a 5 (excelente).
rating-thanks = Obrigado pela sua avaliação! Se precisar de mais alguma coisa, é só escrever aqui.
text-only = Desculpe, só consigo ler mensagens de texto. Por favor, digite sua pergunta e eu vou ajudar você.
chat-help = É só escrever sua pergunta com suas próprias palavras: posso ajudar com pedidos, entregas, devoluções, reembolsos, pagamentos e sua conta. Envie /human a qualquer momento para falar com uma pessoa da nossa equipe.

## Orders

order-ask-number = Claro, posso verificar. Qual é o número do seu pedido? Ele tem 5 dígitos e está no seu e-mail de confirmação.
order-not-found = Não encontrei o pedido #{ $order }. Você pode conferir o número no seu e-mail de confirmação?
order-processing = O pedido #{ $order } está sendo preparado no nosso centro de distribuição. Ele deve chegar até { DATETIME($eta, dateStyle: "long") }.
order-packed = O pedido #{ $order } está embalado e aguardando a transportadora. Ele deve chegar até { DATETIME($eta, dateStyle: "long") }.
order-shipped = O pedido #{ $order } está a caminho com a transportadora { $carrier } (código de rastreio { $tracking }). Ele deve chegar até { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = O pedido #{ $order } saiu para entrega com a transportadora { $carrier } e deve chegar hoje.
order-delivered = O pedido #{ $order } foi entregue em { DATETIME($delivered, dateStyle: "long") }. Se você não o encontrar, digite "atendente" e uma pessoa da nossa equipe vai ajudar.
order-cancelled = O pedido #{ $order } foi cancelado, então não será enviado.

## Refunds and cancellations

refund-not-delivered = O pedido #{ $order } ainda não foi entregue, então ainda não há nada a reembolsar. Se você não quiser mais, posso ajudar a cancelar enquanto ele ainda está em preparação.
refund-cancelled = O pedido #{ $order } foi cancelado, e o pagamento foi estornado para a forma de pagamento original no momento do cancelamento.
refund-window-passed = O pedido #{ $order } foi entregue em { DATETIME($delivered, dateStyle: "long") }, há mais de { $days } dias, então está fora do nosso prazo de devolução.
refund-eligible = O pedido #{ $order } pode ser devolvido com reembolso de até { NUMBER($amount, style: "currency", currency: "USD") }. Inicie a devolução na página Pedidos; o reembolso é feito em até 2 dias úteis depois que a devolução chegar ao nosso centro de distribuição.
refund-needs-person = Um reembolso de { NUMBER($amount, style: "currency", currency: "USD") } para o pedido #{ $order } é analisado por uma pessoa da nossa equipe, então vou passar o seu chamado para ela.
cancel-confirm = O pedido #{ $order } ainda está em preparação, então pode ser cancelado. Quer que eu cancele agora? Responda sim ou não, por favor.
cancel-done = Pronto: o pedido #{ $order } foi cancelado. O valor volta para a sua forma de pagamento original; os bancos levam de 5 a 7 dias úteis para mostrar o estorno.
cancel-kept = Tudo bem, o pedido #{ $order } continua como está.
cancel-too-late = O pedido #{ $order } { $status ->
    [packed] já foi embalado
    [shipped] já está a caminho
    [out_for_delivery] já saiu para entrega
    [delivered] já foi entregue
    [cancelled] já foi cancelado
   *[other] já passou da etapa em que podia ser alterado
}, então não pode mais ser cancelado. Quando ele chegar, você pode devolvê-lo em até 30 dias.
cancel-failed = Não consegui cancelar o pedido #{ $order } no nosso sistema, então vou passar isso para uma pessoa da nossa equipe.

## Limits of the bot

out-of-scope = Só posso ajudar com assuntos da nossa loja: pedidos, entregas, devoluções, reembolsos, pagamentos e sua conta. Posso ajudar você com algum desses assuntos? Você também pode digitar "atendente" para falar com uma pessoa.
kill-switch = Obrigado pela sua mensagem. Nosso assistente automático está pausado no momento, então uma pessoa da nossa equipe vai responder aqui assim que puder. O número do seu chamado é { $ticket }.

## Web chat widget

ui-title = Atendimento { $bot_name }
ui-placeholder = Digite sua mensagem…
ui-send = Enviar
ui-close = Fechar chat
ui-open = Fale com a gente
ui-connecting = Conectando…
ui-reconnecting = Conexão perdida. Reconectando…
ui-typing = { $bot_name } está digitando
ui-source = Fonte
ui-agent = Atendente
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = atendente, um atendente, uma atendente, atendimento humano, humano, um humano, pessoa real, uma pessoa real, pessoa de verdade, uma pessoa de verdade, falar com uma pessoa, falar com alguém, conversar com alguém, falar com um humano, agente, um agente, operador, uma operadora, sac, central de atendimento, atendimento ao cliente, atendimento ao consumidor, serviço de atendimento, suporte humano
match-yes = sim, sim por favor, ss, pode, pode sim, pode ser, claro, claro que sim, com certeza, ok, okay, beleza, blz, isso, isso mesmo, quero, por favor, manda ver, bora
match-no = não, nao, não obrigado, não obrigada, agora não, não precisa, nem precisa, deixa, deixa pra lá, deixa quieto, nada não
match-greeting = oi, oie, olá, bom dia, boa tarde, boa noite, e aí, eai, opa, oi tudo bem, olá tudo bem
match-thanks = obrigado, obrigada, muito obrigado, muito obrigada, obrigadão, valeu, vlw, valeu mesmo, brigado, brigada, obg, agradeço
match-legal = advogado, advogada, meu advogado, processar, vou processar, processo judicial, ação judicial, entrar na justiça, na justiça, juizado, juizado especial, pequenas causas, procon, reclame aqui, reclameaqui, consumidor.gov.br, consumidor gov, código de defesa do consumidor, defesa do consumidor, contestar a compra, chargeback, lgpd, anpd
match-frustration = pessimo, péssimo, horrivel, horrível, absurdo, inaceitavel, inaceitável, golpe, fraude, vergonha, ridiculo, ridículo, furioso, furiosa, descaso, nunca mais
match-rating-words = péssimo, ruim, regular, bom, excelente
