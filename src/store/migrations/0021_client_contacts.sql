-- 0021: contacts (sub-accounts) of a client account (issue 16).
-- Written in the dialect both backends share (see 0001).
--
-- A contact is a row of clients with owner_id set: it signs in, resets its
-- password and turns on 2FA like any client, while the tickets it opens
-- belong to the owner. owner_id is deliberately not a foreign key: the
-- owner's domain functions remove or anonymise its contacts themselves, and
-- a table that references itself would complicate backup and import order.
-- contact_tickets: may open and see the account's tickets;
-- contact_emails: gets the account's ticket emails (never notes).
ALTER TABLE clients ADD COLUMN owner_id INTEGER;
ALTER TABLE clients ADD COLUMN contact_tickets INTEGER NOT NULL DEFAULT 0 CHECK (contact_tickets IN (0, 1));
ALTER TABLE clients ADD COLUMN contact_emails INTEGER NOT NULL DEFAULT 0 CHECK (contact_emails IN (0, 1));
-- Contatos: an account's contacts; who gets an account's ticket emails
CREATE INDEX clients_owner ON clients (owner_id, id) WHERE owner_id IS NOT NULL;
