/* Parsing inbound email (mail/mime_in.c) on the corpus of tests/mail/:
 * addresses, encodings, threading headers, loop signs, bodies, the cut of
 * the quoted history and attachments. */
#include <criterion/criterion.h>
#include <string.h>

#include "mail/mime_in.h"
#include "mail_corpus.h"

static arena *a;

static void setup(void)
{
	a = arena_new(65536);
}

static void teardown(void)
{
	arena_free(a);
}

TestSuite(mime_in, .init = setup, .fini = teardown);

static struct inbound_msg parse(const char *name)
{
	size_t len;
	char *raw = corpus_load(name, NULL, &len);
	struct inbound_msg m;
	cr_assert_eq(mime_in_parse(raw, len, NULL, a, &m), 0, "%s", name);
	free(raw);
	return m;
}

Test(mime_in, reads_sender_recipients_subject_and_message_id)
{
	struct inbound_msg m = parse("new-utf8.eml");
	cr_assert_str_eq(m.from_address, "cliente@exemplo.com.br");
	cr_assert_str_eq(m.from_name, "Maria Souza");
	cr_assert_str_eq(m.subject, "Site fora do ar desde ontem");
	cr_assert_str_eq(m.message_id, "msg-1@test.example");
	cr_assert_geq(m.nrecipients, 2); /* To and Delivered-To */
	cr_assert_str_eq(m.recipients[0], "suporte@exemplo.com.br");
	cr_assert_null(m.in_reply_to);
	cr_assert_null(m.auto_submitted);
}

Test(mime_in, cuts_the_signature_and_keeps_the_whole_text)
{
	struct inbound_msg m = parse("new-utf8.eml");
	cr_assert(strstr(m.text, "(11) 99999-0000"));
	cr_assert_null(strstr(m.reply, "99999"));
	cr_assert(strstr(m.reply, "Erro 500 — Internal Server Error"), "%s", m.reply);
}

Test(mime_in, decodes_iso_8859_1_encoded_words_and_quoted_printable)
{
	struct inbound_msg m = parse("new-latin1.eml");
	cr_assert_str_eq(m.subject, "Cobrança em duplicidade");
	cr_assert_str_eq(m.from_name, "João Gonçalves");
	cr_assert(strstr(m.text, "fatura de março duas vezes. Poderiam verificar a cobrança?"),
	          "%s", m.text);
}

Test(mime_in, reads_windows_1252_bytes_labelled_latin_1)
{
	struct inbound_msg m = parse("new-cp1252.eml");
	cr_assert(strstr(m.text, "“Falha na autenticação”"), "%s", m.text);
	cr_assert(strstr(m.text, "€ 49,90 no plano – e nada"), "%s", m.text);
}

Test(mime_in, reads_in_reply_to_and_cuts_gmail_pt_br_history)
{
	struct inbound_msg m = parse("gmail-reply.eml");
	cr_assert_str_eq(m.in_reply_to, "sent-1@test.example");
	cr_assert_eq(m.nreferences, 1);
	cr_assert_str_eq(m.reply, "Obrigada! Voltou a funcionar.");
	cr_assert(!m.from_html);
	cr_assert(strstr(m.html_text, "##- Por favor, responda acima desta linha -##"));
}

Test(mime_in, cuts_thunderbird_history_and_keeps_references_in_order)
{
	struct inbound_msg m = parse("thunderbird-reply.eml");
	cr_assert_eq(m.nreferences, 2);
	cr_assert_str_eq(m.references[1], "sent-1@test.example");
	cr_assert_str_eq(m.reply, "Ainda está lento à noite, podem olhar\nde novo?");
}

Test(mime_in, cuts_an_outlook_header_block_and_keeps_the_ref_in_the_text)
{
	struct inbound_msg m = parse("outlook-reply.eml");
	cr_assert_str_eq(m.reply, "Segue o print do erro que aparece agora.\n\nAtt.,\nMaria");
	cr_assert(strstr(m.text, "Ref: T100000-000000000000"));
	cr_assert_null(m.in_reply_to);
}

Test(mime_in, turns_an_html_only_body_into_text_and_cuts_its_quote)
{
	struct inbound_msg m = parse("html-only-reply.eml");
	cr_assert(m.from_html);
	cr_assert_null(strstr(m.text, "color:red"), "style must go: %s", m.text);
	cr_assert(strstr(m.reply, "Pode fechar o ticket, obrigada & até mais!"), "%s", m.reply);
	cr_assert(strstr(m.reply, "- site ok\n- e-mail ok"), "%s", m.reply);
	cr_assert_null(strstr(m.reply, "Respondemos"), "%s", m.reply);
	cr_assert(strstr(m.text, "> Ref: T100000-000000000000"), "%s", m.text);
}

Test(mime_in, marks_a_forward_and_keeps_its_text)
{
	struct inbound_msg m = parse("forwarded.eml");
	cr_assert(m.forwarded);
	cr_assert(strstr(m.text, "expira em 7 dias"));
}

Test(mime_in, collects_attachments_and_inline_images)
{
	struct inbound_msg m = parse("attachments.eml");
	cr_assert_eq(m.nattachments, 4);
	cr_assert_str_eq(m.attachments[0].filename, "");
	cr_assert_str_eq(m.attachments[0].name, "imagem-1.png"); /* made from its type */
	cr_assert_str_eq(m.attachments[1].name, "erro.png");
	cr_assert(m.attachments[0].inline_part);
	cr_assert_str_eq(m.attachments[0].content_type, "image/png");
	cr_assert_str_eq(m.attachments[1].filename, "erro.png");
	cr_assert_eq(m.attachments[1].len, 70);
	cr_assert_str_eq(m.attachments[2].filename, "fatura março.pdf");
	cr_assert_eq(memcmp(m.attachments[2].data, "%PDF-1.4", 8), 0);
	cr_assert_str_eq(m.attachments[3].filename, "programa.exe");
	cr_assert(strstr(m.text, "Seguem os prints."));
}

Test(mime_in, sees_loop_signs)
{
	struct inbound_msg b = parse("bounce.eml");
	cr_assert(b.null_return_path);
	cr_assert(b.delivery_report);
	cr_assert_str_eq(b.from_address, "MAILER-DAEMON@mx.exemplo.com.br");
	struct inbound_msg r = parse("autoreply.eml");
	cr_assert_str_eq(r.auto_submitted, "auto-replied");
	struct inbound_msg p = parse("bulk.eml");
	cr_assert_str_eq(p.precedence, "bulk");
	struct inbound_msg x = parse("x-autoreply.eml");
	cr_assert(x.x_autoreply);
}

Test(mime_in, a_message_without_message_id_has_none)
{
	struct inbound_msg m = parse("no-message-id.eml");
	cr_assert_null(m.message_id);
}

Test(mime_in, the_cut_keeps_everything_when_nothing_is_above_the_history)
{
	const char *t =
	    mime_in_cut_quoted(a, "On Tue, 5 Mar 2024 at 10:00, X wrote:\n> hi\n\nmy answer below");
	cr_assert_str_eq(t, "On Tue, 5 Mar 2024 at 10:00, X wrote:\n> hi\n\nmy answer below");
}

Test(mime_in, the_cut_does_not_take_a_sentence_that_starts_with_on)
{
	const char *t =
	    mime_in_cut_quoted(a, "On my site the form fails.\nThe log wrote:\nerror 42");
	cr_assert_str_eq(t, "On my site the form fails.\nThe log wrote:\nerror 42");
}

Test(mime_in, the_cut_drops_our_marker_and_mobile_footers)
{
	const char *t = mime_in_cut_quoted(a, "ok, thanks\n\nEnviado do meu iPhone\n\n> ##- Please "
	                                      "type your reply above this line -##\n> text");
	cr_assert_str_eq(t, "ok, thanks");
}

Test(mime_in, html_entities_and_breaks_become_text)
{
	const char *h =
	    "<p>a&nbsp;&lt;b&gt; &#233;&#x20AC; &bogus; 3 < 4</p><br/>x<script>alert(1)</script>";
	const char *t = mime_in_html_to_text(a, h, strlen(h), 1000);
	cr_assert_str_eq(t, "a <b> é€ &bogus; 3 < 4\n\nx");
}

Test(mime_in, invalid_utf8_becomes_replacement_characters)
{
	const char *t = mime_in_to_utf8(a, "ok\xff\xc3(\r\nend", 10, "utf-8");
	cr_assert_str_eq(t, "ok\xef\xbf\xbd\xef\xbf\xbd(\nend");
}

Test(mime_in, garbage_parses_to_an_empty_message_without_crashing)
{
	struct inbound_msg m;
	static const char junk[] = "\x00\x01\x02 not a message \xff\xfe";
	int rc = mime_in_parse(junk, sizeof junk - 1, NULL, a, &m);
	cr_assert(rc == -1 || *m.from_address == '\0');
}

Test(mime_in, nesting_past_the_cap_is_skipped_not_followed)
{
	char raw[20000];
	size_t n = (size_t)snprintf(raw, sizeof raw, "From: a@b.example\nMIME-Version: 1.0\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(raw + n, sizeof raw - n,
		                      "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n",
		                      i, i);
	n += (size_t)snprintf(raw + n, sizeof raw - n, "Content-Type: text/plain\n\ndeep\n");
	struct mime_in_limits l;
	mime_in_limits_default(&l);
	l.max_depth = 5;
	struct inbound_msg m;
	cr_assert_eq(mime_in_parse(raw, n, &l, a, &m), 0);
	cr_assert_gt(m.parts_skipped, 0);
	cr_assert_null(strstr(m.text, "deep"));
}

Test(mime_in, reports_cc_and_an_outlook_out_of_office)
{
	static const char raw[] = "From: Ana <ana@cliente.example>\r\n"
	                          "To: suporte@exemplo.com.br\r\n"
	                          "Cc: Chefe <chefe@cliente.example>, ti@cliente.example\r\n"
	                          "Subject: =?utf-8?Q?Resposta_autom=C3=A1tica:_Chamado?=\r\n"
	                          "X-Auto-Response-Suppress: All\r\n\r\nFora.\r\n";
	struct inbound_msg m;
	cr_assert_eq(mime_in_parse(raw, sizeof raw - 1, NULL, a, &m), 0);
	cr_assert_eq(m.ncc, 2);
	cr_assert_str_eq(m.cc[0], "chefe@cliente.example");
	cr_assert_str_eq(m.cc[1], "ti@cliente.example");
	cr_assert_eq(m.nrecipients, 3); /* To and Cc, as before */
	cr_assert_str_eq(m.x_auto_response_suppress, "All");
	cr_assert(m.looks_auto_reply);
}
