-- At most one open case per woman, decided by the database: two instances handling her two
-- presses of "connect" at once cannot open two cases (src/handoff/cases.rs `open`). Any
-- duplicates already there are closed first, the oldest open case kept.
UPDATE cases SET state = 'closed', outcome = 'duplicate', closed_at = opened_at
WHERE state <> 'closed'
  AND EXISTS (SELECT 1 FROM cases AS older
              WHERE older.who = cases.who AND older.state <> 'closed' AND older.id < cases.id);
CREATE UNIQUE INDEX cases_one_open ON cases (who) WHERE state <> 'closed';
