# Türkçe katalog. locales/en.ftl ile aynı anahtarlar ve aynı yer tutucular.
# Register: polite "siz", as Turkish online shops address their customers.
# The word the customer is told to type for a person is "temsilci" (see match-human).
# Matching folds case and accents but keeps the dotless "ı", so phrases with "ı"
# are listed both with "ı" and with "i".

## Conversation

greeting = Merhaba! Ben { $bot_name }. Kargo, iade, para iadesi, ödeme, siparişleriniz veya hesabınız hakkında bana soru sorabilirsiniz. Ekibimizden biriyle görüşmek için istediğiniz zaman "temsilci" yazabilirsiniz.
welcome-back = Rica ederim! Size yardımcı olabileceğim başka bir konu var mı?
kb-not-sure = Bu konuda doğru cevabı verebileceğimden emin değilim ve tahminde bulunmak istemiyorum. Sizi ekibimizden biriyle görüştürmemi ister misiniz? Sadece "evet" yazmanız yeterli.
guard-blocked = Bunu kendim doğrulayamıyorum ve kontrol edemediğim bir şeyi söylemek istemem. Ekibimizden birinin buna bakmasını ister misiniz? Sadece "evet" yazmanız yeterli.
kb-other-language = Bu yanıt yalnızca { $article_language ->
    [en] İngilizce olarak
    [es] İspanyolca olarak
    [fr] Fransızca olarak
    [de] Almanca olarak
    [pt] Portekizce olarak
    [it] İtalyanca olarak
    [nl] Hollandaca olarak
    [tr] Türkçe olarak
    [id] Endonezce olarak
    [pl] Lehçe olarak
   *[other] başka bir dilde
} mevcut:
handoff-waiting = Destek ekibimizden birini görüşmeye dahil ediyorum. Talep numaranız: { $ticket }. Lütfen bu sohbetten ayrılmayın; yanıt doğrudan buraya gelecek.
handoff-declined = Sorun değil. Başka hangi konuda yardımcı olabilirim?
fallback-error = Üzgünüm, benim tarafımda bir sorun oluştu. Ekibimizden birinin konuyu devralmasını istedim; talep numaranız: { $ticket }.
message-too-long = Bu mesaj benim için çok uzun. Lütfen { $limit } karakterden kısa bir mesaj yazın.
rate-limited = Mesajlarınızı iyi yanıtlayabileceğimden daha hızlı gönderiyorsunuz. Yazdığınız her şeyi sakladım; lütfen bir sonrakinden önce bir dakika bekleyin.
busy = Şu anda yoğunluk yaşıyoruz. Mesajınız birazdan tekrar gönderilecek.
fallback-unavailable = Üzgünüm, bizden kaynaklanan bir sorun nedeniyle şu anda yanıt veremiyorum. Lütfen birkaç dakika sonra tekrar deneyin.
agent-joined = Destek ekibimizden biri sohbete katıldı (talep numarası: { $ticket }).
back-to-bot = Destek ekibimiz sizi tekrar bana yönlendirdi. Başka hangi konuda yardımcı olabilirim?
ticket-resolved = { $ticket } numaralı talebiniz çözüldü. Başka bir konuda yardıma ihtiyacınız olursa buraya yazmanız yeterli.

## Handoff, ratings and channels

handoff-sla-missed = Beklediğiniz için teşekkür ederiz. Ekibimizin { $ticket } numaralı talebinizi üstlenmesi her zamankinden uzun sürüyor. Hâlâ sıradasınız ve ekibimize hatırlatma yaptık; bu sırada buraya yazmaya devam edebilirsiniz.
agent-label = { $name } (destek ekibi)
rating-ask = Bugün aldığınız yardımı nasıl değerlendirirsiniz? Lütfen 1 (kötü) ile 5 (mükemmel) arasında bir sayıyla yanıt verin.
rating-thanks = Değerlendirmeniz için teşekkür ederiz! Başka bir konuda yardıma ihtiyacınız olursa buraya yazmanız yeterli.
text-only = Üzgünüm, yalnızca metin mesajlarını okuyabiliyorum. Lütfen sorunuzu yazın, size yardımcı olayım.
chat-help = Sorunuzu kendi cümlelerinizle yazmanız yeterli: siparişler, kargo, iadeler, para iadeleri, ödemeler ve hesabınız konusunda yardımcı olabilirim. Ekibimizden biriyle görüşmek için istediğiniz zaman /human gönderebilirsiniz.

## Orders

order-ask-number = Tabii, hemen kontrol edebilirim. Sipariş numaranız nedir? Numara 5 haneli ve onay e-postanızda yer alıyor.
order-not-found = #{ $order } numaralı siparişi bulamadım. Onay e-postanızdaki numarayı kontrol edebilir misiniz?
order-processing = #{ $order } numaralı siparişiniz depomuzda hazırlanıyor. { DATETIME($eta, dateStyle: "long") } tarihine kadar size ulaşması bekleniyor.
order-packed = #{ $order } numaralı siparişiniz paketlendi ve kargo firmasını bekliyor. { DATETIME($eta, dateStyle: "long") } tarihine kadar size ulaşması bekleniyor.
order-shipped = #{ $order } numaralı siparişiniz { $carrier } ile yola çıktı (takip numarası: { $tracking }). { DATETIME($eta, dateStyle: "long") } tarihine kadar size ulaşması bekleniyor.
order-out-for-delivery = #{ $order } numaralı siparişiniz { $carrier } ile dağıtıma çıktı ve bugün size ulaşması bekleniyor.
order-delivered = #{ $order } numaralı siparişiniz { DATETIME($delivered, dateStyle: "long") } tarihinde teslim edildi. Siparişinizi bulamıyorsanız "temsilci" yazın, ekibimizden biri size yardımcı olsun.
order-cancelled = #{ $order } numaralı sipariş iptal edildi, bu nedenle gönderilmeyecek.

## Refunds and cancellations

refund-not-delivered = #{ $order } numaralı sipariş henüz teslim edilmedi, bu yüzden şimdilik iade edilecek bir tutar yok. Siparişi artık istemiyorsanız, hâlâ hazırlanırken iptal etmenize yardımcı olabilirim.
refund-cancelled = #{ $order } numaralı sipariş iptal edildi ve ödemesi, iptal sırasında orijinal ödeme yönteminize iade edildi.
refund-window-passed = #{ $order } numaralı sipariş { DATETIME($delivered, dateStyle: "long") } tarihinde, yani { $days } günden daha uzun süre önce teslim edildi; bu nedenle iade süremiz dolmuş durumda.
refund-eligible = #{ $order } numaralı siparişi iade ederek { NUMBER($amount, style: "currency", currency: "USD") } tutarına kadar para iadesi alabilirsiniz. İadeyi Siparişlerim sayfasından başlatın; iade depomuza ulaştıktan sonra para iadesi 2 iş günü içinde yapılır.
refund-needs-person = #{ $order } numaralı sipariş için { NUMBER($amount, style: "currency", currency: "USD") } tutarındaki para iadesini ekibimizden biri inceliyor, bu yüzden talebinizi ekibimize aktarıyorum.
cancel-confirm = #{ $order } numaralı sipariş hâlâ hazırlanıyor, yani iptal edilebilir. Şimdi iptal etmemi ister misiniz? Lütfen evet ya da hayır şeklinde yanıt verin.
cancel-done = Tamamdır: #{ $order } numaralı sipariş iptal edildi. Ödemeniz orijinal ödeme yönteminize iade edilecek; bankaların bunu hesabınıza yansıtması 5-7 iş günü sürer.
cancel-kept = Peki, #{ $order } numaralı sipariş olduğu gibi kalıyor.
cancel-too-late = #{ $order } numaralı sipariş { $status ->
    [packed] zaten paketlendi
    [shipped] zaten yola çıktı
    [out_for_delivery] zaten dağıtıma çıktı
    [delivered] zaten teslim edildi
    [cancelled] zaten iptal edildi
   *[other] artık değiştirilemeyecek bir aşamada
}, bu nedenle artık iptal edilemiyor. Siparişiniz elinize ulaştıktan sonra 30 gün içinde iade edebilirsiniz.
cancel-failed = #{ $order } numaralı siparişi sistemimizde iptal edemedim, bu yüzden konuyu ekibimizden birine aktarıyorum.

## Limits of the bot

out-of-scope = Yalnızca mağazamızla ilgili konularda yardımcı olabiliyorum: siparişler, kargo, iadeler, para iadeleri, ödemeler ve hesabınız. Bu konulardan birinde yardımcı olabileceğim bir şey var mı? Ekibimizden biriyle görüşmek için "temsilci" de yazabilirsiniz.
kill-switch = Mesajınız için teşekkür ederiz. Otomatik asistanımız şu anda geçici olarak durduruldu, bu yüzden ekibimizden biri size en kısa sürede buradan yanıt verecek. Talep numaranız: { $ticket }.

## Web chat widget

ui-title = { $bot_name } Destek
ui-placeholder = Mesajınızı yazın…
ui-send = Gönder
ui-close = Sohbeti kapat
ui-open = Bize yazın
ui-connecting = Bağlanıyor…
ui-reconnecting = Bağlantı kesildi. Yeniden bağlanıyor…
ui-typing = { $bot_name } yazıyor
ui-source = Kaynak
ui-agent = Müşteri temsilcisi
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = temsilci, bir temsilci, temsilciye, temsilciyle, temsilci ile, müşteri temsilcisi, müşteri temsilcisine, müşteri temsilcisiyle, canlı destek, canli destek, canlı desteğe, canli destege, canlı destekle, canli destekle, yetkili biri, yetkili biriyle, yetkiliyle, yetkili kişi, yetkili kişiyle, gerçek kişi, gerçek bir kişi, gerçek bir kişiyle, gerçek insan, gerçek bir insan, gerçek bir insanla, bir insanla, insanla görüşmek, insanla konuşmak, biriyle görüşmek, biriyle konuşmak, operatör, operatöre, operatörle, müşteri hizmetleri, müşteri hizmetlerine, müşteri hizmetleriyle, çağrı merkezi, cagri merkezi
match-yes = evet, evet lütfen, evt, tamam, tamamdır, tamamdir, olur, tabii, tabi, tabii ki, tabiki, elbette, ok, okey, peki, lütfen, aynen, olur lütfen
match-no = hayır, hayir, hayır teşekkürler, hayir tesekkurler, hayır gerek yok, hayir gerek yok, gerek yok, şimdi değil, istemiyorum, yok, yok teşekkürler, vazgeçtim, kalsın, kalsin
match-greeting = merhaba, merhabalar, selam, selamlar, slm, mrb, iyi günler, günaydın, gunaydin, iyi akşamlar, selamün aleyküm, sa
match-thanks = teşekkürler, teşekkür ederim, çok teşekkürler, çok teşekkür ederim, sağ olun, sağolun, sağ ol, sağol, eyvallah, tşk, tşkler, mersi
match-legal = avukat, avukata, avukatım, avukatim, avukatımla, avukatimla, dava, dava açacağım, dava acacagim, dava açmak, dava acmak, mahkeme, mahkemeye, tüketici hakem heyeti, hakem heyeti, hakem heyetine, tüketici mahkemesi, tüketici hakları, tuketici haklari, tüketici hakem heyetine, şikayetvar, ticaret bakanlığı, ticaret bakanligi, cimer, ters ibraz, chargeback, kvkk, icra
match-frustration = rezalet, berbat, dolandirici, dolandırıcı, dolandiricilik, dolandırıcılık, kabul edilemez, saçma, sacma, skandal, bir daha asla, çok sinirliyim, cok sinirliyim
match-rating-words = berbat, kötü, orta, iyi, mükemmel
