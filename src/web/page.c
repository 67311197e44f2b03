#include "web/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "domain/attachment.h"
#include "domain/ticket.h"
#include "domain/ticket_number.h"
#include "view/markdown.h"
#include "view/markdown_cache.h"
#include "web/context.h"

/* The room an answer's page starts with: the client's pages and a staff
 * ticket fit (4-14 KB), a staff queue of 25 rows (~28 KB) grows once. As
 * much as the buffers grew to before, so no more memory at 64 at once. */
enum { PAGE_ROOM = 16 << 10 };

struct app *req_app(struct request *req)
{
	return req->app;
}

enum lang req_lang(struct request *req)
{
	return (enum lang)req->lang;
}

const char *tr(struct request *req, const char *msgid)
{
	return i18n_text(req_app(req)->catalog, req_lang(req), msgid);
}

db *req_db(struct request *req)
{
	return app_db(req_app(req));
}

void page_prefetch(struct request *req)
{
	struct web_ctx *w = web_ctx(req);
	if (w && w->session && w->session->kind == ACCOUNT_CLIENT)
		ticket_open_count_prefetch(req_db(req), w->session);
}

void page_open_tickets_known(struct request *req, int open)
{
	struct web_ctx *w = web_ctx(req);
	if (w) {
		w->open_tickets_known = true;
		w->open_tickets = open;
	}
}

vm_obj *page_new(struct request *req, const char *title, const char *section)
{
	struct app *app = req_app(req);
	vm_obj *page = vm_new(req->arena);
	if (!page)
		return NULL;
	enum lang lang = req_lang(req);
	vm_set_text(page, "lang", lang_code(lang));
	vm_set_text(page, "title", tr(req, title));
	vm_set_text(page, "company", app->company_name);
	vm_set_text(page, "path", req->path ? req->path : "/");
	vm_set_bool(page, "is_en", lang == LANG_EN);
	vm_set_bool(page, "is_pt", lang == LANG_PT_BR);
	if (section)
		vm_set_bool(page, arena_printf(req->arena, "nav_%s", section), true);
	vm_set_bool(page, "powered_by", app->show_powered_by);
	struct web_ctx *w = web_ctx(req);
	if (w) {
		vm_set_text(page, "csrf", w->csrf ? w->csrf : "");
		if (w->flash)
			vm_set_text(page, "flash", w->flash);
		if (w->session) {
			vm_obj *user = vm_set_obj(page, "user");
			vm_set_text(user, "name", w->session->name);
			vm_set_text(user, "email", w->session->email);
			vm_set_bool(user, "admin", w->session->admin);
			/* The open-ticket count in the menu: an index range, one query. */
			if (w->session->kind == ACCOUNT_CLIENT) {
				int64_t open = w->open_tickets_known
				                   ? w->open_tickets
				                   : ticket_open_count(req_db(req), w->session);
				if (open > TICKET_OPEN_COUNT_MAX)
					vm_set_text(page, "open_tickets",
					             arena_printf(req->arena, "%d+", TICKET_OPEN_COUNT_MAX));
				else if (open > 0)
					vm_set_int(page, "open_tickets", open);
			}
		}
	}
	return page;
}

void page_render(struct request *req, int status, const char *name, vm_obj *page)
{
	struct app *app = req_app(req);
	if (!page) {
		resp_text(req, 500, "text/plain; charset=utf-8", "Out of memory\n");
		return;
	}
	/* The page renders where the layout shows {{&content}}, straight into
	 * the answer; rendered apart, it was grown, copied twice and measured
	 * again (~5% of a queue page's time). The answer's room is taken at
	 * once: grown from 256 bytes, a page was copied six or seven times. */
	vm_set_template(page, "content", name);
	buf_clear(&req->body);
	buf_reserve(&req->body, PAGE_ROOM);
	struct web_ctx *w = web_ctx(req);
	const char *layout = w && w->staff_area ? "staff/layout" : "layout";
	if (tpl_render(app->templates, layout, req_lang(req), page, &req->body) < 0) {
		resp_text(req, 500, "text/plain; charset=utf-8", "Internal error\n");
		return;
	}
	req->status = status;
	req->content_type = "text/html; charset=utf-8";
	resp_header(req, "Cache-Control", "no-store");
	resp_header(req, "Vary", "Cookie, Accept-Language");
	req->responded = true;
}

void web_error_page(struct request *req, int status)
{
	const char *title, *text;
	switch (status) {
	case 400:
		title = N_("Bad request");
		text = N_("The request could not be understood. Go back, check the form and try again.");
		break;
	case 404:
		title = N_("Page not found");
		text = N_("The address may be mistyped, or the page may have moved.");
		break;
	case 405:
		title = N_("Method not allowed");
		text = N_("This page cannot be used that way.");
		break;
	case 409:
		title = N_("Already in use");
		text = N_("Someone else started using this in the meantime. Nothing was changed.");
		break;
	case 413:
		title = N_("Too large");
		text = N_("What you sent is larger than we accept. Send smaller files, or fewer at a time.");
		break;
	default:
		title = N_("Something went wrong");
		text = N_("We could not complete your request. Please try again in a moment.");
		break;
	}
	vm_obj *page = page_new(req, title, NULL);
	if (page) {
		vm_set_text(page, "heading", tr(req, title));
		vm_set_text(page, "text", tr(req, text));
		vm_set_int(page, "status", status);
	}
	page_render(req, status, "pages/error", page);
}

void web_busy(struct request *req)
{
	resp_header(req, "Retry-After", "5");
	vm_obj *page = page_new(req, "Busy right now", NULL);
	if (page) {
		vm_set_text(page, "heading", tr(req, "Busy right now"));
		vm_set_text(page, "text", tr(req, "Many people are signing in at this moment. Nothing was "
		                                  "changed. Please try again in a few seconds."));
		vm_set_int(page, "status", 503);
	}
	page_render(req, 503, "pages/error", page);
}

void web_throttled(struct request *req, int64_t wait_seconds)
{
	resp_header(req, "Retry-After", arena_printf(req->arena, "%lld", (long long)wait_seconds));
	long minutes = (long)((wait_seconds + 59) / 60);
	const char *fmt = i18n_ntext(req_app(req)->catalog, req_lang(req),
	                             "Too many attempts. Try again in %ld minute.",
	                             "Too many attempts. Try again in %ld minutes.", minutes);
	vm_obj *page = page_new(req, "Too many attempts", NULL);
	if (page) {
		vm_set_text(page, "heading", tr(req, "Too many attempts"));
		vm_set_text(page, "text", arena_printf(req->arena, fmt, minutes));
		vm_set_int(page, "status", 429);
	}
	page_render(req, 429, "pages/error", page);
}

void web_csrf_failed(struct request *req)
{
	vm_obj *page = page_new(req, "Please reload and try again", NULL);
	if (page) {
		vm_set_text(page, "heading", tr(req, "Please reload and try again"));
		vm_set_text(page, "text", tr(req, "This form was open for too long, or came from "
		                                  "another site. Nothing was changed. Reload the page "
		                                  "and send it again."));
		vm_set_int(page, "status", 403);
	}
	page_render(req, 403, "pages/error", page);
}

void page_ticket_number(vm_obj *o, const struct ticket_row *t)
{
	char shown[TICKET_LABEL_MAX];
	vm_set_int(o, "number", t->number);
	vm_set_text_copy(o, "label", ticket_number_shown(t, shown));
}

/* A ticket page shows a time per message, three ways each: written by hand,
 * not with strftime and printf, which cost ~8k instructions a time. */
static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

static char *put_year(char *p, int year)
{
	if (year < 0 || year > 9999)
		year = 0;
	return put2(put2(p, year / 100), year % 100);
}

const char *page_format_minute(arena *a, const struct tm *tm, bool pt_br)
{
	char *out = arena_alloc(a, sizeof "2026-12-31 23:59");
	if (!out)
		return "";
	char *p = out;
	if (pt_br) {
		p = put2(p, tm->tm_mday);
		*p++ = '/';
		p = put2(p, tm->tm_mon + 1);
		*p++ = '/';
		p = put_year(p, tm->tm_year + 1900);
	} else {
		p = put_year(p, tm->tm_year + 1900);
		*p++ = '-';
		p = put2(p, tm->tm_mon + 1);
		*p++ = '-';
		p = put2(p, tm->tm_mday);
	}
	*p++ = ' ';
	p = put2(p, tm->tm_hour);
	*p++ = ':';
	p = put2(p, tm->tm_min);
	*p = '\0';
	return out;
}

const char *page_format_iso(arena *a, const struct tm *tm)
{
	char *out = arena_alloc(a, sizeof "2026-12-31T23:59:59+0000");
	if (!out)
		return "";
	char *p = put_year(out, tm->tm_year + 1900);
	*p++ = '-';
	p = put2(p, tm->tm_mon + 1);
	*p++ = '-';
	p = put2(p, tm->tm_mday);
	*p++ = 'T';
	p = put2(p, tm->tm_hour);
	*p++ = ':';
	p = put2(p, tm->tm_min);
	*p++ = ':';
	p = put2(p, tm->tm_sec);
	long off = tm->tm_gmtoff / 60;
	*p++ = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	p = put2(p, (int)(off / 60));
	p = put2(p, (int)(off % 60));
	*p = '\0';
	return out;
}

/* n in place of the format's one %ld, spliced by hand (printf cost ~1,500
 * instructions a time, three times a queue row); printf for any other. */
const char *page_count_text(arena *a, const char *fmt, long n)
{
	const char *at = strstr(fmt, "%ld");
	if (!at || strchr(at + 3, '%') || memchr(fmt, '%', (size_t)(at - fmt)))
		return arena_printf(a, fmt, n);
	char digits[STR_INT64_MAX];
	const char *num = str_from_int64(digits, n);
	size_t len = strlen(num);
	size_t head = (size_t)(at - fmt), tail = strlen(at + 3);
	char *out = arena_alloc(a, head + len + tail + 1);
	if (!out)
		return NULL;
	memcpy(out, fmt, head);
	memcpy(out + head, num, len);
	memcpy(out + head + len, at + 3, tail + 1);
	return out;
}

/* name followed by suffix, in the arena (the view model keeps names as
 * given); suffix alone when out of memory, where the set that follows
 * fails too and the render with it. */
static const char *name_with(arena *a, const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);
	char *out = arena_alloc(a, n + m + 1);
	if (!out)
		return suffix;
	memcpy(out, name, n);
	memcpy(out + n, suffix, m + 1);
	return out;
}

void page_time(struct request *req, vm_obj *o, const char *name, int64_t t)
{
	const i18n_catalog *cat = req_app(req)->catalog;
	enum lang lang = req_lang(req);
	int64_t ago = (int64_t)time(NULL) - t;
	const char *rel;
	if (ago < 60) {
		rel = tr(req, "just now");
	} else if (ago < 3600) {
		long n = (long)(ago / 60);
		rel = page_count_text(req->arena, i18n_ntext(cat, lang, "%ld minute ago", "%ld minutes ago", n), n);
	} else if (ago < 86400) {
		long n = (long)(ago / 3600);
		rel = page_count_text(req->arena, i18n_ntext(cat, lang, "%ld hour ago", "%ld hours ago", n), n);
	} else if (ago < 30 * 86400) {
		long n = (long)(ago / 86400);
		rel = page_count_text(req->arena, i18n_ntext(cat, lang, "%ld day ago", "%ld days ago", n), n);
	} else {
		rel = NULL;
	}
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	const char *exact = page_format_minute(req->arena, &tm, lang == LANG_PT_BR);
	vm_set_text(o, name, rel ? rel : exact);
	vm_set_text(o, name_with(req->arena, name, "_exact"), exact);
	vm_set_text(o, name_with(req->arena, name, "_iso"), page_format_iso(req->arena, &tm));
}

/* RFC 6266: an ASCII fallback and the UTF-8 name, percent-encoded. */
static const char *disposition(struct request *req, const char *kind, const char *name)
{
	buf ascii, utf8;
	buf_init(&ascii, 512);
	buf_init(&utf8, 1024);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		buf_putc(&ascii, (*p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\') ? (char)*p : '_');
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			buf_putc(&utf8, (char)*p);
		else
			buf_printf(&utf8, "%%%02X", *p);
	}
	const char *out = arena_printf(req->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s", kind,
	                               buf_str(&ascii), buf_str(&utf8));
	buf_free(&ascii);
	buf_free(&utf8);
	return out;
}

void web_send_attachment(struct request *req, const struct attachment_row *a)
{
	bool inline_image = attachment_is_image(a->content_type) && str_eq(req_query(req, "inline"), "1");
	resp_header(req, "Content-Disposition", disposition(req, inline_image ? "inline" : "attachment", a->name));
	resp_header(req, "Cache-Control", "private, max-age=3600");
	resp_header(req, "Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
	req->status = 200;
	req->content_type = a->content_type;
	req->static_body = a->data;
	req->static_len = (size_t)a->size;
	req->copy_body = true;
	req->responded = true;
}

/* Markdown to safe HTML in the arena; the escaped source if rendering fails. */
/* Renders src into the arena; NULL when it could not. */
static const char *render(struct request *req, const char *src, size_t len, size_t *html_len)
{
	buf out;
	buf_init(&out, 2 << 20);
	const char *html = NULL;
	if (markdown_render(src, len, &out) == 0)
		html = arena_strndup(req->arena, buf_str(&out), out.len);
	*html_len = out.len;
	buf_free(&out);
	return html;
}

/* The escaped source in a <pre>: what is shown when rendering fails. */
static const char *preformatted(struct request *req, const char *src, size_t len)
{
	buf out;
	buf_init(&out, 4 << 20);
	buf_puts(&out, "<pre>");
	buf_put_html(&out, src, len);
	buf_puts(&out, "</pre>");
	const char *html = arena_strndup(req->arena, buf_str(&out), out.len);
	buf_free(&out);
	return html ? html : "";
}

const char *page_markdown(struct request *req, const char *src)
{
	size_t len = strlen(src), html_len;
	const char *html = render(req, src, len, &html_len);
	return html ? html : preformatted(req, src, len);
}

static const char *cached_markdown(struct request *req, uint64_t key, const char *src)
{
	size_t len = strlen(src), html_len;
	const char *html = markdown_cache_get(key, src, len, req->arena);
	if (html)
		return html;
	html = render(req, src, len, &html_len);
	if (!html)
		return preformatted(req, src, len);
	markdown_cache_put(key, src, len, html, html_len);
	return html;
}

const char *page_message_markdown(struct request *req, int64_t message_id, const char *src)
{
	return cached_markdown(req, (uint64_t)message_id, src);
}

/* Articles' keys have the top bit set, so that they never meet messages'. */
const char *page_article_markdown(struct request *req, int64_t article_id, const char *src)
{
	return cached_markdown(req, UINT64_C(1) << 63 | (uint64_t)article_id, src);
}


struct attachment_file *web_upload_files(const struct upload *uploads, const char *field, arena *a,
                                        int *n)
{
	*n = 0;
	for (const struct upload *u = uploads; u; u = u->next)
		*n += str_eq(u->field, field);
	struct attachment_file *files = arena_alloc(a, (size_t)(*n + 1) * sizeof *files);
	if (!files)
		return NULL;
	int i = 0;
	for (const struct upload *u = uploads; u; u = u->next)
		if (str_eq(u->field, field))
			files[i++] = (struct attachment_file){u->filename, u->path, u->fd, u->size, u->too_big};
	return files;
}

int web_take_attachments(struct request *req, struct attachment_in **files, const char **error)
{
	struct attachment_limits l;
	ticket_attachment_limits(req_db(req), req->arena, &l);
	*files = arena_alloc(req->arena, (size_t)(l.max_files + 1) * sizeof **files);
	if (!*files)
		return ATTACHMENT_READ;
	int nfiles;
	struct attachment_file *in = web_upload_files(req->uploads, "attachments", req->arena, &nfiles);
	if (!in)
		return ATTACHMENT_READ;
	const char *bad = NULL;
	int n = attachment_check_files(in, nfiles, &l, req->arena, *files, l.max_files, &bad);
	if (n < 0 || req->too_many_uploads) {
		if (n >= 0)
			n = ATTACHMENT_TOO_MANY;
		*error = attachment_error_message(req->arena, tr(req, attachment_error_text(n)), n, bad, &l);
	}
	return n;
}
