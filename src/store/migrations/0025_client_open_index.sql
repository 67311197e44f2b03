-- 0025: the open-ticket count in every signed-in client's menu read the
-- client's tickets one by one to check each status: a requester with
-- thousands of tickets (monitoring that files them through the API) made
-- every page of theirs slow. This index holds the open ones only, so the
-- count reads as many index entries as the client has open tickets.
CREATE INDEX tickets_client_open ON tickets (client_id) WHERE status <> 'closed';
