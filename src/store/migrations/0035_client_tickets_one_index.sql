-- 0035: the client's tickets by last update also give their opening times,
-- so the KB report's "did the client open a ticket soon after" reads the
-- same index (a client has about ten tickets) and tickets_client_created
-- goes. Every opening wrote both, each at a page of its own (clients are
-- spread over the whole index): one index less to keep is one random page
-- less in every opening's commit.
DROP INDEX tickets_client_updated;
CREATE INDEX tickets_client_updated ON tickets (client_id, updated_at DESC, id DESC, created_at);
DROP INDEX tickets_client_created;
