-- Hand-off to a peer consultant (src/handoff). A case knows her only by her pseudonym (the
-- 32-byte HMAC the store uses); the chat that reaches her stays sealed in `routes`. No text she
-- writes is stored: `case_messages` holds message ids only, so her messages can be relayed once
-- each and those written while she waited can be copied into the topic when the case is taken.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    who BLOB NOT NULL CHECK (length(who) = 32),
    locale TEXT NOT NULL,
    country TEXT,
    urgent INTEGER NOT NULL DEFAULT 0,
    -- Forms of violence from /check she agreed to share, comma-separated names; '' for none.
    forms TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'closed')),
    assignee INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    -- The case's forum topic and its card in the staff group.
    topic_id INTEGER,
    card_id INTEGER,
    -- Her message with her place in line, edited as the line moves.
    notice_id INTEGER,
    opened_at INTEGER NOT NULL,
    -- Since when she waits in line (kept when a case returns to the line, so it goes first).
    queued_at INTEGER NOT NULL,
    -- Returned to the line (transfer, silent or off-shift assignee): ahead of newer cases.
    front INTEGER NOT NULL DEFAULT 0,
    -- An urgent case's deadline passed and the supervisor was paged (once).
    escalated INTEGER NOT NULL DEFAULT 0,
    taken_at INTEGER,
    -- The assignee's last message in the topic (silence is measured from here).
    last_staff_at INTEGER,
    closed_at INTEGER,
    outcome TEXT,
    rating INTEGER
);
CREATE INDEX cases_who ON cases (who);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_topic ON cases (topic_id);

CREATE TABLE case_messages (
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    -- 'in': hers, from her chat into the topic; 'out': the assignee's, from the topic to her.
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    source_id INTEGER NOT NULL,
    -- The copy's id once relayed; NULL while it waits to be relayed.
    copy_id INTEGER,
    at INTEGER NOT NULL,
    PRIMARY KEY (case_id, direction, source_id)
);

-- Who said /online or /offline (working hours come from HELPLINE_WORKING_HOURS).
CREATE TABLE shifts (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    -- 1 after /online; 0 after /offline (which also holds during working hours).
    online INTEGER NOT NULL,
    since INTEGER NOT NULL
);

-- Small facts the desk keeps: the bound staff group, the board message.
CREATE TABLE desk (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
