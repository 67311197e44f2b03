-- 0019: tags on tickets and custom fields per department (issue 16).
-- Written in the dialect both backends share (see 0001).
--
-- A tag is a normalised word (domain/ticket_tag.c: lower-case, '-' for
-- spaces, a short set of characters), so equal tags are equal strings.
CREATE TABLE ticket_tags (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	tag TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, tag)
);
-- the queue filtered by a tag, and a tag's count
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

-- A field of a department's tickets. kind: text, number, select (options:
-- one a line), checkbox. client_visible 0: staff-only, never shown to the
-- client (pages, emails). Deleting a field deletes its values.
CREATE TABLE custom_fields (
	id INTEGER PRIMARY KEY,
	department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('text', 'number', 'select', 'checkbox')),
	options TEXT NOT NULL DEFAULT '',
	required INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
	client_visible INTEGER NOT NULL DEFAULT 1 CHECK (client_visible IN (0, 1)),
	sort_order INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE INDEX custom_fields_department ON custom_fields (department_id, sort_order, id);

-- A ticket's value of a field: only non-empty values are kept (a checkbox
-- ticked is '1').
CREATE TABLE ticket_field_values (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	field_id INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
	value TEXT NOT NULL,
	PRIMARY KEY (ticket_id, field_id)
);
-- the queue filtered by a field's value
CREATE INDEX ticket_field_values_value ON ticket_field_values (field_id, value, ticket_id);
