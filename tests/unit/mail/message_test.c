/* Building outgoing emails: every message built here is parsed back with
 * GMime and checked header by header, part by part. */
#include "mail/message.h"

#include <criterion/criterion.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>

static const char pt_subject[] = "Redefinição de senha — Área do Cliente";

static void setup(void)
{
	mail_init();
}

TestSuite(message, .init = setup);

static struct mail_message sample(void)
{
	return (struct mail_message){
	    .from = "Suporte Exemplo <suporte@exemplo.com.br>",
	    .to = "\"Conceição, Ana\" <ana@example.com>",
	    .subject = pt_subject,
	    .text = "Olá Ana,\nabra o link: https://exemplo.com.br/reset?t=abc\n",
	    .html = "<p>Olá <b>Ana</b></p>\n",
	    .message_id = "0123abcd@exemplo.com.br",
	    .extra_headers = NULL,
	    .date = 1700000000,
	};
}

/* Builds m; the caller frees the bytes. */
static char *build(const struct mail_message *m)
{
	buf out;
	buf_init(&out, 1 << 20);
	char err[256] = "";
	cr_assert_eq(mail_message_build(m, &out, NULL, err, sizeof err), 0, "build failed: %s", err);
	return buf_take(&out);
}

static GMimeMessage *parse(const char *bytes)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, strlen(bytes));
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	cr_assert_not_null(msg, "GMime could not parse:\n%s", bytes);
	return msg;
}

/* The decoded content of a leaf part; the caller g_free()s it. */
static char *part_text(GMimeObject *part)
{
	cr_assert(GMIME_IS_TEXT_PART(part));
	return g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

static void expect_content_type(GMimeObject *part, const char *type, const char *charset)
{
	char *mime_type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(part));
	cr_expect_str_eq(mime_type, type);
	g_free(mime_type);
	if (charset)
		cr_expect_str_eq(g_mime_object_get_content_type_parameter(part, "charset"),
		                 charset);
}

Test(message, encodes_a_pt_br_subject_that_parses_back_to_the_same_text)
{
	struct mail_message m = sample();
	char *bytes = build(&m);
	const char *subject_line = strstr(bytes, "\r\nSubject: ");
	cr_assert_not_null(subject_line);
	const char *eol = strstr(subject_line + 2, "\r\n");
	for (const char *p = subject_line; p < eol; p++)
		cr_expect((unsigned char)*p < 0x80, "the header holds only ASCII (RFC 2047 words)");
	cr_expect(strstr(subject_line, "=?UTF-8?") || strstr(subject_line, "=?utf-8?"),
	          "encoded words in UTF-8: %.*s", (int)(eol - subject_line), subject_line);
	GMimeMessage *msg = parse(bytes);
	cr_expect_str_eq(g_mime_message_get_subject(msg), pt_subject);
	g_object_unref(msg);
	free(bytes);
}

Test(message, parses_back_with_every_header_and_both_parts)
{
	struct mail_message m = sample();
	char *bytes = build(&m);
	GMimeMessage *msg = parse(bytes);
	GMimeObject *top = GMIME_OBJECT(msg);

	InternetAddressList *from = g_mime_message_get_from(msg);
	cr_assert_eq(internet_address_list_length(from), 1);
	InternetAddress *f = internet_address_list_get_address(from, 0);
	cr_expect_str_eq(internet_address_get_name(f), "Suporte Exemplo");
	cr_expect_str_eq(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(f)),
	                 "suporte@exemplo.com.br");
	InternetAddressList *to = g_mime_message_get_to(msg);
	cr_assert_eq(internet_address_list_length(to), 1);
	InternetAddress *t = internet_address_list_get_address(to, 0);
	cr_expect_str_eq(internet_address_get_name(t), "Conceição, Ana");
	cr_expect_str_eq(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(t)),
	                 "ana@example.com");

	GDateTime *date = g_mime_message_get_date(msg);
	cr_assert_not_null(date, "a Date header");
	cr_expect_eq(g_date_time_to_unix(date), 1700000000);
	cr_expect_str_eq(g_mime_message_get_message_id(msg), "0123abcd@exemplo.com.br");
	cr_expect(strstr(bytes, "\r\nMessage-Id: <0123abcd@exemplo.com.br>\r\n"), "%s", bytes);
	cr_expect_str_eq(g_mime_object_get_header(top, "MIME-Version"), "1.0");
	cr_expect_null(g_mime_object_get_header(top, "Auto-Submitted"));

	GMimeObject *body = g_mime_message_get_mime_part(msg);
	cr_assert(GMIME_IS_MULTIPART(body));
	expect_content_type(body, "multipart/alternative", NULL);
	GMimeMultipart *alternative = GMIME_MULTIPART(body);
	cr_assert_eq(g_mime_multipart_get_count(alternative), 2);
	GMimeObject *plain = g_mime_multipart_get_part(alternative, 0);
	GMimeObject *html = g_mime_multipart_get_part(alternative, 1);
	expect_content_type(plain, "text/plain", "utf-8");
	expect_content_type(html, "text/html", "utf-8");
	cr_expect_eq(g_mime_part_get_content_encoding(GMIME_PART(plain)),
	             GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	char *text = part_text(plain);
	char *rich = part_text(html);
	/* Our line ends went out as CRLF; they come back as CRLF. */
	cr_expect_str_eq(text, "Olá Ana,\r\nabra o link: https://exemplo.com.br/reset?t=abc\r\n");
	cr_expect_str_eq(rich, "<p>Olá <b>Ana</b></p>\r\n");
	g_free(text);
	g_free(rich);
	g_object_unref(msg);
	free(bytes);
}

Test(message, ends_every_line_in_crlf)
{
	struct mail_message m = sample();
	m.text = "one\ntwo\r\nthree\rfour";
	char *bytes = build(&m);
	for (const char *p = bytes; *p; p++) {
		if (*p == '\n')
			cr_assert(p > bytes && p[-1] == '\r', "a bare LF at byte %zu",
			          (size_t)(p - bytes));
		if (*p == '\r')
			cr_assert(p[1] == '\n', "a bare CR at byte %zu", (size_t)(p - bytes));
	}
	free(bytes);
}

Test(message, a_text_only_email_is_one_text_plain_part)
{
	struct mail_message m = sample();
	m.html = NULL;
	char *bytes = build(&m);
	GMimeMessage *msg = parse(bytes);
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	cr_assert(GMIME_IS_TEXT_PART(body));
	expect_content_type(body, "text/plain", "utf-8");
	cr_expect_null(strstr(bytes, "multipart"));
	g_object_unref(msg);
	free(bytes);
}

Test(message, adds_the_stored_extra_headers)
{
	struct mail_message m = sample();
	m.extra_headers =
	    "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n"
	    "In-Reply-To: <a1@exemplo.com.br>\r\nReferences: <a0@x> <a1@exemplo.com.br>\r\n";
	char *bytes = build(&m);
	GMimeMessage *msg = parse(bytes);
	GMimeObject *top = GMIME_OBJECT(msg);
	cr_expect_str_eq(g_mime_object_get_header(top, "Auto-Submitted"), "auto-generated");
	cr_expect_str_eq(g_mime_object_get_header(top, "X-Auto-Response-Suppress"), "All");
	cr_expect_str_eq(g_mime_object_get_header(top, "In-Reply-To"), "<a1@exemplo.com.br>");
	cr_expect_str_eq(g_mime_object_get_header(top, "References"), "<a0@x> <a1@exemplo.com.br>");
	g_object_unref(msg);
	free(bytes);
}

Test(message, encodes_a_non_ascii_display_name_and_keeps_an_ascii_one_readable)
{
	struct mail_message m = sample();
	m.to = "João Araújo <joao@example.com>";
	char *bytes = build(&m);
	const char *to = strstr(bytes, "\r\nTo: ");
	cr_assert_not_null(to);
	cr_expect_null(strstr(bytes, "João"), "no raw UTF-8 in headers");
	cr_expect(strstr(bytes, "\r\nFrom: Suporte Exemplo <suporte@exemplo.com.br>\r\n"), "%s",
	          bytes);
	GMimeMessage *msg = parse(bytes);
	InternetAddress *t = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
	cr_expect_str_eq(internet_address_get_name(t), "João Araújo");
	g_object_unref(msg);
	free(bytes);
}

Test(message, refuses_bad_addresses_and_header_lines)
{
	char err[256];
	buf out;
	buf_init(&out, 1 << 20);
	struct mail_message m = sample();
	m.to = "not an address";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "To"), "%s", err);
	m = sample();
	m.to = "a@example.com, nope";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1, "every recipient an address");
	m = sample();
	m.to = "Equipe: a@example.com;";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1, "no groups");
	m = sample();
	m.extra_headers = "Subject: replaced\r\n";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	m.extra_headers = "Bad Name: x\r\n";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	m = sample();
	m.message_id = "<with@brackets>";
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	cr_expect_eq(out.len, 0, "nothing written on failure");
	buf_free(&out);
}

Test(message, sends_one_email_to_several_recipients)
{
	char err[256];
	buf out;
	buf_init(&out, 1 << 20);
	struct mail_message m = sample();
	m.to = "\"Letícia\" <agente1@example.com>, agente2@example.com";
	cr_assert_eq(mail_message_build(&m, &out, NULL, err, sizeof err), 0, "%s", err);
	const char *to = strstr(buf_str(&out), "\r\nTo: ");
	cr_assert(to, "a To header");
	const char *end = strstr(to + 2, "\r\n");
	while (end && (end[2] == ' ' || end[2] == '\t')) /* folded */
		end = strstr(end + 2, "\r\n");
	cr_assert(end);
	char header[512];
	snprintf(header, sizeof header, "%.*s", (int)(end - to), to);
	cr_expect(strstr(header, "agente1@example.com"), "%s", header);
	cr_expect(strstr(header, "agente2@example.com"), "%s", header);
	char list[4][MAIL_ADDRESS_MAX];
	cr_assert_eq(mail_addresses_of(m.to, list, 4), 2);
	cr_expect_str_eq(list[0], "agente1@example.com");
	cr_expect_str_eq(list[1], "agente2@example.com");
	cr_expect_eq(mail_addresses_of(m.to, list, 1), -1, "more than fit");
	cr_expect_eq(mail_addresses_of("a@example.com, nope", list, 4), -1);
	buf_free(&out);
}

Test(message, fails_when_the_email_passes_the_cap)
{
	char err[256] = "";
	buf out;
	buf_init(&out, 200);
	struct mail_message m = sample();
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	cr_expect(strstr(err, "too big"), "%s", err);
	buf_free(&out);
}

Test(message, finds_the_bare_address_of_a_mailbox)
{
	char addr[64];
	cr_assert_eq(mail_address_of("\"Ana \\\"A\\\"\" <ana@example.com>", addr, sizeof addr), 0);
	cr_expect_str_eq(addr, "ana@example.com");
	cr_assert_eq(mail_address_of("bob@example.com", addr, sizeof addr), 0);
	cr_expect_str_eq(addr, "bob@example.com");
	cr_expect_eq(mail_address_of("nobody", addr, sizeof addr), -1);
	cr_expect_eq(mail_address_of("a@example.com, b@example.com", addr, sizeof addr), -1);
	cr_expect_eq(mail_address_of("averyveryverylongname@example.com", addr, 10), -1);
}

/* Every line of bytes ends in CRLF and is at most max characters long. */
static void expect_lines_at_most(const char *bytes, size_t max)
{
	for (const char *p = bytes; *p;) {
		const char *eol = strstr(p, "\r\n");
		cr_assert_not_null(eol, "the last line ends in CRLF");
		cr_expect_leq((size_t)(eol - p), max, "a line of %zu characters: %.*s",
		              (size_t)(eol - p), (int)(eol - p), p);
		p = eol + 2;
	}
}

Test(message, folds_long_headers_that_parse_back_whole)
{
	struct mail_message m = sample();
	m.subject = "[#482913] Nova resposta: não consigo acessar o painel de controle desde a "
	            "migração do servidor, o erro aparece em todas as páginas — urgente";
	char refs[1200] = "References:";
	for (int i = 0; i < 12; i++)
		snprintf(refs + strlen(refs), sizeof refs - strlen(refs), " <%d.abcdef%d@exemplo.com.br>",
		         i, i);
	strcat(refs, "\r\nIn-Reply-To: <11.abcdef11@exemplo.com.br>\r\n");
	m.extra_headers = refs;
	m.to = "Letícia Conceição <agente1@example.com>, agente2@example.com, "
	       "\"Souza, João\" <agente3@example.com>, agente4@example.com, agente5@example.com";
	char *bytes = build(&m);
	const char *body = strstr(bytes, "\r\n\r\n");
	cr_assert_not_null(body);
	char *headers = strndup(bytes, (size_t)(body - bytes) + 2);
	expect_lines_at_most(headers, 78);
	GMimeMessage *msg = parse(bytes);
	cr_expect_str_eq(g_mime_message_get_subject(msg), m.subject);
	char *unfolded = g_mime_utils_header_unfold(g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	cr_expect(strstr(unfolded, "<0.abcdef0@exemplo.com.br> <1.abcdef1@exemplo.com.br>"), "%s", unfolded);
	cr_expect(strstr(unfolded, "<11.abcdef11@exemplo.com.br>"), "%s", unfolded);
	g_free(unfolded);
	InternetAddressList *to = g_mime_message_get_to(msg);
	cr_assert_eq(internet_address_list_length(to), 5);
	cr_expect_str_eq(internet_address_get_name(internet_address_list_get_address(to, 0)),
	                 "Letícia Conceição");
	cr_expect_str_eq(internet_address_get_name(internet_address_list_get_address(to, 2)),
	                 "Souza, João");
	cr_expect_str_eq(internet_address_mailbox_get_addr(
	                     INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 4))),
	                 "agente5@example.com");
	g_object_unref(msg);
	free(headers);
	free(bytes);
}

/* The text the plain part must give back: every line end as CRLF. */
static char *crlf_text(const char *text)
{
	GString *want = g_string_new(NULL);
	for (const char *p = text; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		g_string_append(want, *p == '\n' || *p == '\r' ? "\r\n" : (char[]){*p, 0});
	}
	return g_string_free(want, FALSE);
}

Test(message, quotes_any_text_and_gives_it_back_byte_for_byte)
{
	/* Long lines, '=' signs, trailing blanks, a dot alone, "From " at the
	 * start of a line, a lone CR, a tab, a line that looks like a boundary. */
	char text[4096] = "";
	for (int i = 0; i < 40; i++)
		strcat(text, "ação=é ");
	strcat(text, "\n.\nFrom the log:\tok   \r\n--=-abc\r--=-abc--\n=3D literal\n\n");
	struct mail_message m = sample();
	m.text = text;
	m.html = "<p style=\"color:#333\">Olá — ação</p>";
	char *bytes = build(&m);
	expect_lines_at_most(bytes, 78);
	GMimeMessage *msg = parse(bytes);
	GMimeMultipart *alternative = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	cr_assert_eq(g_mime_multipart_get_count(alternative), 2, "the boundary was not matched early");
	char *plain = part_text(g_mime_multipart_get_part(alternative, 0));
	char *rich = part_text(g_mime_multipart_get_part(alternative, 1));
	/* The text's line ends come back as CRLF, the lone CR too. */
	char *want = crlf_text(text);
	cr_expect_str_eq(plain, want);
	cr_expect_str_eq(rich, "<p style=\"color:#333\">Olá — ação</p>");
	g_free(want);
	g_free(plain);
	g_free(rich);
	g_object_unref(msg);
	free(bytes);
}

Test(message, an_empty_text_still_makes_a_valid_email)
{
	struct mail_message m = sample();
	m.text = "";
	m.html = NULL;
	m.subject = "";
	char *bytes = build(&m);
	GMimeMessage *msg = parse(bytes);
	char *plain = part_text(g_mime_message_get_mime_part(msg));
	cr_expect_str_eq(plain, "");
	g_free(plain);
	g_object_unref(msg);
	free(bytes);
}

Test(message, dates_in_english_and_utc_whatever_the_time)
{
	struct mail_message m = sample();
	const struct {
		int64_t at;
		const char *line;
	} cases[] = {
	    {0, "Date: Thu, 01 Jan 1970 00:00:00 +0000"},
	    {951782400, "Date: Tue, 29 Feb 2000 00:00:00 +0000"},
	    {1798761599, "Date: Thu, 31 Dec 2026 23:59:59 +0000"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		m.date = cases[i].at;
		char *bytes = build(&m);
		cr_expect(strncmp(bytes, cases[i].line, strlen(cases[i].line)) == 0, "%.40s", bytes);
		GMimeMessage *msg = parse(bytes);
		cr_expect_eq(g_date_time_to_unix(g_mime_message_get_date(msg)), cases[i].at);
		g_object_unref(msg);
		free(bytes);
	}
	char err[64];
	buf out;
	buf_init(&out, 1 << 20);
	m.date = -1;
	cr_expect_eq(mail_message_build(&m, &out, NULL, err, sizeof err), -1);
	buf_free(&out);
}

Test(message, encodes_an_extra_header_that_is_not_ascii)
{
	struct mail_message m = sample();
	m.extra_headers = "X-Chamado-Departamento: Faturação\r\n";
	char *bytes = build(&m);
	cr_expect_null(strstr(bytes, "Faturação"), "no raw UTF-8 in headers");
	GMimeMessage *msg = parse(bytes);
	char *value = g_mime_utils_header_decode_text(
	    NULL, g_mime_object_get_header(GMIME_OBJECT(msg), "X-Chamado-Departamento"));
	cr_expect_str_eq(value, "Faturação");
	g_free(value);
	g_object_unref(msg);
	free(bytes);
}

Test(message, a_line_end_in_the_subject_cannot_add_a_header)
{
	struct mail_message m = sample();
	m.subject = "Olá\r\nBcc: intruso@example.com\nX-Injected: yes";
	char *bytes = build(&m);
	GMimeMessage *msg = parse(bytes);
	cr_expect_null(strstr(bytes, "\r\nBcc:"), "%s", bytes);
	cr_expect_null(g_mime_object_get_header(GMIME_OBJECT(msg), "X-Injected"));
	cr_expect(strstr(g_mime_message_get_subject(msg), "intruso@example.com"), "kept in the subject");
	g_object_unref(msg);
	free(bytes);
}

Test(message, random_texts_survive_quoted_printable_whole)
{
	/* Texts of bytes that stress the encoder: blanks before line ends and at
	 * the end, '=', multi-byte letters across the 76th column, long lines. */
	static const char *const pieces[] = {" ", "\t", "=", "a", "ç", "—", "\n", "\r\n", "\r",
	                                     "From ", ".", "x=3D", "  \n", "0123456789"};
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		char text[2048] = "";
		int n = (int)(rand_r(&seed) % 120);
		for (int i = 0; i < n; i++)
			strcat(text, pieces[rand_r(&seed) % (sizeof pieces / sizeof *pieces)]);
		struct mail_message m = sample();
		m.text = text;
		m.html = NULL;
		char *bytes = build(&m);
		expect_lines_at_most(bytes, 76);
		GMimeMessage *msg = parse(bytes);
		char *plain = part_text(g_mime_message_get_mime_part(msg));
		char *want = crlf_text(text);
		cr_expect_str_eq(plain, want, "round %d, text [%s]", round, text);
		g_free(want);
		g_free(plain);
		g_object_unref(msg);
		free(bytes);
	}
}

Test(message, encodes_blanks_at_line_ends_and_from_at_a_line_start)
{
	struct mail_message m = sample();
	m.text = "linha com espaço no fim \nFrom the start\nfim\t";
	m.html = NULL;
	char *bytes = build(&m);
	const char *body = strstr(bytes, "\r\n\r\n");
	cr_assert_not_null(body);
	/* No line of the body ends in a blank a relay could strip. */
	cr_expect(strstr(body, "fim=20\r\n"), "%s", body);
	cr_expect(strstr(body, "\r\n=46rom the start\r\n"), "%s", body);
	cr_expect(strstr(body, "fim=09=\r\n"), "%s", body);
	free(bytes);
}

Test(message, quotes_an_ascii_display_name_with_signs_and_keeps_plain_ones_as_they_are)
{
	struct mail_message m = sample();
	m.to = "\"Souza, Ana \\\"Ni\\\" (TI)\" <ana@x.com>, Equipe Suporte <s@x.com>, "
	       "b@x.com";
	char *bytes = build(&m);
	cr_expect(strstr(bytes, "\r\nTo: \"Souza, Ana \\\"Ni\\\" (TI)\" <ana@x.com>, "
	                        "Equipe Suporte <s@x.com>, b@x.com\r\n"),
	          "%s", bytes);
	GMimeMessage *msg = parse(bytes);
	InternetAddressList *to = g_mime_message_get_to(msg);
	cr_assert_eq(internet_address_list_length(to), 3);
	cr_expect_str_eq(internet_address_get_name(internet_address_list_get_address(to, 0)),
	                 "Souza, Ana \"Ni\" (TI)");
	cr_expect_str_eq(internet_address_get_name(internet_address_list_get_address(to, 1)),
	                 "Equipe Suporte");
	g_object_unref(msg);
	free(bytes);
}

Test(message, non_ascii_display_names_of_any_length_parse_back_whole)
{
	static const char *const names[] = {
	    "Souza, João \"Jó\"", "Patrícia", "Maria da Conceição Araújo Gonçalves",
	    "Maria da Conceição Araújo Gonçalves de Magalhães Figueiredo"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *quoted = g_strescape(names[i], "çãóíéú");
		char to[256];
		snprintf(to, sizeof to, "\"%s\" <ana@example.com>", quoted);
		g_free(quoted);
		struct mail_message m = sample();
		m.to = to;
		char *bytes = build(&m);
		const char *body = strstr(bytes, "\r\n\r\n");
		cr_assert_not_null(body);
		char *headers = strndup(bytes, (size_t)(body - bytes) + 2);
		expect_lines_at_most(headers, 78);
		for (const char *p = headers; *p; p++)
			cr_assert((unsigned char)*p < 0x80, "only ASCII in the headers: %s", headers);
		GMimeMessage *msg = parse(bytes);
		InternetAddress *t = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
		/* GMime folds a long name between its words, and parses the fold back
		 * as it is: a reader sees one blank either way. */
		char *name = g_strdup(internet_address_get_name(t));
		g_strdelimit(name, "\r\n\t", ' ');
		for (char *p; (p = strstr(name, "  "));)
			memmove(p, p + 1, strlen(p));
		cr_expect_str_eq(name, names[i]);
		g_free(name);
		g_object_unref(msg);
		free(headers);
		free(bytes);
	}
}

Test(message, gives_the_envelope_of_the_addresses_it_wrote)
{
	char from[MAIL_ADDRESS_MAX], rcpt[2][MAIL_ADDRESS_MAX], err[256] = "";
	struct mail_envelope env = {.from = from, .rcpt = rcpt, .max = 2};
	struct mail_message m = sample();
	m.to = "\"Letícia\" <agente1@example.com>, agente2@example.com";
	buf out;
	buf_init(&out, 1 << 20);
	cr_assert_eq(mail_message_build(&m, &out, &env, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(from, "suporte@exemplo.com.br");
	cr_assert_eq(env.n, 2);
	cr_expect_str_eq(rcpt[0], "agente1@example.com");
	cr_expect_str_eq(rcpt[1], "agente2@example.com");
	buf_clear(&out);
	env.max = 1;
	cr_expect_eq(mail_message_build(&m, &out, &env, err, sizeof err), -1, "more than fit");
	cr_expect(strstr(err, "envelope"), "%s", err);
	buf_free(&out);
}
