-- The store's tables (src/store). Columns hold only pseudonyms (32-byte HMACs), sealed values,
-- message/update ids and times (unix milliseconds). Never a Telegram user id, chat id or text.

-- Update ids already processed, so a redelivered update is handled once.
CREATE TABLE seen_updates (
    update_id INTEGER PRIMARY KEY,
    seen_at INTEGER NOT NULL
);
CREATE INDEX seen_updates_seen_at ON seen_updates (seen_at);

-- Her conversation session, sealed (Purpose::Session, bound to her pseudonym).
CREATE TABLE sessions (
    who BLOB PRIMARY KEY NOT NULL CHECK (length(who) = 32),
    sealed BLOB NOT NULL,
    touched_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_touched_at ON sessions (touched_at);

-- The chat that reaches her, sealed (Purpose::Route, bound to her pseudonym).
CREATE TABLE routes (
    who BLOB PRIMARY KEY NOT NULL CHECK (length(who) = 32),
    sealed_chat_id BLOB NOT NULL,
    touched_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX routes_touched_at ON routes (touched_at);

-- Message ids in her chat, kept 48 hours for quick exit.
CREATE TABLE message_ids (
    who BLOB NOT NULL CHECK (length(who) = 32),
    message_id INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (who, message_id)
) WITHOUT ROWID;
CREATE INDEX message_ids_sent_at ON message_ids (sent_at);

-- One sealed constant: detects a process started with another HELPLINE_SECRET.
CREATE TABLE key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
);
