-- 0041: a session carries what every request needs of its account, kept by
-- triggers (see 0041_session_account_sqlite.sql for why). PostgreSQL's
-- version: one statement a session instead of a join of three tables.
ALTER TABLE sessions ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN twofa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN owner_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN contact_tickets INTEGER NOT NULL DEFAULT 0;

-- The session's copy of its account, as it is now (none: left inactive).
CREATE FUNCTION session_account_copy(session_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE sessions s SET name = c.name, email = c.email, language = c.language, active = c.active,
		owner_id = COALESCE(c.owner_id, 0), contact_tickets = c.contact_tickets
		FROM clients c WHERE s.id = session_id AND s.user_kind = 'client' AND c.id = s.user_id;
	UPDATE sessions s SET name = t.name, email = t.email, role = t.role, language = t.language,
		active = t.active
		FROM staff t WHERE s.id = session_id AND s.user_kind = 'staff' AND t.id = s.user_id;
	UPDATE sessions s SET twofa = CASE WHEN EXISTS (SELECT 1 FROM two_factor f
		WHERE f.user_kind = s.user_kind AND f.user_id = s.user_id AND f.enabled_at IS NOT NULL)
		THEN 1 ELSE 0 END
		WHERE s.id = session_id;
END;
$$;

SELECT session_account_copy(id) FROM sessions;

CREATE FUNCTION sessions_account_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM session_account_copy(NEW.id);
	RETURN NULL;
END;
$$;
CREATE TRIGGER sessions_account AFTER INSERT ON sessions
	FOR EACH ROW EXECUTE FUNCTION sessions_account_insert();

-- A changed account changes its sessions; a removed one leaves them
-- inactive, as the join did.
CREATE FUNCTION clients_sessions_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE sessions SET active = 0 WHERE user_kind = 'client' AND user_id = OLD.id;
	ELSE
		UPDATE sessions SET name = NEW.name, email = NEW.email, language = NEW.language,
			active = NEW.active, owner_id = COALESCE(NEW.owner_id, 0),
			contact_tickets = NEW.contact_tickets
			WHERE user_kind = 'client' AND user_id = NEW.id;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER clients_sessions_update AFTER UPDATE OF name, email, language, active, owner_id,
	contact_tickets ON clients FOR EACH ROW EXECUTE FUNCTION clients_sessions_change();
CREATE TRIGGER clients_sessions_delete AFTER DELETE ON clients
	FOR EACH ROW EXECUTE FUNCTION clients_sessions_change();

CREATE FUNCTION staff_sessions_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		UPDATE sessions SET active = 0 WHERE user_kind = 'staff' AND user_id = OLD.id;
	ELSE
		UPDATE sessions SET name = NEW.name, email = NEW.email, role = NEW.role,
			language = NEW.language, active = NEW.active
			WHERE user_kind = 'staff' AND user_id = NEW.id;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER staff_sessions_update AFTER UPDATE OF name, email, role, language, active ON staff
	FOR EACH ROW EXECUTE FUNCTION staff_sessions_change();
CREATE TRIGGER staff_sessions_delete AFTER DELETE ON staff
	FOR EACH ROW EXECUTE FUNCTION staff_sessions_change();

-- Two-factor sign-in turned on or off.
CREATE FUNCTION two_factor_sessions_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE sessions SET twofa = 0 WHERE user_kind = OLD.user_kind AND user_id = OLD.user_id;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		UPDATE sessions SET twofa = CASE WHEN NEW.enabled_at IS NOT NULL THEN 1 ELSE 0 END
			WHERE user_kind = NEW.user_kind AND user_id = NEW.user_id;
	END IF;
	RETURN NULL;
END;
$$;
CREATE TRIGGER two_factor_sessions AFTER INSERT OR UPDATE OR DELETE ON two_factor
	FOR EACH ROW EXECUTE FUNCTION two_factor_sessions_change();
