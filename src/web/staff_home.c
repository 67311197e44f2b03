/* The staff panel's first page. The queue and administration build on it. */
#include "web/context.h"
#include "web/handlers.h"
#include "web/page.h"

/* GET /staff — 200 for staff; 303 to /staff/login otherwise. */
void staff_home(struct request *req)
{
	struct session *s = web_staff(req);
	if (!s) {
		web_require_login(req);
		return;
	}
	vm_obj *page = page_new(req, "Staff panel", NULL);
	if (!page) {
		resp_error(req, 500);
		return;
	}
	page_render(req, 200, "staff/home", page);
}
