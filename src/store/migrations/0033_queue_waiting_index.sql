-- 0033: the queue staff work most, one department's tickets that wait for
-- them (open and customer-reply), walks only those tickets, newest first.
-- Through the index of 0030 it walked every status of the department and
-- skipped the rest: at a million tickets about 160 index entries for a page
-- of 25, and the query was two fifths of the page's instructions. The index
-- holds a third of the tickets, and a write changes it only when a ticket
-- starts or stops waiting or a waiting ticket is updated.
CREATE INDEX tickets_waiting_department ON tickets (department_id, updated_at DESC, id DESC)
	WHERE status IN ('open', 'customer-reply');
