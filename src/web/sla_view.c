#include "web/sla_view.h"

#include "web/context.h"
#include "web/page.h"

const char *sla_view_duration(struct request *req, int64_t seconds)
{
	int64_t minutes = seconds / 60, hours = minutes / 60;
	if (hours > 0 && minutes % 60)
		return arena_printf(req->arena, "%lld h %lld min", (long long)hours, (long long)(minutes % 60));
	if (hours > 0)
		return arena_printf(req->arena, "%lld h", (long long)hours);
	return arena_printf(req->arena, "%lld min", (long long)minutes);
}

void sla_view_badge(struct request *req, vm_obj *o, const struct sla_badge *b)
{
	static const char *const classes[] = {"", "sla-ok", "sla-near", "sla-breached", "sla-paused"};
	if (b->state == SLA_NONE)
		return;
	vm_set_bool(o, "sla", true);
	vm_set_text(o, "sla_class", classes[b->state]);
	const char *d = sla_view_duration(req, b->business_seconds);
	switch (b->state) {
	case SLA_BREACHED:
		vm_set_text(o, "sla_text", arena_printf(req->arena, tr(req, "overdue by %s of business time"), d));
		break;
	case SLA_PAUSED:
		vm_set_text(o, "sla_text", tr(req, "paused: waiting on the client"));
		break;
	default:
		vm_set_text(o, "sla_text", arena_printf(req->arena, tr(req, "due in %s of business time"), d));
		break;
	}
	if (b->due > 0)
		page_time(req, o, "sla_due", b->due);
}
