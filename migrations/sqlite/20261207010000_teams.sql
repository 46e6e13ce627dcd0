-- Teams (src/handoff/teams.rs): each with its working hours, time zone, holidays and urgent
-- deadline, and the cases it serves. `hours` is the `Mon-Fri 09:00-18:00; Sat 10:00-14:00`
-- text ('' = no working hours: only /online counts); `countries` and `languages` are
-- comma-separated codes ('' = all). The team with the lowest id is the default team: staff and
-- cases without a team belong to it, and a case no other team serves goes to it.
CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    hours TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    holidays TEXT NOT NULL DEFAULT '',
    urgent_deadline_min INTEGER NOT NULL DEFAULT 5,
    countries TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

-- NULL: the default team.
ALTER TABLE staff ADD COLUMN team_id INTEGER REFERENCES teams (id);
-- The team whose hours, deadline and consultants serve the case; chosen when it opens
-- (no foreign key: a closed case keeps the id of a team deleted since).
ALTER TABLE cases ADD COLUMN team_id INTEGER;
-- Working hours ended while the assignee held the case and she was told (once); the case
-- goes back to the line after the grace unless she says /online.
ALTER TABLE cases ADD COLUMN warned_at INTEGER;
-- When a /online or /offline statement lapses (the team's hours next begin or end); NULL:
-- it holds until changed (a team without working hours).
ALTER TABLE shifts ADD COLUMN lapses_at INTEGER;
