# Katalog bahasa Indonesia. Kunci dan placeholder sama dengan locales/en.ftl.
# Register: polite "Anda", as Indonesian online shops use in customer service.
# The word the customer is told to type for a person is "CS" (customer service,
# what Indonesian shoppers call the support staff; see match-human). Bare "agen"
# and "admin" are left out on purpose: "agen JNE" is a courier drop-off point and
# "halo admin/min" is how many ordinary questions start.

## Conversation

greeting = Halo! Saya { $bot_name }. Silakan bertanya tentang pengiriman, pengembalian barang, pengembalian dana, pembayaran, pesanan, atau akun Anda, atau ketik "CS" kapan saja untuk chat dengan petugas kami.
welcome-back = Sama-sama! Ada lagi yang bisa saya bantu?
kb-not-sure = Saya kurang yakin memiliki jawaban yang tepat untuk itu, dan saya tidak ingin menebak. Apakah Anda ingin saya hubungkan dengan petugas dari tim kami? Cukup ketik "ya".
guard-blocked = Saya tidak dapat memastikannya sendiri, dan saya tidak ingin menyampaikan sesuatu yang tidak bisa saya periksa. Apakah Anda ingin petugas dari tim kami memeriksanya? Cukup ketik "ya".
kb-other-language = Jawaban ini hanya tersedia dalam { $article_language ->
    [en] bahasa Inggris
    [es] bahasa Spanyol
    [fr] bahasa Prancis
    [de] bahasa Jerman
    [pt] bahasa Portugis
    [it] bahasa Italia
    [nl] bahasa Belanda
    [tr] bahasa Turki
    [id] bahasa Indonesia
    [pl] bahasa Polandia
   *[other] bahasa lain
}:
handoff-waiting = Saya sedang menghubungkan Anda dengan petugas dari tim layanan pelanggan kami. Nomor tiket Anda adalah { $ticket }. Mohon tetap di chat ini: petugas kami akan membalas di sini.
handoff-declined = Baik, tidak masalah. Ada lagi yang bisa saya bantu?
fallback-error = Maaf, terjadi kesalahan di sistem saya. Saya sudah meminta petugas dari tim kami untuk mengambil alih; nomor tiket Anda adalah { $ticket }.
message-too-long = Pesan itu terlalu panjang untuk saya baca. Mohon tulis kurang dari { $limit } karakter.
rate-limited = Anda mengirim pesan lebih cepat daripada yang bisa saya jawab dengan baik. Semua yang Anda tulis sudah saya simpan; mohon tunggu satu menit sebelum pesan berikutnya.
busy = Kami sedang sangat sibuk saat ini. Pesan Anda akan dikirim ulang sebentar lagi.
fallback-unavailable = Maaf, saat ini saya tidak bisa menjawab karena ada gangguan di pihak kami. Silakan coba lagi dalam beberapa menit.
agent-joined = Petugas dari tim layanan pelanggan kami telah bergabung ke chat (tiket { $ticket }).
back-to-bot = Tim layanan pelanggan kami telah mengembalikan percakapan ini kepada saya. Ada lagi yang bisa saya bantu?
ticket-resolved = Tiket { $ticket } Anda sudah selesai ditangani. Jika Anda butuh bantuan lain, cukup tulis di sini.

## Handoff, ratings and channels

handoff-sla-missed = Terima kasih sudah menunggu. Tim kami membutuhkan waktu lebih lama dari biasanya untuk menangani tiket { $ticket } Anda. Anda masih dalam antrean dan kami sudah mengingatkan tim kami; sementara itu, Anda tetap bisa menulis di sini.
agent-label = { $name } (tim layanan pelanggan)
rating-ask = Bagaimana penilaian Anda terhadap bantuan yang Anda terima hari ini? Balas dengan angka dari 1 (buruk) sampai 5 (sangat baik).
rating-thanks = Terima kasih atas penilaian Anda! Jika Anda butuh bantuan lain, cukup tulis di sini.
text-only = Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda, nanti saya bantu.
chat-help = Cukup tulis pertanyaan Anda dengan kata-kata Anda sendiri: saya bisa membantu soal pesanan, pengiriman, pengembalian barang, pengembalian dana, pembayaran, dan akun Anda. Kirim /human kapan saja untuk chat dengan petugas dari tim kami.

## Orders

order-ask-number = Tentu, saya bisa cek. Berapa nomor pesanan Anda? Nomornya terdiri dari 5 digit dan tercantum di email konfirmasi Anda.
order-not-found = Saya tidak menemukan pesanan #{ $order }. Bisakah Anda cek kembali nomornya di email konfirmasi?
order-processing = Pesanan #{ $order } sedang disiapkan di gudang kami. Perkiraan tiba paling lambat { DATETIME($eta, dateStyle: "long") }.
order-packed = Pesanan #{ $order } sudah dikemas dan sedang menunggu kurir. Perkiraan tiba paling lambat { DATETIME($eta, dateStyle: "long") }.
order-shipped = Pesanan #{ $order } sedang dikirim melalui { $carrier } (nomor resi { $tracking }). Perkiraan tiba paling lambat { DATETIME($eta, dateStyle: "long") }.
order-out-for-delivery = Pesanan #{ $order } sedang diantar oleh kurir { $carrier } dan seharusnya tiba hari ini.
order-delivered = Pesanan #{ $order } telah diantar pada { DATETIME($delivered, dateStyle: "long") }. Jika Anda tidak menemukannya, ketik "CS" dan petugas kami akan membantu.
order-cancelled = Pesanan #{ $order } sudah dibatalkan, jadi tidak akan dikirim.

## Refunds and cancellations

refund-not-delivered = Pesanan #{ $order } belum sampai, jadi belum ada dana yang bisa dikembalikan. Jika Anda tidak menginginkannya lagi, saya bisa membantu membatalkannya selama pesanan masih disiapkan.
refund-cancelled = Pesanan #{ $order } sudah dibatalkan, dan pembayarannya telah dikembalikan ke metode pembayaran awal saat pembatalan.
refund-window-passed = Pesanan #{ $order } telah diantar pada { DATETIME($delivered, dateStyle: "long") }, lebih dari { $days } hari yang lalu, jadi sudah melewati batas waktu pengembalian kami.
refund-eligible = Pesanan #{ $order } bisa dikembalikan dengan pengembalian dana hingga { NUMBER($amount, style: "currency", currency: "USD") }. Ajukan pengembalian dari halaman Pesanan; dana akan dikembalikan dalam 2 hari kerja setelah barang retur sampai di gudang kami.
refund-needs-person = Pengembalian dana sebesar { NUMBER($amount, style: "currency", currency: "USD") } untuk pesanan #{ $order } perlu ditinjau oleh petugas dari tim kami, jadi tiket Anda saya teruskan kepada mereka.
cancel-confirm = Pesanan #{ $order } masih disiapkan, jadi masih bisa dibatalkan. Apakah Anda ingin saya membatalkannya sekarang? Mohon jawab ya atau tidak.
cancel-done = Selesai: pesanan #{ $order } sudah dibatalkan. Dana akan dikembalikan ke metode pembayaran awal Anda; bank biasanya butuh 5-7 hari kerja sampai dana terlihat.
cancel-kept = Baik, pesanan #{ $order } tetap seperti semula.
cancel-too-late = Pesanan #{ $order } { $status ->
    [packed] sudah dikemas
    [shipped] sudah dalam perjalanan
    [out_for_delivery] sudah dalam proses pengantaran
    [delivered] sudah diantar
    [cancelled] sudah dibatalkan
   *[other] sudah tidak bisa diubah lagi
}, jadi tidak bisa dibatalkan lagi. Setelah pesanan tiba, Anda bisa mengembalikannya dalam 30 hari.
cancel-failed = Saya tidak berhasil membatalkan pesanan #{ $order } di sistem kami, jadi hal ini saya teruskan ke petugas dari tim kami.

## Limits of the bot

out-of-scope = Saya hanya bisa membantu seputar toko kami: pesanan, pengiriman, pengembalian barang, pengembalian dana, pembayaran, dan akun Anda. Ada yang bisa saya bantu terkait hal tersebut? Anda juga bisa mengetik "CS" untuk chat dengan petugas kami.
kill-switch = Terima kasih atas pesan Anda. Asisten otomatis kami sedang dijeda, jadi petugas dari tim kami akan membalas Anda di sini secepatnya. Nomor tiket Anda adalah { $ticket }.

## Web chat widget

ui-title = Bantuan { $bot_name }
ui-placeholder = Ketik pesan Anda…
ui-send = Kirim
ui-close = Tutup chat
ui-open = Chat dengan kami
ui-connecting = Menghubungkan…
ui-reconnecting = Koneksi terputus. Menghubungkan ulang…
ui-typing = { $bot_name } sedang mengetik
ui-source = Sumber
ui-agent = Petugas CS
ui-bot = { $bot_name }

## Phrases the customer may use, comma-separated, matched as whole words
## without case or accents. Not shown to customers.

match-human = cs, petugas cs, agen cs, admin cs, customer service, layanan pelanggan, manusia, orang asli, orang sungguhan, orang beneran, bicara dengan orang, berbicara dengan orang, ngobrol dengan orang, bicara sama orang, ngomong sama orang, bicara dengan petugas, hubungkan dengan petugas, sambungkan ke petugas, bicara dengan agen, hubungkan ke agen, sambungkan ke agen, agen manusia, bicara dengan admin, chat dengan admin, admin asli, live agent, live chat
match-yes = ya, iya, iyaa, ya boleh, boleh, oke, ok, okay, baik, siap, tentu, tentu saja, yup, ya silakan, silakan, lanjut, mau, ya mau, betul
match-no = tidak, tidak usah, tidak perlu, tidak terima kasih, nggak, ngga, gak, ga, enggak, engga, gak usah, ga usah, nggak usah, nanti saja, nanti aja, jangan
match-greeting = halo, hallo, hai, hi, hello, selamat pagi, selamat siang, selamat sore, selamat malam, pagi, siang, sore, malam, permisi, assalamualaikum, halo kak, halo min
match-thanks = terima kasih, terimakasih, terima kasih banyak, makasih, makasih ya, makasih banyak, thanks, thank you, thx, tq, trims, oke makasih
match-legal = pengacara, kuasa hukum, advokat, gugat, menggugat, gugatan, tuntut, menuntut, tuntutan hukum, jalur hukum, ranah hukum, lapor polisi, pengadilan, somasi, ylki, bpsk, perlindungan konsumen, uu perlindungan konsumen, kemendag, chargeback
match-frustration = penipuan, penipu, kecewa berat, sangat kecewa, parah banget, mengecewakan, keterlaluan, buruk sekali, tidak bisa diterima
match-rating-words = parah, buruk, lumayan, bagus, luar biasa
