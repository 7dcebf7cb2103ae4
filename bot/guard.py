"""The output guard: what a model wrote is checked before a customer reads it.

A model obeys whatever is in its context, the customer's words included, so the
operator's rules ("never promise a refund") cannot live in the prompt alone.
Every sentence of a model's answer is checked, deterministically, for

- claims about this customer's case that no tool result of this turn backs: a
  refund done or promised, an order cancelled, a replacement sent, a discount
  or code given, a delivery day promised (`CLAIM_PATTERNS`, per language);
- the operator's instructions: any run of `LEAK_WORDS` words of the system
  prompt's rules and instructions (not its knowledge-base passages, which the
  model is meant to quote).

A claim is backed when a tool result of the turn states it (an order whose
status is cancelled backs "your order has been cancelled"; an eligible refund
backs the promise of one; an order's ETA backs a delivery day) or when the
retrieved knowledge-base passages say the same words (policy text, quoted).

`Screen` runs over a streamed answer. It releases text as it comes, except a
sentence that mentions what a claim is about (refund, cancel, deliver, ...),
which is held until it ends and is judged whole, and the last few words while
they could be the start of a quoted instruction. So a forbidden sentence is
never shown, and an ordinary answer is not delayed. Paraphrased or translated
leaks of the prompt are not recognised; the rules the prompt holds are
instructions to be kept, not secrets, so the guard's work is that they are not
broken rather than that they are never described.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Claim(StrEnum):
    REFUND_DONE = "refund_done"
    REFUND_PROMISED = "refund_promised"
    CANCELLED = "cancelled"
    REPLACEMENT = "replacement"
    DISCOUNT = "discount"
    DELIVERY_DATE = "delivery_date"
    PROMPT = "prompt"  # the operator's instructions, quoted


@dataclass(frozen=True, slots=True)
class Verdict:
    claim: Claim
    evidence: str  # the words that were blocked, for the log (never shown to the customer)

    @property
    def reason(self) -> str:
        if self.claim is Claim.PROMPT:
            return "the answer quoted the operator's instructions"
        return f"the answer claimed {self.claim.value.replace('_', ' ')} with no tool result"


@dataclass(slots=True)
class Backing:
    """What this turn's tools returned and which passages the model was given."""

    results: list[Mapping[str, Any]] = field(default_factory=list)
    passages: Sequence[str] = ()

    def backs(self, claim: Claim, said: str) -> bool:
        if claim is Claim.PROMPT:
            return False
        if _in_passages(said, self.passages):
            return True
        return any(_result_backs(claim, result) for result in self.results)


def _result_backs(claim: Claim, result: Mapping[str, Any]) -> bool:
    status = result.get("status")
    match claim:
        case Claim.CANCELLED:
            return status == "cancelled" or result.get("cancelled") is True
        case Claim.REFUND_DONE:
            return status == "refunded" or result.get("refunded") is True
        case Claim.REFUND_PROMISED:
            return result.get("eligible") is True or result.get("refunded") is True
        case Claim.DELIVERY_DATE:
            return bool(result.get("eta") or result.get("delivered_on"))
        case Claim.REPLACEMENT:
            return bool(result.get("replacement"))
        case Claim.DISCOUNT:
            return bool(result.get("discount"))
        case Claim.PROMPT:
            return False


# -- what a claim looks like, per language ------------------------------------------
#
# Each pattern matches a statement about the customer's own case; policy in general
# ("refunds are issued within 5 days") is not a claim. Every pattern is linear: no
# nested quantifiers, and `[^.]{0,N}` gaps are bounded.

_W = r"(?:\w+\s+)?"  # at most one word in between ("I have *just* cancelled")
_GAP = r"[^.!?\n]{0,40}"
_DAYS_EN = (
    r"(?:tomorrow|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|(?:on|by) (?:the )?\d|(?:on|by) [a-z]+ \d)"
)

CLAIM_PATTERNS: Mapping[str, Mapping[Claim, Sequence[str]]] = {
    "en": {
        Claim.REFUND_DONE: [
            r"\b(?:your|the|a)\s+(?:full\s+)?refund\s+(?:has|was|is)\s+(?:now\s+|already\s+)?"
            r"(?:been\s+)?(?:processed|issued|approved|confirmed|completed|sent|initiated|"
            r"started|on (?:its|the) way)",
            r"\b(?:i|we)(?:'ve| have| just| already|'ll| will)*\s+" + _W + r"(?:refunded|"
            r"(?:issued|processed|approved|initiated|started)\s+(?:you\s+)?(?:a |your |the )?"
            r"(?:full\s+)?refund)",
            r"\byou(?:'ve| have)\s+(?:already\s+)?been\s+refunded",
        ],
        Claim.REFUND_PROMISED: [
            r"\bguarantee[ds]?\b" + _GAP + r"\brefund",
            r"\brefunds?\b" + _GAP + r"\bguaranteed?\b",
            r"\byou(?:'ll| will)\s+" + _W + r"(?:receive|get|be getting)\s+(?:a |your |the )?"
            r"(?:full\s+|complete\s+)?refund",
            r"\byou(?:'ll| will)\s+be\s+(?:fully\s+)?refunded",
            r"\b(?:i|we)(?:'ll| will| can| am going to| are going to)\s+"
            + _W
            + r"refund\s+(?:you|it|your)",
        ],
        Claim.CANCELLED: [
            r"\b(?:your|the)\s+order\b[^.!?\n]{0,30}\b(?:has been|have been|was|is now|is|got)\s+"
            r"(?:successfully\s+|already\s+)?cancell?ed\b",
            r"\b(?:i|we)(?:'ve| have| just| already)*\s+" + _W + r"cancell?ed\b",
            r"\bcancell?ation\b[^.!?\n]{0,30}\b(?:is\s+|has been\s+)?(?:confirmed|complete|"
            r"completed|processed|successful|done)",
            r"\bsuccessfully\s+cancell?ed\b",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:i|we)(?:'ll| will|'ve| have| are| am)?\s+"
            + _W
            + r"(?:send|ship|sent|shipped|dispatch|dispatched|sending|shipping)\s+(?:you\s+)?"
            r"(?:a |an |your |the )?(?:free\s+|new\s+)?(?:replacement|new one)",
            r"\breplacement\b[^.!?\n]{0,40}\b(?:is on its way|has been (?:sent|shipped|"
            r"dispatched|approved|ordered)|will be (?:sent|shipped|dispatched)|is guaranteed|"
            r"is approved|is confirmed)",
            r"\byou(?:'ll| will)\s+"
            + _W
            + r"(?:receive|get)\s+(?:a |your )?(?:free\s+)?replacement",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s*(?:off|discount)",
            r"\b(?:discount|coupon|promo|voucher)\s+code\b",
            r"\buse\s+(?:the\s+)?code\s+[a-z0-9]{4,}",
            r"\b(?:i|we)(?:'ll| will|'ve| have| can)?\s+"
            + _W
            + r"(?:give|offer|apply|applied|add|added)\s+(?:you\s+)?(?:a |an )?"
            + _W
            + r"(?:discount|coupon|voucher|store credit)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:will|should|is going to|'ll)\s+" + _W + r"(?:arrive|be delivered|reach you|"
            r"get to you|be with you|be there)\b[^.!?\n]{0,30}\b" + _DAYS_EN,
            r"\bguarantee[ds]?\b" + _GAP + r"\b(?:deliver|arriv)",
            r"\b(?:delivery|arrival)\b[^.!?\n]{0,30}\bguaranteed\b",
        ],
    },
    "es": {
        Claim.REFUND_DONE: [
            r"\b(?:tu|su)\s+reembolso\b[^.!?\n]{0,30}\b(?:ha sido|fue|está|queda)\s+"
            + _W
            + r"(?:aprobado|procesado|emitido|confirmado|realizado|enviado)",
            r"\b(?:te|le)\s+(?:he|hemos)\s+(?:reembolsado|devuelto el dinero)",
        ],
        Claim.REFUND_PROMISED: [
            r"\breembolso\b" + _GAP + r"\bgarantizad[oa]",
            r"\bgarantiz\w*\b" + _GAP + r"\breembolso",
            r"\b(?:recibirás|recibirá|vas a recibir|va a recibir)\s+(?:un |el |tu |su )?"
            + _W
            + r"reembolso",
            r"\b(?:te|le)\s+(?:reembolsaremos|reembolsaré|devolveremos el dinero)",
        ],
        Claim.CANCELLED: [
            r"\b(?:tu|su)\s+pedido\b[^.!?\n]{0,30}\b(?:ha sido|fue|está|quedó|queda)\s+"
            + _W
            + r"cancelad[oa]",
            r"\b(?:he|hemos)\s+cancelado\b",
            r"\bcancelación\b[^.!?\n]{0,30}\b(?:confirmada|completada|realizada|procesada)",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:te|le)\s+(?:enviaremos|enviaré|mandaremos|hemos enviado|he enviado)\s+"
            r"(?:un |una )?" + _W + r"(?:reemplazo|sustitución|repuesto|producto nuevo)",
            r"\breemplazo\b[^.!?\n]{0,30}\b(?:garantizado|aprobado|enviado|en camino)",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s+de\s+descuento",
            r"\b(?:cupón|código promocional|código de descuento)\b",
            r"\b(?:te|le)\s+(?:doy|damos|daré|daremos|ofrezco|ofrecemos|aplico|aplicamos|"
            r"he aplicado)\s+(?:un |una )?" + _W + r"(?:descuento|cupón|crédito)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:llegará|será entregado|se entregará|lo recibirás|la recibirás)\b"
            r"[^.!?\n]{0,30}\b(?:mañana|hoy|lunes|martes|miércoles|jueves|viernes|sábado|"
            r"domingo|el \d)",
            r"\bentrega\b[^.!?\n]{0,30}\bgarantizada",
        ],
    },
    "fr": {
        Claim.REFUND_DONE: [
            r"\b(?:votre|ton)\s+remboursement\b[^.!?\n]{0,30}\b(?:a été|est)\s+"
            + _W
            + r"(?:approuvé|effectué|traité|émis|confirmé|validé)",
            r"\b(?:je|nous)\s+(?:vous\s+|t')?(?:ai|avons)\s+remboursé",
        ],
        Claim.REFUND_PROMISED: [
            r"\bremboursement\b" + _GAP + r"\bgaranti",
            r"\bgaranti\w*\b" + _GAP + r"\bremboursement",
            r"\bvous\s+(?:serez|allez être)\s+(?:intégralement\s+)?remboursée?s?",
            r"\bvous\s+(?:recevrez|allez recevoir)\s+(?:un |le |votre )?" + _W + r"remboursement",
        ],
        Claim.CANCELLED: [
            r"\b(?:votre|ta)\s+commande\b[^.!?\n]{0,30}\b(?:a été|est)\s+" + _W + r"annulée",
            r"\b(?:j'ai|nous avons)\s+(?:bien\s+)?annulé",
            r"\bannulation\b[^.!?\n]{0,30}\b(?:confirmée|effectuée|validée)",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:vous|te)\s+(?:enverrons|enverrai|avons envoyé|ai envoyé)\s+(?:un |une )?"
            + _W
            + r"(?:remplacement|nouvel article|nouveau produit)",
            r"\bremplacement\b[^.!?\n]{0,30}\b(?:garanti|approuvé|envoyé|en route|en chemin)",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s+de\s+(?:réduction|remise)",
            r"\b(?:code promo|bon de réduction|code de réduction)\b",
            r"\b(?:je|nous)\s+(?:vous\s+)?(?:offre|offrons|accorde|accordons|applique|"
            r"appliquons)\s+(?:un |une )?" + _W + r"(?:réduction|remise|avoir|bon d'achat)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:arrivera|sera livrée?|vous la recevrez|vous le recevrez)\b[^.!?\n]{0,30}"
            r"\b(?:demain|aujourd'hui|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|le \d)",
            r"\blivraison\b[^.!?\n]{0,30}\bgarantie",
        ],
    },
    "de": {
        Claim.REFUND_DONE: [
            r"\b(?:ihre|deine)\s+(?:rück)?erstattung\b[^.!?\n]{0,30}\b(?:ist|wurde)\s+"
            + _W
            + r"(?:genehmigt|bearbeitet|veranlasst|bestätigt|ausgezahlt|angewiesen)",
            r"\b(?:ich|wir)\s+(?:habe|haben)\s+(?:ihnen\s+|dir\s+)?(?:\w+\s+){0,2}?"
            r"(?:zurückerstattet|erstattet)",
        ],
        Claim.REFUND_PROMISED: [
            r"\b(?:rück)?erstattung\b" + _GAP + r"\bgarantiert",
            r"\bgarantier\w*\b" + _GAP + r"\b(?:rück)?erstattung",
            r"\bgeld[- ]zurück[- ]garantie\b",
            r"\b(?:sie|du)\s+(?:erhalten|bekommen|erhältst|bekommst)\s+"
            r"(?:eine |ihre |deine |die )?(?:volle\s+)?(?:rück)?erstattung",
        ],
        Claim.CANCELLED: [
            r"\b(?:ihre|deine)\s+bestellung\b[^.!?\n]{0,30}\b(?:wurde|ist)\s+"
            + _W
            + r"(?:storniert|annulliert)",
            r"\b(?:ich|wir)\s+(?:habe|haben)\s+(?:\w+\s+){0,3}?(?:storniert|annulliert)",
            r"\bstornierung\b[^.!?\n]{0,30}\b(?:bestätigt|abgeschlossen|erfolgreich)",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:ersatz|ersatzartikel|ersatzlieferung)\b[^.!?\n]{0,30}\b(?:ist unterwegs|"
            r"wurde versandt|wird versandt|garantiert|genehmigt)",
            r"\b(?:wir|ich)\s+(?:senden|schicken|werden)\s+(?:ihnen|dir)\s+"
            + _W
            + r"(?:ersatz|einen neuen|eine neue|ein neues)",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s+(?:rabatt|nachlass)",
            r"\b(?:gutscheincode|rabattcode)\b",
            r"\b(?:ich|wir)\s+(?:gebe|geben|gewähre|gewähren)\s+(?:ihnen|dir)\s+"
            + _W
            + r"(?:rabatt|nachlass|gutschein|gutschrift)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:kommt|wird|trifft)\b[^.!?\n]{0,30}\b(?:morgen|heute|montag|dienstag|mittwoch|"
            r"donnerstag|freitag|samstag|sonntag|am \d)\b[^.!?\n]{0,20}\b(?:an|geliefert|"
            r"zugestellt|ankommen)\b",
            r"\blieferung\b[^.!?\n]{0,30}\bgarantiert",
        ],
    },
    "pt": {
        Claim.REFUND_DONE: [
            r"\b(?:seu|o seu|teu)\s+reembolso\b[^.!?\n]{0,30}\b(?:foi|está)\s+"
            + _W
            + r"(?:aprovado|processado|emitido|confirmado)",
            r"\b(?:reembolsei|reembolsamos)\b",
        ],
        Claim.REFUND_PROMISED: [
            r"\breembolso\b" + _GAP + r"\bgarantid",
            r"\bgarant\w*\b" + _GAP + r"\breembolso",
            r"\b(?:você|voce)\s+(?:receberá|vai receber)\s+(?:um |o |seu )?" + _W + r"reembolso",
        ],
        Claim.CANCELLED: [
            r"\b(?:seu|o seu)\s+pedido\b[^.!?\n]{0,30}\b(?:foi|está)\s+" + _W + r"cancelado",
            r"\b(?:cancelei|cancelamos)\b",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:enviaremos|vamos enviar|enviamos)\s+"
            + _W
            + r"(?:substituição|substituto|reposição|um novo|uma nova)",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s+de\s+desconto",
            r"\b(?:cupom|código de desconto|código promocional)\b",
            r"\b(?:vou|vamos)\s+(?:lhe |te )?(?:dar|oferecer|aplicar)\s+(?:um |uma )?"
            + _W
            + r"(?:desconto|cupom|crédito)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:chegará|vai chegar|será entregue)\b[^.!?\n]{0,30}\b(?:amanhã|hoje|segunda|"
            r"terça|quarta|quinta|sexta|sábado|domingo|dia \d)",
        ],
    },
    "it": {
        Claim.REFUND_DONE: [
            r"\b(?:il suo|il tuo)\s+rimborso\b[^.!?\n]{0,30}\b(?:è stato|è)\s+"
            + _W
            + r"(?:approvato|elaborato|emesso|confermato)",
            r"\b(?:ho|abbiamo)\s+rimborsato",
        ],
        Claim.REFUND_PROMISED: [
            r"\brimborso\b" + _GAP + r"\bgarantit",
            r"\bgarant\w*\b" + _GAP + r"\brimborso",
            r"\b(?:riceverà|riceverai)\s+(?:un |il |il suo |il tuo )?" + _W + r"rimborso",
        ],
        Claim.CANCELLED: [
            r"\b(?:il suo|il tuo)\s+ordine\b[^.!?\n]{0,30}\b(?:è stato|è)\s+" + _W + r"annullato",
            r"\b(?:ho|abbiamo)\s+annullato",
        ],
        Claim.REPLACEMENT: [
            r"\b(?:le|ti)\s+(?:invieremo|invierò|abbiamo inviato|ho inviato)\s+(?:un |una )?"
            + _W
            + r"(?:sostituzione|sostitutivo|ricambio)",
        ],
        Claim.DISCOUNT: [
            r"\b\d{1,3}\s?%\s+di\s+sconto",
            r"\bcodice (?:sconto|promozionale)\b",
            r"\b(?:le|ti)\s+(?:do|diamo|offro|offriamo|applico|applichiamo)\s+(?:uno |un |una )?"
            + _W
            + r"(?:sconto|buono|credito)",
        ],
        Claim.DELIVERY_DATE: [
            r"\b(?:arriverà|sarà consegnat[oa]|verrà consegnat[oa])\b[^.!?\n]{0,30}\b(?:domani|"
            r"oggi|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|il \d)",
        ],
    },
    "nl": {
        Claim.REFUND_DONE: [
            r"\b(?:uw|je)\s+terugbetaling\b[^.!?\n]{0,30}\b(?:is|werd)\s+"
            + _W
            + r"(?:goedgekeurd|verwerkt|uitgevoerd)",
        ],
        Claim.REFUND_PROMISED: [
            r"\bgegarandeerd\b" + _GAP + r"\b(?:terugbetaling|geld terug)",
            r"\b(?:terugbetaling|geld terug)\b" + _GAP + r"\bgegarandeerd",
        ],
        Claim.CANCELLED: [
            r"\b(?:uw|je)\s+bestelling\b[^.!?\n]{0,30}\b(?:is|werd)\s+" + _W + r"geannuleerd",
            r"\b(?:ik|we|wij)\s+(?:heb|hebben)\s+(?:\w+\s+){0,3}?geannuleerd",
        ],
        Claim.REPLACEMENT: [
            r"\bvervangend\w*\b[^.!?\n]{0,30}\b(?:verzonden|onderweg|gegarandeerd)",
        ],
        Claim.DISCOUNT: [r"\b\d{1,3}\s?%\s+korting", r"\bkortingscode\b"],
        Claim.DELIVERY_DATE: [
            r"\b(?:komt|wordt)\b[^.!?\n]{0,30}\b(?:morgen|vandaag|maandag|dinsdag|woensdag|"
            r"donderdag|vrijdag|zaterdag|zondag)\b[^.!?\n]{0,20}\b(?:aan|bezorgd|geleverd)\b",
        ],
    },
    "pl": {
        Claim.REFUND_DONE: [
            r"\bzwrot\w*\b[^.!?\n]{0,40}\b(?:zatwierdzon\w*|zrealizowan\w*|przetworzon\w*)",
        ],
        Claim.REFUND_PROMISED: [
            r"\bzwrot\w*\b" + _GAP + r"\bgwarantowan\w*",
            r"\bgwarant\w*\b" + _GAP + r"\bzwrot",
        ],
        Claim.CANCELLED: [
            r"\bzamówienie\b[^.!?\n]{0,30}\b(?:zostało|jest)\s+" + _W + r"anulowane",
            r"\banulował(?:em|am|iśmy)\b",
        ],
        Claim.REPLACEMENT: [
            r"\bwymian\w*\b[^.!?\n]{0,30}\b(?:wysłan\w*|gwarantowan\w*|zatwierdzon\w*)",
        ],
        Claim.DISCOUNT: [r"\b\d{1,3}\s?%\s+(?:zniżki|rabatu)", r"\bkod rabatowy\b"],
        Claim.DELIVERY_DATE: [
            r"\b(?:dotrze|zostanie dostarczon\w*)\b[^.!?\n]{0,30}\b(?:jutro|dzisiaj|dziś|"
            r"poniedziałek|wtorek|środę|czwartek|piątek|sobotę|niedzielę)",
        ],
    },
    "tr": {
        Claim.REFUND_DONE: [r"\biade\w*\b[^.!?\n]{0,40}\b(?:onaylandı|yapıldı|işlendi)"],
        Claim.REFUND_PROMISED: [
            r"\biade\w*\b" + _GAP + r"\bgaranti\w*",
            r"\bgaranti\w*\b" + _GAP + r"\biade",
        ],
        Claim.CANCELLED: [r"\bsipariş\w*\b[^.!?\n]{0,30}\biptal edil(?:di|miştir)"],
        Claim.REPLACEMENT: [
            r"\b(?:yenisi|değişim\w*)\b[^.!?\n]{0,30}\b(?:gönderildi|kargoya verildi|garanti\w*)",
        ],
        Claim.DISCOUNT: [r"%\s?\d{1,3}\s+indirim", r"\bindirim kodu\b"],
        Claim.DELIVERY_DATE: [
            r"\b(?:yarın|bugün|pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar)\b"
            r"[^.!?\n]{0,30}\b(?:teslim edilecek|ulaşacak|elinizde olacak)",
        ],
    },
    "id": {
        Claim.REFUND_DONE: [
            r"\b(?:pengembalian dana|refund)\b[^.!?\n]{0,40}\b(?:disetujui|telah diproses|"
            r"sudah diproses|sudah dikirim)",
        ],
        Claim.REFUND_PROMISED: [
            r"\bdijamin\b" + _GAP + r"\b(?:pengembalian dana|refund)",
            r"\b(?:pengembalian dana|refund)\b" + _GAP + r"\bdijamin",
        ],
        Claim.CANCELLED: [r"\bpesanan\b[^.!?\n]{0,30}\b(?:telah|sudah)\s+dibatalkan"],
        Claim.REPLACEMENT: [r"\bpengganti\b[^.!?\n]{0,30}\b(?:dikirim|dijamin)"],
        Claim.DISCOUNT: [r"\bdiskon\s+\d{1,3}\s?%", r"\bkode (?:diskon|promo|voucher)\b"],
        Claim.DELIVERY_DATE: [
            r"\b(?:akan tiba|akan sampai)\b[^.!?\n]{0,30}\b(?:besok|hari ini|senin|selasa|rabu|"
            r"kamis|jumat|sabtu|minggu)",
        ],
    },
}

# A clause that denies the claim ("your order has not been cancelled", "I can't
# promise a refund") is not one; the denial must come before the claim's end in
# the same clause, so "No problem, your refund is guaranteed" is still a claim.
_NEGATION = re.compile(
    r"\b(?:not|n't|never|cannot|can't|unable|no|nunca|nem|ne|pas|jamais|nicht|kein\w*|nie|"
    r"não|non|mai|niet|geen|nooit|tidak|belum|bukan|değil)\b|n't\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:\u2013\u2014]| but | pero | mais | aber | ma | mas ")

# Words whose sentence is held back and judged whole before it is shown: the
# subjects of the claims above, in every language (stems, so one covers its forms).
_TRIGGERS = re.compile(
    r"refund|reembols|rembours|erstatt|rimbors|terugbetal|geld terug|zwrot|iade|pengembalian"
    r"|cancel|annul|storn|anulow|iptal|dibatalkan"
    r"|replac|reemplaz|remplac|ersatz|sostitu|substitu|reposi|vervang|wymian|değişim|yenisi"
    r"|pengganti"
    r"|discount|descuent|desconto|réduction|remise|rabatt|nachlass|sconto|korting|zniżk"
    r"|rabat|indirim|diskon|coupon|cupón|cupom|voucher|gutschein|promo|code|código|codice|kod|%"
    r"|guarant|garant|gwarant|dijamin|promis|promet|versprech"
    r"|arriv|deliver|entreg|llegar|livr|liefer|zugestellt|consegn|chega|bezorg|dostarcz|dotrze"
    r"|teslim|ulaş|tiba|sampai",
    re.IGNORECASE,
)

LEAK_WORDS = 8  # a quoted run this long of the operator's instructions is a leak

_SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)|\n")
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return [unicodedata.normalize("NFKC", word).casefold() for word in _WORD.findall(text)]


def _normal(text: str) -> str:
    return " ".join(_words(text))


def _in_passages(said: str, passages: Sequence[str]) -> bool:
    quoted = _normal(said)
    return bool(quoted) and any(quoted in _normal(passage) for passage in passages)


class Guard:
    """The deterministic checks, for every language at once: a model may answer in a
    language other than the conversation's, and a claim is a claim in any of them."""

    def __init__(self, instructions: Iterable[str] = ()) -> None:
        self._claims = [
            (claim, re.compile(pattern, re.IGNORECASE))
            for by_claim in CLAIM_PATTERNS.values()
            for claim, patterns in by_claim.items()
            for pattern in patterns
        ]
        self._shingles: set[tuple[str, ...]] = set()
        self._prefixes: set[tuple[str, ...]] = set()
        for text in instructions:
            words = _words(text)
            for start in range(len(words) - LEAK_WORDS + 1):
                shingle = tuple(words[start : start + LEAK_WORDS])
                self._shingles.add(shingle)
                for size in range(1, LEAK_WORDS):
                    self._prefixes.add(shingle[:size])

    def claim(self, sentence: str, backing: Backing) -> Verdict | None:
        """The first unbacked claim the sentence makes, if any."""
        sentence = sentence.replace("\u2019", "'")
        for claim, pattern in self._claims:
            for match in pattern.finditer(sentence):
                if _denied(sentence, match.start(), match.end()):
                    continue
                if backing.backs(claim, match.group()):
                    continue
                return Verdict(claim, match.group())
        return None

    def leak(self, words: Sequence[str]) -> Verdict | None:
        for start in range(len(words) - LEAK_WORDS + 1):
            shingle = tuple(words[start : start + LEAK_WORDS])
            if shingle in self._shingles:
                return Verdict(Claim.PROMPT, " ".join(shingle))
        return None

    def live_prefix(self, words: Sequence[str]) -> int:
        """How many of the last words could be the start of a quoted instruction."""
        for size in range(min(LEAK_WORDS - 1, len(words)), 0, -1):
            if tuple(words[-size:]) in self._prefixes:
                return size
        return 0

    def check(self, text: str, backing: Backing) -> Verdict | None:
        """The whole-text check (a reply that is not streamed)."""
        screen = Screen(self, lambda: backing)
        screen.feed(text)
        screen.end()
        return screen.verdict

    def triggers(self, text: str) -> bool:
        return _TRIGGERS.search(text) is not None


def _denied(sentence: str, start: int, end: int) -> bool:
    clause_start = 0
    for found in _CLAUSE_BREAK.finditer(sentence, 0, start):
        clause_start = found.end()
    return _NEGATION.search(sentence, clause_start, end) is not None


class Screen:
    """One streamed answer through the guard: `feed` pieces, show what it returns,
    `end` when the answer ends; once `verdict` is set, nothing more is released.

    Words are read once, as they complete, so a long answer costs the guard time in
    proportion to its length, not to its length times its pieces.
    """

    def __init__(self, guard: Guard, backing: Callable[[], Backing]) -> None:
        self._guard = guard
        self._backing = backing
        self._text = ""
        self._released = 0
        self._judged = 0  # sentences before this offset have been checked
        self._words: list[str] = []  # the complete words so far, folded
        self._starts: list[int] = []  # where each of them starts in the text
        self._scanned = 0  # the text before this offset is in `_words`
        self._leak_checked = 0  # shingles ending before this word have been checked
        self.verdict: Verdict | None = None

    def feed(self, piece: str) -> str:
        if self.verdict is not None:
            return ""
        self._text += piece
        self._judge(final=False)
        if self.verdict is not None:
            return ""
        return self._release(self._limit())

    def end(self) -> str:
        if self.verdict is not None:
            return ""
        self._judge(final=True)
        if self.verdict is not None:
            return ""
        return self._release(len(self._text))

    def _judge(self, *, final: bool) -> None:
        text = self._text
        end = len(text) if final else self._last_sentence_end()
        if end > self._judged:
            for sentence in _sentences(text[self._judged : end]):
                verdict = self._guard.claim(sentence, self._backing())
                if verdict is not None:
                    self.verdict = verdict
                    return
            self._judged = end
        self._scan(len(text) if final else self._whole_words_end())
        first = max(self._leak_checked - LEAK_WORDS + 1, 0)
        self.verdict = self._guard.leak(self._words[first:])
        self._leak_checked = len(self._words)

    def _scan(self, upto: int) -> None:
        for found in _WORD.finditer(self._text, self._scanned, upto):
            self._words.append(unicodedata.normalize("NFKC", found.group()).casefold())
            self._starts.append(found.start())
        self._scanned = max(self._scanned, upto)

    def _whole_words_end(self) -> int:
        """Where the text's last complete word ends (a piece may end inside one)."""
        text = self._text
        if text and _WORD.match(text, len(text) - 1):
            return max(text.rfind(" "), text.rfind("\n")) + 1
        return len(text)

    def _last_sentence_end(self) -> int:
        end = 0
        for found in _SENTENCE_END.finditer(self._text, self._judged):
            end = found.end()
        return end

    def _limit(self) -> int:
        """How far the text may be shown now."""
        limit = self._whole_words_end()
        if self._guard.triggers(self._text[self._judged :]):
            limit = min(limit, self._judged)
        shown = bisect_left(self._starts, limit)  # the words that start before `limit`
        held = self._guard.live_prefix(self._words[max(shown - LEAK_WORDS, 0) : shown])
        if held:
            limit = min(limit, self._starts[shown - held])
        return max(limit, self._released)

    def _release(self, limit: int) -> str:
        shown = self._text[self._released : limit]
        self._released = limit
        return shown


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for found in _SENTENCE_END.finditer(text):
        parts.append(text[start : found.end()])
        start = found.end()
    if text[start:].strip():
        parts.append(text[start:])
    return [part for part in parts if part.strip()]
