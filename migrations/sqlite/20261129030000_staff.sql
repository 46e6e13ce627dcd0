-- Staff: peer consultants and coordinators (src/staff). A staff member's Telegram id is kept in
-- the clear: the bot must reach her and recognise her. Staff are employees registered on purpose;
-- the women the helpline serves are never in this table. `name` is the pseudonym women see.
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('consultant', 'coordinator')),
    max_cases INTEGER NOT NULL DEFAULT 3 CHECK (max_cases BETWEEN 1 AND 50),
    added_at INTEGER NOT NULL
);
