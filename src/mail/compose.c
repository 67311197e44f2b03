#include "mail/compose.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

#define MAIL_TEMPLATE_NAME_MAX 256

/* Renders template into a new arena string; NULL on failure. */
static char *render_to_arena(const tpl_set *t, const char *template, enum lang lang, vm_obj *ctx)
{
	buf out;
	buf_init(&out, MAIL_COMPOSE_MAX);
	char *text = NULL;
	if (tpl_render(t, template, lang, ctx, &out) == 0)
		text = arena_strndup(vm_arena(ctx), out.data ? out.data : "", out.len);
	buf_free(&out);
	return text;
}

/* The subject on one line: ends trimmed, line breaks and tabs made spaces. */
static void subject_tidy(char *subject)
{
	for (char *p = subject; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	size_t start = strspn(subject, " ");
	size_t len = strlen(subject + start);
	while (len && subject[start + len - 1] == ' ')
		len--;
	memmove(subject, subject + start, len);
	subject[len] = '\0';
}

/* Renders body template, then layout with the body as `content`. */
static char *render_in_layout(const tpl_set *t, const char *body, const char *layout, bool html,
                              enum lang lang, vm_obj *ctx)
{
	char *content = render_to_arena(t, body, lang, ctx);
	if (!content)
		return NULL;
	size_t len = strlen(content);
	while (len &&
	       (content[len - 1] == '\n' || content[len - 1] == '\r' || content[len - 1] == ' '))
		content[--len] = '\0'; /* the layout places the line breaks */
	if (html)
		vm_set_trusted_html(ctx, "content", content);
	else
		vm_set_text(ctx, "content", content);
	return render_to_arena(t, layout, lang, ctx);
}

int mail_compose(const tpl_set *t, const char *name, enum lang lang, vm_obj *ctx, struct mail *out)
{
	char subject_name[MAIL_TEMPLATE_NAME_MAX], text_name[MAIL_TEMPLATE_NAME_MAX],
	    html_name[MAIL_TEMPLATE_NAME_MAX];
	if (!t || !ctx || !out || !name ||
	    snprintf(subject_name, sizeof subject_name, "email/%s.subject.txt", name) >=
	        (int)sizeof subject_name)
		return -1;
	snprintf(text_name, sizeof text_name, "email/%s.txt", name);
	snprintf(html_name, sizeof html_name, "email/%s", name);
	if (!tpl_exists(t, subject_name) || !tpl_exists(t, text_name))
		return -1;
	if (!vm_get(ctx, "lang"))
		vm_set_text(ctx, "lang", lang_code(lang));
	char *subject = render_to_arena(t, subject_name, lang, ctx);
	char *text = render_in_layout(t, text_name, "email/layout.txt", false, lang, ctx);
	char *html = NULL;
	if (tpl_exists(t, html_name) &&
	    !(html = render_in_layout(t, html_name, "email/layout", true, lang, ctx)))
		return -1;
	if (!subject || !text)
		return -1;
	subject_tidy(subject);
	out->subject = subject;
	out->text = text;
	out->html = html;
	return 0;
}
