-- 0041: a session carries what every request needs of its account (name,
-- email, role, language, active, two-factor, the contact's owner and
-- permission), kept by triggers in the transaction that changes the
-- account. Reading a session joined the account's table (three pages of
-- clients at 100,000 clients) and the two-factor one: under writes a
-- reader's cache is emptied by each commit, and those pages were read from
-- the file again at every request, half the page reads of an opening.
-- SQLite's triggers; 0041_session_account_pgsql.sql is the same for
-- PostgreSQL.
ALTER TABLE sessions ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN twofa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN contact_tickets INTEGER NOT NULL DEFAULT 0;

UPDATE sessions SET (name, email, language, active, owner_id, contact_tickets) =
	(SELECT c.name, c.email, c.language, c.active, COALESCE(c.owner_id, 0), c.contact_tickets
	 FROM clients c WHERE c.id = sessions.user_id)
	WHERE user_kind = 'client' AND EXISTS (SELECT 1 FROM clients c WHERE c.id = sessions.user_id);
UPDATE sessions SET (name, email, role, language, active) =
	(SELECT t.name, t.email, t.role, t.language, t.active FROM staff t WHERE t.id = sessions.user_id)
	WHERE user_kind = 'staff' AND EXISTS (SELECT 1 FROM staff t WHERE t.id = sessions.user_id);
UPDATE sessions SET twofa = EXISTS (SELECT 1 FROM two_factor f WHERE f.user_kind = sessions.user_kind
	AND f.user_id = sessions.user_id AND f.enabled_at IS NOT NULL);

-- A new session copies its account as it is.
CREATE TRIGGER sessions_account_client AFTER INSERT ON sessions WHEN NEW.user_kind = 'client' BEGIN
	UPDATE sessions SET (name, email, language, active, owner_id, contact_tickets) =
		(SELECT c.name, c.email, c.language, c.active, COALESCE(c.owner_id, 0), c.contact_tickets
		 FROM clients c WHERE c.id = NEW.user_id),
		twofa = EXISTS (SELECT 1 FROM two_factor f WHERE f.user_kind = 'client'
			AND f.user_id = NEW.user_id AND f.enabled_at IS NOT NULL)
		WHERE id = NEW.id AND EXISTS (SELECT 1 FROM clients c WHERE c.id = NEW.user_id);
END;
CREATE TRIGGER sessions_account_staff AFTER INSERT ON sessions WHEN NEW.user_kind = 'staff' BEGIN
	UPDATE sessions SET (name, email, role, language, active) =
		(SELECT t.name, t.email, t.role, t.language, t.active FROM staff t WHERE t.id = NEW.user_id),
		twofa = EXISTS (SELECT 1 FROM two_factor f WHERE f.user_kind = 'staff'
			AND f.user_id = NEW.user_id AND f.enabled_at IS NOT NULL)
		WHERE id = NEW.id AND EXISTS (SELECT 1 FROM staff t WHERE t.id = NEW.user_id);
END;

-- A changed account changes its sessions; a removed one leaves them
-- inactive, as the join did.
CREATE TRIGGER clients_sessions_update AFTER UPDATE OF name, email, language, active, owner_id,
	contact_tickets ON clients BEGIN
	UPDATE sessions SET name = NEW.name, email = NEW.email, language = NEW.language,
		active = NEW.active, owner_id = COALESCE(NEW.owner_id, 0), contact_tickets = NEW.contact_tickets
		WHERE user_kind = 'client' AND user_id = NEW.id;
END;
CREATE TRIGGER clients_sessions_delete AFTER DELETE ON clients BEGIN
	UPDATE sessions SET active = 0 WHERE user_kind = 'client' AND user_id = OLD.id;
END;
CREATE TRIGGER staff_sessions_update AFTER UPDATE OF name, email, role, language, active ON staff BEGIN
	UPDATE sessions SET name = NEW.name, email = NEW.email, role = NEW.role, language = NEW.language,
		active = NEW.active
		WHERE user_kind = 'staff' AND user_id = NEW.id;
END;
CREATE TRIGGER staff_sessions_delete AFTER DELETE ON staff BEGIN
	UPDATE sessions SET active = 0 WHERE user_kind = 'staff' AND user_id = OLD.id;
END;

-- Two-factor sign-in turned on or off.
CREATE TRIGGER two_factor_sessions_insert AFTER INSERT ON two_factor BEGIN
	UPDATE sessions SET twofa = NEW.enabled_at IS NOT NULL
		WHERE user_kind = NEW.user_kind AND user_id = NEW.user_id;
END;
CREATE TRIGGER two_factor_sessions_update AFTER UPDATE OF enabled_at, user_kind, user_id ON two_factor BEGIN
	UPDATE sessions SET twofa = 0 WHERE user_kind = OLD.user_kind AND user_id = OLD.user_id;
	UPDATE sessions SET twofa = NEW.enabled_at IS NOT NULL
		WHERE user_kind = NEW.user_kind AND user_id = NEW.user_id;
END;
CREATE TRIGGER two_factor_sessions_delete AFTER DELETE ON two_factor BEGIN
	UPDATE sessions SET twofa = 0 WHERE user_kind = OLD.user_kind AND user_id = OLD.user_id;
END;
