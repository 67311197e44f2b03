-- 0031: every email about a ticket threads under the client's last message
-- that came by email (store_mail_thread_ids). Without an index of those,
-- each email walked all the client's messages on the ticket from the last
-- one back, inside the transaction of the reply that sends it: on a ticket
-- with 10,000 messages, 2 ms per email and half of a reply's time. Only
-- messages that came by email enter this index, so other writes pay nothing.
CREATE INDEX messages_ticket_client_email ON messages (ticket_id, id)
	WHERE author_kind = 'client' AND (email_message_id IS NOT NULL OR submission_key LIKE 'email:%');
