# Catalogue français. Mêmes clés et mêmes marqueurs que locales/en.ftl.
# Register: "vous", the polite form French online shops use with their customers.
# The word the customer is told to type for a person is « humain » (see match-human).

## Conversation

greeting = Bonjour ! Je suis { $bot_name }. Posez-moi vos questions sur la livraison, les retours, les remboursements, les paiements, vos commandes ou votre compte, ou écrivez « humain » à tout moment pour parler à une personne.
welcome-back = Avec plaisir ! Puis-je vous aider pour autre chose ?
kb-not-sure = Je ne suis pas sûr d'avoir la bonne réponse, et je préfère ne pas deviner. Voulez-vous que je fasse appel à une personne de notre équipe ? Répondez simplement « oui ».
guard-blocked = Je ne peux pas le confirmer moi-même, et je préfère ne pas vous dire quelque chose que je ne peux pas vérifier. Voulez-vous qu'une personne de notre équipe s'en occupe ? Répondez simplement « oui ».
kb-other-language = Cette réponse n'est disponible { $article_language ->
    [en] qu'en anglais
    [es] qu'en espagnol
    [fr] qu'en français
    [de] qu'en allemand
    [pt] qu'en portugais
    [it] qu'en italien
    [nl] qu'en néerlandais
    [tr] qu'en turc
    [id] qu'en indonésien
    [pl] qu'en polonais
   *[other] que dans une autre langue
} :
handoff-waiting = Je fais appel à une personne de notre équipe d'assistance. La référence de votre demande est { $ticket }. Restez dans ce chat : la réponse arrivera ici même.
handoff-declined = Pas de problème. Que puis-je faire d'autre pour vous ?
fallback-error = Désolé, un problème est survenu de mon côté. J'ai demandé à une personne de notre équipe de prendre le relais ; la référence de votre demande est { $ticket }.
message-too-long = Ce message est trop long pour moi. Merci de ne pas dépasser { $limit } caractères.
rate-limited = Vous envoyez des messages plus vite que je ne peux bien y répondre. J'ai gardé tout ce que vous avez écrit ; merci de patienter une minute avant le suivant.
busy = Nous sommes très sollicités en ce moment. Votre message sera renvoyé dans un instant.
fallback-unavailable = Désolé, je ne peux pas répondre pour le moment à cause d'un problème de notre côté. Veuillez réessayer dans quelques minutes.
agent-joined = Une personne de notre équipe d'assistance a rejoint le chat (demande { $ticket }).
back-to-bot = Notre équipe d'assistance m'a repassé la conversation. Que puis-je faire d'autre pour vous ?
ticket-resolved = Votre demande { $ticket } est maintenant résolue. Si vous avez besoin d'autre chose, écrivez-nous simplement ici.

## Handoff, ratings and channels

handoff-sla-missed = Merci de votre patience. Notre équipe met plus de temps que d'habitude à prendre en charge votre demande { $ticket }. Vous êtes toujours dans la file d'attente et nous lui avons envoyé un rappel ; en attendant, vous pouvez continuer à écrire ici.
agent-label = { $name } (équipe d'assistance)
rating-ask = Comment évalueriez-vous l'aide reçue aujourd'hui ? Répondez par un chiffre de 1 (mauvaise) à 5 (excellente).
rating-thanks = Merci pour votre note ! Si vous avez besoin d'autre chose, écrivez-nous simplement ici.
text-only = Désolé, je ne peux lire que les messages texte. Écrivez-moi votre question et je vous aiderai.
chat-help = Écrivez simplement votre question avec vos propres mots : je peux vous aider pour les commandes, la livraison, les retours, les remboursements, les paiements et votre compte. Envoyez /human à tout moment pour parler à une personne de notre équipe.

## Orders

order-ask-number = Bien sûr, je vérifie. Quel est votre numéro de commande ? Il comporte 5 chiffres et figure dans votre e-mail de confirmation.
order-not-found = Je n'ai pas trouvé la commande #{ $order }. Pouvez-vous vérifier le numéro dans votre e-mail de confirmation ?
order-processing = La commande #{ $order } est en préparation dans notre entrepôt. Elle devrait arriver d'ici le { DATETIME($eta, dateStyle: "long") }.
order-packed = La commande #{ $order } est emballée et attend le transporteur. Elle devrait arriver d'ici le { DATETIME($eta, dateStyle: "long") }.
order-shipped = La commande #{ $order } est en route avec { $carrier } (numéro de suivi { $tracking }). Elle devrait arriver d'ici le { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = La commande #{ $order } est en cours de livraison avec { $carrier } et devrait vous parvenir aujourd'hui.
order-delivered = La commande #{ $order } a été livrée le { DATETIME($delivered, dateStyle: "long") }. Si vous ne la trouvez pas, écrivez « humain » et une personne de notre équipe vous aidera.
order-cancelled = La commande #{ $order } a été annulée, elle ne sera donc pas expédiée.

## Refunds and cancellations

refund-not-delivered = La commande #{ $order } n'a pas encore été livrée, il n'y a donc rien à rembourser pour l'instant. Si vous n'en voulez plus, je peux vous aider à l'annuler tant qu'elle est en préparation.
refund-cancelled = La commande #{ $order } a été annulée, et son paiement a été remboursé sur le moyen de paiement d'origine au moment de l'annulation.
refund-window-passed = La commande #{ $order } a été livrée le { DATETIME($delivered, dateStyle: "long") }, il y a plus de { $days } jours : elle n'est donc plus dans notre délai de retour.
refund-eligible = La commande #{ $order } peut être retournée pour un remboursement allant jusqu'à { NUMBER($amount, style: "currency", currency: "USD") }. Lancez le retour depuis la page Commandes ; le remboursement est effectué sous 2 jours ouvrés après réception du retour dans notre entrepôt.
refund-needs-person = Un remboursement de { NUMBER($amount, style: "currency", currency: "USD") } pour la commande #{ $order } doit être validé par une personne de notre équipe, je lui transmets donc votre demande.
cancel-confirm = La commande #{ $order } est encore en préparation, elle peut donc être annulée. Voulez-vous que je l'annule maintenant ? Répondez par oui ou par non.
cancel-done = C'est fait : la commande #{ $order } est annulée. Le paiement sera reversé sur votre moyen de paiement d'origine ; les banques mettent 5 à 7 jours ouvrés pour l'afficher.
cancel-kept = Très bien, la commande #{ $order } reste inchangée.
cancel-too-late = La commande #{ $order } { $status ->
    [packed] est déjà emballée
    [shipped] est déjà en route
    [out_for_delivery] est déjà en cours de livraison
    [delivered] a déjà été livrée
    [cancelled] a déjà été annulée
   *[other] a dépassé l'étape où elle pouvait être modifiée
}, elle ne peut donc plus être annulée. Dès sa réception, vous pourrez la retourner sous 30 jours.
cancel-failed = Je n'ai pas pu annuler la commande #{ $order } dans notre système, je transmets donc votre demande à une personne de notre équipe.

## Limits of the bot

out-of-scope = Je peux uniquement vous aider pour notre boutique : commandes, livraison, retours, remboursements, paiements et votre compte. Puis-je faire quelque chose pour vous à ce sujet ? Vous pouvez aussi écrire « humain » pour joindre une personne.
kill-switch = Merci pour votre message. Notre assistant automatique est en pause pour le moment ; une personne de notre équipe vous répondra donc ici dès que possible. La référence de votre demande est { $ticket }.

## Web chat widget

ui-title = Assistance { $bot_name }
ui-placeholder = Écrivez votre message…
ui-send = Envoyer
ui-close = Fermer le chat
ui-open = Discutez avec nous
ui-connecting = Connexion…
ui-reconnecting = Connexion perdue. Reconnexion…
ui-typing = { $bot_name } est en train d'écrire
ui-source = Source
ui-agent = Conseiller
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = humain, un humain, un être humain, une vraie personne, vraie personne, personne réelle, une personne réelle, parler à une personne, parler a quelqu'un, parler avec quelqu'un, parler a quelqu un, parler avec quelqu un, quelqu'un de réel, un conseiller, une conseillère, conseiller client, conseillère client, conseiller clientèle, un agent, agent humain, un opérateur, une opératrice, service client, service clientèle, support client, contacter le sav, joindre le sav, parler au sav, chat en direct
match-yes = oui, oui merci, oui svp, oui s'il vous plaît, oui s'il vous plait, ouais, ok, okay, d'accord, d'acc, bien sûr, oui bien sûr, allez-y, volontiers, avec plaisir, svp, s'il vous plaît, s'il vous plait, parfait
match-no = non, non merci, nan, pas maintenant, pas besoin, non c'est bon, pas la peine, ce n'est pas la peine, ça ira, laissez tomber
match-greeting = bonjour, bonsoir, salut, coucou, hello, bjr, slt, bonjour à vous, hey
match-thanks = merci, merci beaucoup, merci bien, mille mercis, mille merci, merci infiniment, super merci, parfait merci, je vous remercie, merci à vous
match-legal = avocat, avocate, mon avocat, en justice, poursuivre en justice, action en justice, porter plainte, déposer plainte, déposer une plainte, procès, tribunal, tribunal judiciaire, mise en demeure, injonction de payer, huissier, commissaire de justice, dgccrf, signalconso, ufc que choisir, que choisir, association de consommateurs, médiateur, médiateur de la consommation, ouvrir un litige, faire opposition, chargeback, cnil
match-frustration = inadmissible, scandaleux, scandaleuse, arnaque, escroquerie, escrocs, honteux, honteuse, horrible, lamentable, furieux, furieuse, inacceptable, catastrophe, plus jamais, ras le bol
match-rating-words = nul, mauvais, moyen, bien, excellent
