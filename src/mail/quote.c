#include "mail/quote.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "mail/mime_in.h"

#define QUOTE_LINES_MAX 100000 /* a longer text is kept whole */

struct line {
	const char *s;
	size_t len;
};

static bool line_starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);
	return l->len >= n && g_ascii_strncasecmp(l->s, prefix, n) == 0;
}

/* The line without spaces, '>' and '*' (bold in text made from HTML) at
 * its start and spaces at its end. */
static struct line line_core(struct line l)
{
	while (l.len && (*l.s == ' ' || *l.s == '>' || *l.s == '\t' || *l.s == '*'))
		l.s++, l.len--;
	while (l.len && (l.s[l.len - 1] == ' ' || l.s[l.len - 1] == '\t' || l.s[l.len - 1] == '*'))
		l.len--;
	return l;
}

static bool line_ends(const struct line *l, const char *suffix)
{
	size_t n = strlen(suffix);
	return l->len >= n && g_ascii_strncasecmp(l->s + l->len - n, suffix, n) == 0;
}

static bool line_has(const struct line *l, const char *needle)
{
	return g_strstr_len(l->s, (gssize)l->len, needle) != NULL;
}

static bool line_has_digit(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (g_ascii_isdigit(l->s[i]))
			return true;
	return false;
}

static bool line_blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	return true;
}

/* "On <date>, <name> wrote:" in one line or wrapped over two. */
static bool attribution_at(const struct line *lines, int n, int i, const char *start,
                           const char *end)
{
	struct line l = line_core(lines[i]);
	if (!line_starts(&l, start) || !line_has_digit(&l))
		return false;
	if (line_ends(&l, end))
		return true;
	for (int k = i + 1; k < n && k <= i + 2; k++) {
		struct line next = line_core(lines[k]);
		if (line_ends(&next, end))
			return true;
	}
	return false;
}

/* Outlook's header block: From:/De: followed by Sent:/Date: and To:/Subject:. */
static bool outlook_block_at(const struct line *lines, int n, int i)
{
	struct line l = line_core(lines[i]);
	if (!line_starts(&l, "From:") && !line_starts(&l, "De:"))
		return false;
	bool when = false, what = false;
	for (int k = i + 1; k < n && k <= i + 6; k++) {
		struct line m = line_core(lines[k]);
		if (line_starts(&m, "Sent:") || line_starts(&m, "Date:") ||
		    line_starts(&m, "Enviado:") || line_starts(&m, "Enviada em:") ||
		    line_starts(&m, "Enviado em:") || line_starts(&m, "Data:"))
			when = true;
		if (line_starts(&m, "To:") || line_starts(&m, "Para:") ||
		    line_starts(&m, "Subject:") || line_starts(&m, "Assunto:"))
			what = true;
	}
	return when && what;
}

static bool history_starts_at(const struct line *lines, int n, int i)
{
	struct line raw = lines[i];
	struct line l = line_core(raw);
	if (line_has(&raw, MIME_IN_MARKER_EN) || line_has(&raw, MIME_IN_MARKER_PT))
		return true;
	/* A signature: exactly "-- " (or "--" once its space was trimmed). */
	if ((raw.len == 3 && memcmp(raw.s, "-- ", 3) == 0) ||
	    (raw.len == 2 && memcmp(raw.s, "--", 2) == 0))
		return true;
	if (attribution_at(lines, n, i, "On ", "wrote:") ||
	    attribution_at(lines, n, i, "Em ", "escreveu:"))
		return true;
	if (line_has(&l, "-----Original Message-----") ||
	    line_has(&l, "-----Mensagem original-----") ||
	    line_has(&l, "----- Original Message -----") ||
	    line_has(&l, "----- Mensagem original -----"))
		return true;
	if (l.len >= 20 && strspn(l.s, "_") >= 20 && i + 1 < n) {
		for (int k = i + 1; k < n && k <= i + 2; k++)
			if (outlook_block_at(lines, n, k))
				return true;
	}
	return outlook_block_at(lines, n, i);
}

static bool quoted(const struct line *l)
{
	return l->len && l->s[0] == '>';
}

static bool mobile_footer(const struct line *l)
{
	struct line c = line_core(*l);
	return line_starts(&c, "Sent from my ") || line_starts(&c, "Enviado do meu ") ||
	       line_starts(&c, "Enviado de meu ") || line_starts(&c, "Enviado do ");
}

/* The text of lines [0, n) trimmed of blank lines at both ends. */
static const char *join_lines(arena *a, const struct line *lines, int n)
{
	int first = 0;
	while (first < n && line_blank(&lines[first]))
		first++;
	while (n > first && line_blank(&lines[n - 1]))
		n--;
	if (first >= n)
		return "";
	const char *start = lines[first].s;
	const char *end = lines[n - 1].s + lines[n - 1].len;
	return arena_strndup(a, start, (size_t)(end - start));
}

const char *quote_cut(arena *a, const char *text)
{
	if (!text)
		return "";
	int count = 1;
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			count++;
	if (count > QUOTE_LINES_MAX)
		return text;
	struct line *lines = arena_alloc(a, (size_t)count * sizeof *lines);
	if (!lines)
		return NULL;
	int n = 0;
	for (const char *p = text;; n++) {
		size_t l = strcspn(p, "\n");
		lines[n] = (struct line){p, l};
		if (!p[l]) {
			n++;
			break;
		}
		p += l + 1;
	}
	int cut = n;
	for (int i = 0; i < n; i++)
		if (history_starts_at(lines, n, i)) {
			cut = i;
			break;
		}
	/* A quoted block, a mobile footer and blank lines at the end go too. */
	while (cut > 0 && (quoted(&lines[cut - 1]) || line_blank(&lines[cut - 1]) ||
	                   mobile_footer(&lines[cut - 1])))
		cut--;
	const char *reply = join_lines(a, lines, cut);
	if (reply && !*reply)
		return join_lines(a, lines, n);
	return reply;
}
