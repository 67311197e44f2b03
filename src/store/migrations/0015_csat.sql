-- 0010: customer satisfaction (CSAT, issue 17). One rating per ticket,
-- changeable for 7 days after it is first given; staff_id is the agent it
-- credits (the assignee, else the last staff member who replied).
CREATE TABLE csat_ratings (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
	comment TEXT NOT NULL DEFAULT '',
	department_id INTEGER NOT NULL,
	staff_id INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_id)
);

-- When the survey email was last sent for a ticket ("on close": once).
CREATE TABLE csat_surveys (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	sent_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_id)
);
