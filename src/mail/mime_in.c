#include "mail/mime_in.h"

#include <gmime/gmime.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "mail/charset.h"
#include "mail/header_text.h"
#include "mail/html_text.h"
#include "mail/message.h"
#include "mail/quote.h"
#include "mail/uudecode.h"

#define MIME_IN_ID_MAX 250    /* one Message-ID, as outbox.c accepts them */
#define MIME_IN_FORWARD_MAX 4 /* forwarded messages whose text is kept */
#define MIME_IN_HINTS_MAX 8   /* declared charsets remembered */
#define MIME_IN_JUNK_LINES 5  /* lines skipped before the header */

void mime_in_limits_default(struct mime_in_limits *l)
{
	*l = (struct mime_in_limits){
	    .max_depth = 16,
	    .max_parts = 100,
	    .max_attachments = 20,
	    .max_text = 1u << 20,
	    .max_addresses = 50,
	    .max_references = 30,
	};
}

const char *mime_in_to_utf8(arena *a, const char *bytes, size_t len, const char *charset)
{
	return charset_to_utf8(a, bytes, len, charset, NULL);
}

const char *mime_in_html_to_text(arena *a, const char *html, size_t len, size_t max)
{
	return html_text_convert(a, html, len, max);
}

const char *mime_in_cut_quoted(arena *a, const char *text)
{
	return quote_cut(a, text);
}

/* The raw value of the first header called name on obj, or NULL. */
static const char *raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = list ? g_mime_header_list_get_header(list, name) : NULL;
	return h ? g_mime_header_get_raw_value(h) : NULL;
}

/* The charsets the message declares anywhere (Content-Type parameters, an
 * HTML <meta>, encoded words), first seen first: what its unlabelled bytes
 * most likely are. */
static void hints_find(arena *a, const char *data, size_t len, const char **hints)
{
	int n = 0;
	const char *end = data + len;
	for (const char *p = data; p < end && n < MIME_IN_HINTS_MAX; p++) {
		p = memchr(p, '=', (size_t)(end - p));
		if (!p)
			break;
		const char *v;
		if (p + 1 < end && p[1] == '?')
			v = p + 2; /* =?label?Q?...?= */
		else if (p - data >= 7 && g_ascii_strncasecmp(p - 7, "charset", 7) == 0)
			v = p + 1;
		else
			continue;
		while (v < end && (*v == '"' || *v == '\''))
			v++;
		size_t k = 0;
		while (v + k < end && k < 40 && (g_ascii_isalnum(v[k]) || strchr("-_.:", v[k])))
			k++;
		char *label = k ? arena_strndup(a, v, k) : NULL;
		const char *cs = label ? charset_canonical(label) : NULL;
		if (!cs || !strcmp(cs, "UTF-8") || !strcmp(cs, "WINDOWS-1252"))
			continue;
		bool seen = false;
		for (int j = 0; j < n; j++) /* hints hold canonical names */
			seen = seen || strcmp(hints[j], cs) == 0;
		const char *copy = seen ? NULL : arena_strdup(a, cs);
		if (copy)
			hints[n++] = copy;
	}
	hints[n] = NULL;
}

/* Where the header starts: lines before it that are not header fields (an
 * mbox "From " line, a stray line of junk) are skipped. */
static size_t header_start(const char *data, size_t len)
{
	size_t at = 0;
	for (int line = 0; line <= MIME_IN_JUNK_LINES && at < len; line++) {
		const char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t name = 0;
		while (at + name < end && data[at + name] > ' ' && data[at + name] < 0x7f &&
		       data[at + name] != ':')
			name++;
		if (name > 0 && at + name < end && data[at + name] == ':')
			return at;
		if (!nl)
			break;
		at = end + 1;
	}
	return 0;
}

/* ---- MIME ---------------------------------------------------------------- */

struct walk {
	arena *a;
	const struct mime_in_limits *l;
	struct inbound_msg *m;
	GMimeMessage *msg;
	GMimeParserOptions *options;
	const char *const *hints; /* declared charsets */
	int *parts;               /* shared by forwarded messages */
	int *forwards;
	buf body;        /* UTF-8 text of every inline text part, in order */
	buf html;        /* the HTML parts as text, for searching */
	bool have_plain; /* body has text from a text/plain part */
	bool have_html;  /* body has text from an HTML part */
	buf forwarded;   /* texts of forwarded messages */
};

static void walk_init(struct walk *w, const struct walk *parent)
{
	*w = *parent;
	buf_init(&w->body, parent->l->max_text);
	buf_init(&w->html, parent->l->max_text);
	buf_init(&w->forwarded, parent->l->max_text);
	w->have_plain = w->have_html = false;
}

static void walk_free(struct walk *w)
{
	buf_free(&w->body);
	buf_free(&w->html);
	buf_free(&w->forwarded);
}

/* The decoded (transfer encoding undone) bytes of part. */
static GByteArray *part_bytes(GMimePart *part, GMimeStream **keep)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	if (!w)
		return NULL;
	GMimeStream *mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) < 0) {
		g_object_unref(mem);
		return NULL;
	}
	*keep = mem;
	return g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
}

/* A name for a file sent without one, from its type, in the language of
 * our users: imagem-1.jpg, anexo-2.pdf. */
static const char *name_from_type(arena *a, const char *type, int n)
{
	static const struct {
		const char *type, *ext;
	} exts[] = {
	    {"image/jpeg", "jpg"},
	    {"image/jpg", "jpg"},
	    {"image/pjpeg", "jpg"},
	    {"image/png", "png"},
	    {"image/gif", "gif"},
	    {"image/bmp", "bmp"},
	    {"image/webp", "webp"},
	    {"image/tiff", "tif"},
	    {"image/heic", "heic"},
	    {"image/svg+xml", "svg"},
	    {"application/pdf", "pdf"},
	    {"text/plain", "txt"},
	    {"text/html", "html"},
	    {"text/csv", "csv"},
	    {"text/calendar", "ics"},
	    {"application/zip", "zip"},
	    {"application/msword", "doc"},
	    {"application/vnd.ms-excel", "xls"},
	    {"application/vnd.ms-powerpoint", "ppt"},
	    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
	    {"application/vnd.oasis.opendocument.text", "odt"},
	    {"message/rfc822", "eml"},
	    {"audio/mpeg", "mp3"},
	    {"audio/ogg", "ogg"},
	    {"video/mp4", "mp4"},
	    {"application/x-uuencode", "bin"},
	    {"application/octet-stream", "bin"},
	};
	const char *ext = "bin";
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
		if (g_ascii_strcasecmp(type, exts[i].type) == 0)
			ext = exts[i].ext;
	const char *stem = "anexo";
	if (g_ascii_strncasecmp(type, "image/", 6) == 0)
		stem = "imagem";
	else if (g_ascii_strcasecmp(type, "text/calendar") == 0)
		stem = "convite";
	else if (g_ascii_strcasecmp(type, "message/rfc822") == 0)
		stem = "mensagem";
	return arena_printf(a, "%s-%d.%s", stem, n, ext);
}

static void attachment_put(struct walk *w, const char *filename, const char *type,
                           const unsigned char *bytes, size_t len, bool inline_part)
{
	struct inbound_msg *m = w->m;
	if (m->nattachments >= w->l->max_attachments) {
		m->parts_skipped++;
		return;
	}
	unsigned char *data = arena_alloc(w->a, len + 1);
	if (!data)
		return;
	if (len)
		memcpy(data, bytes, len);
	data[len] = 0;
	const char *fn = filename && *filename ? header_text_one_line(w->a, filename) : "";
	struct inbound_attachment *at = &m->attachments[m->nattachments];
	*at = (struct inbound_attachment){
	    .filename = fn ? fn : "",
	    .content_type = arena_strdup(w->a, type),
	    .data = data,
	    .len = len,
	    .inline_part = inline_part,
	};
	at->name = *at->filename ? at->filename : name_from_type(w->a, type, m->nattachments + 1);
	if (!at->name || !at->content_type)
		return;
	m->nattachments++;
}

/* The part's file name: GMime's reading, unless the raw header has 8-bit
 * bytes that are not UTF-8 (a GBK or Shift_JIS name): then ours. */
static const char *part_filename(struct walk *w, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	const char *cd_raw = raw_header(obj, "Content-Disposition");
	const char *ct_raw = raw_header(obj, "Content-Type");
	bool odd = (cd_raw && !str_utf8_valid(cd_raw, strlen(cd_raw))) ||
	           (ct_raw && !str_utf8_valid(ct_raw, strlen(ct_raw))) ||
	           (cd_raw && strstr(cd_raw, "=?")) || (ct_raw && strstr(ct_raw, "=?"));
	if (!odd)
		return g_mime_part_get_filename(part);
	const char *name = NULL;
	if (cd_raw) {
		GMimeContentDisposition *cd = g_mime_content_disposition_parse(
		    w->options, header_text_structured(w->a, cd_raw, w->hints));
		if (cd) {
			const char *v = g_mime_content_disposition_get_parameter(cd, "filename");
			name = v ? arena_strdup(w->a, v) : NULL;
			g_object_unref(cd);
		}
	}
	if (!name && ct_raw) {
		GMimeContentType *ct = g_mime_content_type_parse(
		    w->options, header_text_structured(w->a, ct_raw, w->hints));
		if (ct) {
			const char *v = g_mime_content_type_get_parameter(ct, "name");
			name = v ? arena_strdup(w->a, v) : NULL;
			g_object_unref(ct);
		}
	}
	return name ? name : g_mime_part_get_filename(part);
}

static void add_attachment(struct walk *w, GMimePart *part, const char *filename,
                           GMimeContentType *ct)
{
	GMimeStream *keep = NULL;
	GByteArray *bytes = part_bytes(part, &keep);
	char *type = g_mime_content_type_get_mime_type(ct);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(GMIME_OBJECT(part));
	bool inline_part = cd && !g_mime_content_disposition_is_attachment(cd);
	struct uudecode_block uu;
	if (!bytes) {
		w->m->parts_skipped++;
	} else if (type && g_ascii_strcasecmp(type, "application/x-uuencode") == 0 &&
	           uudecode_find(w->a, (const char *)bytes->data, bytes->len, 0, &uu)) {
		/* The file inside, under its own name. */
		attachment_put(w, filename && *filename ? filename : uu.name,
		               "application/octet-stream", uu.data, uu.len, inline_part);
	} else {
		attachment_put(w, filename, type ? type : "application/octet-stream", bytes->data,
		               bytes->len, inline_part);
	}
	g_free(type);
	if (keep)
		g_object_unref(keep);
}

/* Appends text as a new paragraph of b: blank lines at its ends dropped,
 * white space at its end too; nothing when it is blank. */
static void text_append(struct walk *w, buf *b, const char *text)
{
	if (!text)
		return;
	const char *start = text;
	for (const char *p = text; *p == ' ' || *p == '\t' || *p == '\n'; p++)
		if (*p == '\n')
			start = p + 1;
	size_t len = strlen(start);
	while (len && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\n'))
		len--;
	if (!len || strspn(start, " \t\n") >= len)
		return;
	if (b->len)
		buf_puts(b, "\n\n");
	if (buf_append(b, start, len) != BUF_OK)
		w->m->parts_skipped++;
}

static bool blank(const char *s)
{
	return !s || s[strspn(s, " \t\n")] == '\0';
}

/* A text part: its text in the body, uuencoded files in it as attachments. */
static void add_text(struct walk *w, GMimePart *part, GMimeContentType *ct, bool html)
{
	GMimeStream *keep = NULL;
	GByteArray *bytes = part_bytes(part, &keep);
	if (bytes) {
		const char *charset = g_mime_content_type_get_parameter(ct, "charset");
		const char *text =
		    charset_to_utf8(w->a, (const char *)bytes->data, bytes->len, charset, w->hints);
		if (text && html) {
			text = html_text_convert(w->a, text, strlen(text), w->l->max_text);
			text_append(w, &w->html, text);
			w->have_html = w->have_html || !blank(text);
		} else if (text) {
			struct uudecode_block uu;
			size_t len = strlen(text);
			size_t from = 0;
			while (from < len && uudecode_find(w->a, text, len, from, &uu)) {
				/* The text around the file stays, as paragraphs. */
				text_append(w, &w->body,
				            arena_strndup(w->a, text + from, uu.start - from));
				attachment_put(w, uu.name, "application/octet-stream", uu.data,
				               uu.len, false);
				from = uu.end;
			}
			text += from;
			w->have_plain = w->have_plain || !blank(text);
		}
		text_append(w, &w->body, text);
	}
	if (keep)
		g_object_unref(keep);
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth);

static const char *message_text(struct walk *w);

/* A forwarded message: its header summary and its text go below the body. */
static void walk_forwarded(struct walk *w, GMimeMessage *msg, int depth)
{
	if (!msg || *w->forwards >= MIME_IN_FORWARD_MAX) {
		w->m->parts_skipped++;
		return;
	}
	(*w->forwards)++;
	struct walk inner;
	walk_init(&inner, w);
	GMimeObject *body = g_mime_message_get_mime_part(msg);
	if (body)
		walk_object(&inner, body, depth + 1);
	const char *text = message_text(&inner);
	const char *from =
	    header_text_structured(w->a, raw_header(GMIME_OBJECT(msg), "From"), w->hints);
	const char *subject =
	    header_text_decode(w->a, raw_header(GMIME_OBJECT(msg), "Subject"), w->hints);
	if (w->forwarded.len)
		buf_puts(&w->forwarded, "\n\n");
	buf_printf(
	    &w->forwarded, "---------- Forwarded message ----------\nFrom: %s\nSubject: %s\n\n%s",
	    from ? header_text_one_line(w->a, from) : "", subject ? subject : "", text ? text : "");
	walk_free(&inner);
}

/* Parts that carry nothing a person sent: signatures, reports, Apple's
 * resource forks. */
static bool part_ignored(GMimeContentType *ct)
{
	static const char *const types[][2] = {
	    {"application", "pgp-signature"},     {"application", "pkcs7-signature"},
	    {"application", "x-pkcs7-signature"}, {"application", "pgp-keys"},
	    {"application", "applefile"},         {"application", "ms-tnef"},
	    {"message", "delivery-status"},       {"message", "disposition-notification"},
	    {"text", "rfc822-headers"},           {"message", "feedback-report"},
	};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (g_mime_content_type_is_type(ct, types[i][0], types[i][1]))
			return true;
	return false;
}

static void walk_leaf(struct walk *w, GMimePart *part)
{
	if (++*w->parts > w->l->max_parts) {
		w->m->parts_skipped++;
		return;
	}
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
	const char *filename = part_filename(w, part);
	bool attachment =
	    (cd && g_mime_content_disposition_is_attachment(cd)) || (filename && *filename);
	if (!ct) {
		w->m->parts_skipped++;
	} else if (!attachment && g_mime_content_type_is_type(ct, "text", "plain")) {
		add_text(w, part, ct, false);
	} else if (!attachment && g_mime_content_type_is_type(ct, "text", "html")) {
		add_text(w, part, ct, true);
	} else if (!attachment &&
	           (part_ignored(ct) || g_mime_content_type_is_type(ct, "text", "*"))) {
		w->m->parts_skipped++;
	} else {
		add_attachment(w, part, filename, ct);
	}
}

/* multipart/alternative: the best alternative that has text; a plain
 * one before an HTML one, an HTML one before one with nothing. */
static void walk_alternative(struct walk *w, GMimeMultipart *mp, int depth)
{
	int n = g_mime_multipart_get_count(mp);
	int best = -1, best_rank = 0;
	struct walk *alts = g_new0(struct walk, (gsize)(n > 0 ? n : 1));
	for (int i = 0; i < n; i++) {
		walk_init(&alts[i], w);
		walk_object(&alts[i], g_mime_multipart_get_part(mp, i), depth + 1);
		int rank = alts[i].have_plain  ? 3
		           : alts[i].have_html ? 2
		           : alts[i].body.len  ? 1
		                               : 0;
		if (rank > best_rank)
			best = i, best_rank = rank;
	}
	for (int i = 0; i < n; i++) {
		if (i == best) {
			text_append(w, &w->body, buf_str(&alts[i].body));
			w->have_plain = w->have_plain || alts[i].have_plain;
			w->have_html = w->have_html || alts[i].have_html;
		}
		text_append(w, &w->html, buf_str(&alts[i].html));
		if (alts[i].forwarded.len)
			text_append(w, &w->forwarded, buf_str(&alts[i].forwarded));
		walk_free(&alts[i]);
	}
	g_free(alts);
}

static void walk_object(struct walk *w, GMimeObject *obj, int depth)
{
	if (depth > w->l->max_depth) {
		w->m->parts_skipped++;
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
			w->m->delivery_report = true;
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative")) {
			walk_alternative(w, mp, depth);
			return;
		}
		int n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_forwarded(w, g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj)), depth);
	} else if (GMIME_IS_PART(obj)) {
		walk_leaf(w, GMIME_PART(obj));
	} else {
		w->m->parts_skipped++;
	}
}

/* The body text of what w walked, forwarded messages below it. */
static const char *message_text(struct walk *w)
{
	const char *body = arena_strndup(w->a, w->body.len ? w->body.data : "", w->body.len);
	if (!body || !w->forwarded.len)
		return body;
	return arena_printf(w->a, "%s%s%.*s", body, *body ? "\n\n" : "", (int)w->forwarded.len,
	                    w->forwarded.data);
}

/* ---- headers ------------------------------------------------------------- */

/* A Message-ID we can store and match: printable ASCII, no <> or spaces. */
static const char *id_copy(arena *a, const char *id)
{
	if (!id)
		return NULL;
	size_t len = strlen(id);
	if (len == 0 || len > MIME_IN_ID_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '<' || id[i] == '>')
			return NULL;
	return arena_strdup(a, id);
}

static const char *address_copy(arena *a, const char *addr)
{
	if (!addr || !strchr(addr, '@') || strlen(addr) > 254 || addr[0] == '@' ||
	    addr[strlen(addr) - 1] == '@' || strchr(addr, '@') != strrchr(addr, '@'))
		return NULL;
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' ||
		    *p == ';' || *p == '(' || *p == ')')
			return NULL;
	return arena_strdup(a, addr);
}

struct addr_list {
	const char **v;
	int *n;
	int max;
};

static void addresses_put(arena *a, struct addr_list *to, InternetAddressList *list, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n && depth <= 2; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			addresses_put(
			    a, to, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    depth + 1);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia) || *to->n >= to->max)
			continue;
		const char *addr = address_copy(
		    a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		if (addr)
			to->v[(*to->n)++] = addr;
	}
}

/* Every header called name, parsed as addresses (raw bytes made UTF-8). */
static void header_addresses(struct walk *w, struct addr_list *to, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(w->msg));
	int n = g_mime_header_list_get_count(headers);
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) != 0)
			continue;
		const char *v =
		    header_text_structured(w->a, g_mime_header_get_raw_value(h), w->hints);
		InternetAddressList *list = v ? internet_address_list_parse(w->options, v) : NULL;
		if (list) {
			addresses_put(w->a, to, list, 0);
			g_object_unref(list);
		}
	}
}

/* The one address in a value GMime could not read ("Name a@b.example",
 * "a@b.example (Name)", "<a@b.example"), and the name around it; false
 * when there is none or more than one. */
static bool address_salvage(arena *a, const char *v, const char **addr, const char **name)
{
	const char *found = NULL;
	size_t start = 0, end = 0;
	for (size_t i = 0; v[i];) {
		size_t n = strcspn(v + i, " \t\r\n<>\"',;()[]");
		if (n && memchr(v + i, '@', n)) {
			const char *cand = address_copy(a, arena_strndup(a, v + i, n));
			if (cand && found && g_ascii_strcasecmp(found, cand) != 0)
				return false;
			if (cand && !found) {
				found = cand;
				start = i;
				end = i + n;
			}
		}
		i += n ? n : 1;
	}
	if (!found)
		return false;
	char *rest = arena_printf(a, "%.*s %s", (int)start, v, v + end);
	for (char *p = rest; p && *p; p++)
		if (strchr("<>\"()", *p))
			*p = ' ';
	*addr = found;
	*name = rest ? header_text_one_line(a, rest) : "";
	return true;
}

/* The sender: the first From mailbox; else an address salvaged from a
 * From GMime could not read; else Reply-To, then Sender. */
static void sender_put(struct walk *w)
{
	static const char *const headers[] = {"From", "Reply-To", "Sender"};
	struct inbound_msg *m = w->m;
	for (size_t h = 0; h < sizeof headers / sizeof *headers; h++) {
		const char *v = header_text_structured(
		    w->a, raw_header(GMIME_OBJECT(w->msg), headers[h]), w->hints);
		if (!v)
			continue;
		InternetAddressList *list = internet_address_list_parse(w->options, v);
		int n = list ? internet_address_list_length(list) : 0;
		for (int i = 0; i < n && !*m->from_address; i++) {
			InternetAddress *ia = internet_address_list_get_address(list, i);
			if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
				continue;
			const char *addr = address_copy(
			    w->a, internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
			if (!addr)
				continue;
			m->from_address = addr;
			const char *name =
			    header_text_one_line(w->a, internet_address_get_name(ia));
			m->from_name = name ? name : "";
		}
		if (list)
			g_object_unref(list);
		const char *addr, *name;
		if (!*m->from_address && address_salvage(w->a, v, &addr, &name)) {
			m->from_address = addr;
			m->from_name = name ? name : "";
		}
		if (*m->from_address)
			return;
	}
}

static void threading_put(struct inbound_msg *m, arena *a, const struct mime_in_limits *l,
                          GMimeMessage *msg)
{
	m->message_id = id_copy(a, g_mime_message_get_message_id(msg));
	const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
	if (irt) {
		GMimeReferences *refs = g_mime_references_parse(NULL, irt);
		if (refs && g_mime_references_length(refs) > 0)
			m->in_reply_to = id_copy(a, g_mime_references_get_message_id(refs, 0));
		if (refs)
			g_mime_references_free(refs);
	}
	const char *header = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
	GMimeReferences *refs = header ? g_mime_references_parse(NULL, header) : NULL;
	int n = refs ? g_mime_references_length(refs) : 0;
	int first = n > l->max_references ? n - l->max_references : 0;
	m->references = arena_alloc(a, (size_t)(n - first + 1) * sizeof *m->references);
	for (int i = first; m->references && i < n; i++) {
		const char *id = id_copy(a, g_mime_references_get_message_id(refs, i));
		if (id)
			m->references[m->nreferences++] = id;
	}
	if (refs)
		g_mime_references_free(refs);
}

static bool subject_forwarded(const char *subject)
{
	static const char *const prefixes[] = {"fwd:", "fw:", "enc:", "tr:", "encaminhar:", NULL};
	for (const char *const *p = prefixes; *p; p++)
		if (g_ascii_strncasecmp(subject, *p, strlen(*p)) == 0)
			return true;
	return false;
}

static bool text_forwarded(const char *text)
{
	return strstr(text, "---------- Forwarded message") ||
	       strstr(text, "---------- Mensagem encaminhada") ||
	       strstr(text, "-------- Forwarded Message --------") ||
	       strstr(text, "-------- Mensagem encaminhada --------");
}

/* An out-of-office subject, as Outlook, Gmail and others write it. */
static bool subject_auto_reply(const char *subject)
{
	static const char *const phrases[] = {
	    "automatic reply:",     "auto-reply:",          "autoreply:",
	    "auto reply:",          "out of office:",       "out of the office:",
	    "resposta automática:", "resposta automatica:", "ausente:",
	    "fora do escritório:",  "fora do escritorio:",  "respuesta automática:",
	};
	gchar *folded = g_utf8_casefold(subject, -1);
	bool hit = false;
	for (size_t i = 0; folded && i < sizeof phrases / sizeof *phrases && !hit; i++)
		hit = strncmp(folded, phrases[i], strlen(phrases[i])) == 0;
	g_free(folded);
	return hit;
}

/* A header's value as one line, NULL when it is absent. */
static const char *header_copy(arena *a, GMimeObject *obj, const char *name)
{
	const char *v = g_mime_object_get_header(obj, name);
	return v ? header_text_one_line(a, v) : NULL;
}

static void loop_signs_put(struct inbound_msg *m, arena *a, GMimeObject *obj)
{
	m->auto_submitted = header_copy(a, obj, "Auto-Submitted");
	m->precedence = header_copy(a, obj, "Precedence");
	m->x_autoreply = g_mime_object_get_header(obj, "X-Autoreply") != NULL;
	m->x_autorespond = g_mime_object_get_header(obj, "X-Autorespond") != NULL;
	m->x_auto_response_suppress = header_copy(a, obj, "X-Auto-Response-Suppress");
	const char *rp = g_mime_object_get_header(obj, "Return-Path");
	if (rp) {
		while (*rp == ' ' || *rp == '\t')
			rp++;
		m->null_return_path = strncmp(rp, "<>", 2) == 0;
	}
	bool other_sign = m->x_auto_response_suppress || m->x_autoreply || m->x_autorespond ||
	                  m->null_return_path ||
	                  (m->auto_submitted && g_ascii_strcasecmp(m->auto_submitted, "no") != 0) ||
	                  (m->precedence && (g_ascii_strcasecmp(m->precedence, "auto_reply") == 0 ||
	                                     g_ascii_strcasecmp(m->precedence, "bulk") == 0 ||
	                                     g_ascii_strcasecmp(m->precedence, "junk") == 0)) ||
	                  g_mime_object_get_header(obj, "X-MS-Exchange-Inbox-Rules-Loop") ||
	                  g_mime_object_get_header(obj, "X-MS-Exchange-Generated-Message-Source");
	m->looks_auto_reply = other_sign && subject_auto_reply(m->subject);
}

int mime_in_parse(const void *data, size_t len, const struct mime_in_limits *limits, arena *a,
                  struct inbound_msg *out)
{
	mail_init();
	struct mime_in_limits defaults;
	if (!limits) {
		mime_in_limits_default(&defaults);
		limits = &defaults;
	}
	memset(out, 0, sizeof *out);
	out->from_address = out->from_name = out->subject = "";
	out->text = out->reply = out->html_text = "";
	out->recipients =
	    arena_alloc(a, (size_t)(limits->max_addresses + 1) * sizeof *out->recipients);
	out->cc = arena_alloc(a, (size_t)(limits->max_addresses + 1) * sizeof *out->cc);
	out->attachments =
	    arena_alloc(a, (size_t)(limits->max_attachments + 1) * sizeof *out->attachments);
	const char **hints = arena_alloc(a, (MIME_IN_HINTS_MAX + 1) * sizeof *hints);
	if (!out->recipients || !out->attachments || !out->cc || !hints)
		return -1;
	hints_find(a, data, len, hints);

	size_t skip = header_start(data, len);
	GMimeStream *stream =
	    g_mime_stream_mem_new_with_buffer((const char *)data + skip, len - skip);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *options = g_mime_parser_options_new();
	/* GMime's own reading of 8-bit header bytes (file names in parameters
	 * it decodes itself): UTF-8, the declared charsets, then Windows-1252. */
	const char *fallback[MIME_IN_HINTS_MAX + 3] = {"UTF-8"};
	int nf = 1;
	for (int i = 0; hints[i]; i++)
		if (strcmp(hints[i], "ISO-2022-JP") != 0)
			fallback[nf++] = hints[i];
	fallback[nf++] = "WINDOWS-1252";
	fallback[nf] = NULL;
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);
	if (!msg) {
		g_mime_parser_options_free(options);
		return -1;
	}
	int rc = 0;
	int parts = 0, forwards = 0;
	struct walk w = {.a = a,
	                 .l = limits,
	                 .m = out,
	                 .msg = msg,
	                 .options = options,
	                 .hints = hints,
	                 .parts = &parts,
	                 .forwards = &forwards};
	buf_init(&w.body, limits->max_text);
	buf_init(&w.html, limits->max_text);
	buf_init(&w.forwarded, limits->max_text);

	GMimeObject *obj = GMIME_OBJECT(msg);
	sender_put(&w);
	struct addr_list rcpt = {out->recipients, &out->nrecipients, limits->max_addresses};
	struct addr_list cc = {out->cc, &out->ncc, limits->max_addresses};
	header_addresses(&w, &rcpt, "To");
	header_addresses(&w, &rcpt, "Cc");
	header_addresses(&w, &cc, "Cc");
	header_addresses(&w, &rcpt, "Delivered-To");
	header_addresses(&w, &rcpt, "X-Original-To");
	header_addresses(&w, &rcpt, "Envelope-To");
	const char *subject = header_text_decode(a, raw_header(obj, "Subject"), hints);
	out->subject = subject ? subject : "";
	threading_put(out, a, limits, msg);
	loop_signs_put(out, a, obj);

	GMimeObject *body = g_mime_message_get_mime_part(msg);
	if (body)
		walk_object(&w, body, 0);
	const char *text = message_text(&w);
	if (!text) {
		rc = -1;
		goto done;
	}
	out->text = text;
	out->from_html = !w.have_plain && w.have_html;
	out->html_text = arena_strndup(a, w.html.len ? w.html.data : "", w.html.len);
	if (!out->html_text)
		out->html_text = "";
	const char *reply = quote_cut(a, text);
	out->reply = reply ? reply : text;
	out->forwarded = subject_forwarded(out->subject) || text_forwarded(text);
done:
	walk_free(&w);
	g_object_unref(msg);
	g_mime_parser_options_free(options);
	return rc;
}
