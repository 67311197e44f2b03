-- 0038: an access link carries its ticket's number, so a key is looked up
-- within its ticket: (ticket_id, key_hash) instead of key_hash alone. A
-- key's hash is random, so every email's new key went to a random page of
-- the old index (read, dirtied and written at each commit: about 10 us of
-- the writer's turn an opening); new tickets' keys now land together at the
-- index's end.
DROP INDEX ticket_access_keys_hash;
CREATE UNIQUE INDEX ticket_access_keys_ticket_hash ON ticket_access_keys (ticket_id, key_hash);
