-- After a case is closed, on the way to the anonymous counts (src/telegram/desk.rs): whether
-- she was asked if it may be counted, and the consultant's documentation form in progress.
-- In the database rather than in one process's memory, so her "yes" and the form's buttons
-- work whichever instance of the bot Telegram delivers them to. Nothing personal: the case,
-- where it stands, the form message, who may fill it in (a staff id) and the form's fields.
CREATE TABLE case_after (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    -- 'asked': the question waits for her answer; 'doc': the form is open in the topic.
    state TEXT NOT NULL CHECK (state IN ('asked', 'doc')),
    -- The form's message in the case topic, and the staff id of the consultant who held it.
    message_id BIGINT,
    assignee BIGINT,
    -- The form's fields so far (JSON: country, forms, perpetrators, refusals, step).
    form TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX case_after_message ON case_after (message_id);
