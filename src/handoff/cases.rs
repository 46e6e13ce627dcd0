//! The cases table: the source of truth of the hand-off. The line, the board and every topic are
//! views of it. Everything here is shared by every instance of the bot on the same database, and
//! every change that must happen once (Take, escalation, a give-back, her consent, a saved form,
//! a new board) is one conditional write that exactly one caller wins. A case holds her
//! pseudonym, never her Telegram id; the chat that reaches her stays sealed in the store's routes.

use chrono::{DateTime, TimeDelta, Utc};

use super::CaseCode;
use super::line::Entry;
use crate::db::{Db, from_millis, millis, on_db};
use crate::domain::{CountryCode, Form, Locale};
use crate::privacy::Pseudonym;

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("database error while {doing}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("no free case code after many tries")]
    NoFreeCode,
}

impl crate::db::Transient for HandoffError {
    fn is_transient(&self) -> bool {
        match self {
            HandoffError::Database { source, .. } => crate::db::is_transient(source),
            HandoffError::NoFreeCode => false,
        }
    }
}

fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> HandoffError {
    move |source| HandoffError::Database { doing, source }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseState {
    Waiting,
    Active,
    Closed,
}

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Waiting => "waiting",
            CaseState::Active => "active",
            CaseState::Closed => "closed",
        }
    }

    fn parse(text: &str) -> CaseState {
        match text {
            "waiting" => CaseState::Waiting,
            "active" => CaseState::Active,
            _ => CaseState::Closed,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub id: i64,
    pub code: CaseCode,
    pub who: Pseudonym,
    pub locale: Locale,
    pub country: Option<CountryCode>,
    pub urgent: bool,
    /// Forms of violence she agreed to share with the consultant.
    pub forms: Vec<Form>,
    pub state: CaseState,
    pub assignee: Option<i64>,
    pub topic_id: Option<i32>,
    pub card_id: Option<i32>,
    /// Her message with her place in line.
    pub notice_id: Option<i32>,
    pub opened_at: DateTime<Utc>,
    pub queued_at: DateTime<Utc>,
    pub front: bool,
    pub escalated: bool,
    pub taken_at: Option<DateTime<Utc>>,
    pub last_staff_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Its team (`None`: the default team).
    pub team_id: Option<i64>,
    /// When its assignee was told working hours had ended (once per holding).
    pub warned_at: Option<DateTime<Utc>>,
}

impl Case {
    /// Its place in the line.
    pub fn entry(&self) -> Entry {
        Entry {
            code: self.code.clone(),
            urgent: self.urgent,
            front: self.front,
            since: millis(self.queued_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    code: String,
    who: Vec<u8>,
    locale: String,
    country: Option<String>,
    urgent: i64,
    forms: String,
    state: String,
    assignee: Option<i64>,
    topic_id: Option<i64>,
    card_id: Option<i64>,
    notice_id: Option<i64>,
    opened_at: i64,
    queued_at: i64,
    front: i64,
    escalated: i64,
    taken_at: Option<i64>,
    last_staff_at: Option<i64>,
    closed_at: Option<i64>,
    team_id: Option<i64>,
    warned_at: Option<i64>,
}

macro_rules! select_case {
    ($tail:literal) => {
        concat!(
            "SELECT id, code, who, locale, country, urgent, forms, state, assignee, topic_id, \
             card_id, notice_id, opened_at, queued_at, front, escalated, taken_at, last_staff_at, \
             closed_at, team_id, warned_at FROM cases ",
            $tail
        )
    };
}

fn case(row: CaseRow) -> Case {
    let CaseRow {
        id,
        code,
        who,
        locale,
        country,
        urgent,
        forms,
        state,
        assignee,
        topic_id,
        card_id,
        notice_id,
        opened_at,
        queued_at,
        front,
        escalated,
        taken_at,
        last_staff_at,
        closed_at,
        team_id,
        warned_at,
    } = row;
    let who: [u8; 32] = who.as_slice().try_into().unwrap_or([0; 32]);
    Case {
        id,
        // Only this module writes codes; an unreadable one (edited by hand) keeps its text.
        code: CaseCode::parse(&code).unwrap_or(CaseCode(code)),
        who: Pseudonym::from_bytes(who),
        locale: Locale::parse(&locale).unwrap_or(Locale::En),
        country: country.and_then(|c| CountryCode::parse(&c).ok()),
        urgent: urgent != 0,
        forms: forms
            .split(',')
            .filter_map(|f| Form::ALL.iter().copied().find(|x| x.as_str() == f))
            .collect(),
        state: CaseState::parse(&state),
        assignee,
        topic_id: topic_id.and_then(|t| i32::try_from(t).ok()),
        card_id: card_id.and_then(|t| i32::try_from(t).ok()),
        notice_id: notice_id.and_then(|t| i32::try_from(t).ok()),
        opened_at: from_millis(opened_at),
        queued_at: from_millis(queued_at),
        front: front != 0,
        escalated: escalated != 0,
        taken_at: taken_at.map(from_millis),
        last_staff_at: last_staff_at.map(from_millis),
        closed_at: closed_at.map(from_millis),
        team_id,
        warned_at: warned_at.map(from_millis),
    }
}

/// What a new case starts with.
pub struct NewCase<'a> {
    pub who: &'a Pseudonym,
    pub locale: Locale,
    pub country: Option<CountryCode>,
    pub urgent: bool,
    pub forms: &'a [Form],
    /// The team chosen for her (see [`super::teams::route`]).
    pub team_id: Option<i64>,
}

/// What [`Cases::open`] did.
#[derive(Clone, Debug)]
pub enum Opened {
    /// A new case, hers alone to announce.
    New(Case),
    /// She already had this case open (another instance opened it a moment ago).
    Existing(Case),
}

/// Which way a relayed message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Hers, from her chat into the topic.
    In,
    /// The assignee's, from the topic to her.
    Out,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Runs one write of the relay's own bookkeeping (message notes, marks, the assignee's last
/// word). On Postgres its commit does not wait for the disk (`synchronous_commit = off` for
/// this transaction only): these writes are on the relay's path, all of the staff group's
/// messages pass through one queue, and a slow fsync held every relayed message up to a tenth
/// of a second. The risk is small and on the safe side: only if Postgres itself crashes (a
/// clean restart flushes everything) can the last of these writes be gone, and then a
/// redelivered message is copied again — a repeat, never a loss. Gives the rows affected.
macro_rules! relay_write {
    ($db:expr, $sql:expr, [$($bind:expr),* $(,)?]) => {
        match $db {
            Db::Sqlite(pool) => sqlx::query($sql)
                $(.bind($bind))*
                .execute(pool)
                .await
                .map(|d| d.rows_affected()),
            Db::Postgres(pool) => {
                async {
                    let mut tx = pool.begin().await?;
                    sqlx::query("SET LOCAL synchronous_commit = off")
                        .execute(&mut *tx)
                        .await?;
                    let done = sqlx::query($sql)
                        $(.bind($bind))*
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok::<u64, sqlx::Error>(done.rows_affected())
                }
                .await
            }
        }
    };
}

/// The cases table and its companions (relayed message ids, shifts, desk facts).
#[derive(Clone, Debug)]
pub struct Cases {
    db: Db,
}

impl Cases {
    pub fn new(db: Db) -> Cases {
        Cases { db }
    }

    /// Opens a waiting case under a fresh random code.
    /// Opens her case, or returns the one she already has open: the database allows one open
    /// case per woman (a unique index), so two instances racing for her both get the same case,
    /// and only the one that opened it is told [`Opened::New`].
    pub async fn open(&self, new: NewCase<'_>, now: DateTime<Utc>) -> Result<Opened, HandoffError> {
        let forms: Vec<&str> = new.forms.iter().map(|f| f.as_str()).collect();
        let forms = forms.join(",");
        for _ in 0..32 {
            let code = CaseCode::random();
            // No conflict target: a taken code and an open case of hers both insert nothing.
            let sql = "INSERT INTO cases (code, who, locale, country, urgent, forms, state, opened_at, \
                 queued_at, team_id) VALUES ($1, $2, $3, $4, $5, $6, 'waiting', $7, $7, $8) \
                 ON CONFLICT DO NOTHING RETURNING id, code, who, locale, country, urgent, \
                 forms, state, assignee, topic_id, card_id, notice_id, opened_at, queued_at, \
                 front, escalated, taken_at, last_staff_at, closed_at, team_id, warned_at";
            let row: Option<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
                .bind(code.as_str())
                .bind(new.who.as_bytes().as_slice())
                .bind(new.locale.code())
                .bind(new.country.map(|c| c.as_str().to_owned()))
                .bind(i64::from(new.urgent))
                .bind(&forms)
                .bind(millis(now))
                .bind(new.team_id)
                .fetch_optional(pool)
                .await)
            .map_err(database("opening a case"))?;
            if let Some(row) = row {
                return Ok(Opened::New(case(row)));
            }
            if let Some(existing) = self.open_for(new.who).await? {
                return Ok(Opened::Existing(existing));
            }
        }
        Err(HandoffError::NoFreeCode)
    }

    pub async fn by_code(&self, code: &CaseCode) -> Result<Option<Case>, HandoffError> {
        let row: Option<CaseRow> =
            on_db!(&self.db, pool => sqlx::query_as(select_case!("WHERE code = $1"))
            .bind(code.as_str())
            .fetch_optional(pool)
            .await)
            .map_err(database("reading a case"))?;
        Ok(row.map(case))
    }

    pub async fn by_topic(&self, topic_id: i32) -> Result<Option<Case>, HandoffError> {
        let row: Option<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(
            select_case!("WHERE topic_id = $1 AND state <> 'closed' ORDER BY id DESC LIMIT 1"))
            .bind(i64::from(topic_id))
            .fetch_optional(pool)
            .await)
        .map_err(database("reading a case"))?;
        Ok(row.map(case))
    }

    /// Her open case (waiting or active), if any.
    pub async fn open_for(&self, who: &Pseudonym) -> Result<Option<Case>, HandoffError> {
        let row: Option<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(
            select_case!("WHERE who = $1 AND state <> 'closed' ORDER BY id DESC LIMIT 1"))
            .bind(who.as_bytes().as_slice())
            .fetch_optional(pool)
            .await)
        .map_err(database("reading her case"))?;
        Ok(row.map(case))
    }

    /// Every waiting case, in line order (urgent, returned, oldest).
    pub async fn waiting(&self) -> Result<Vec<Case>, HandoffError> {
        let rows: Vec<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(
            select_case!("WHERE state = 'waiting' ORDER BY urgent DESC, front DESC, queued_at, id"))
            .fetch_all(pool)
            .await)
        .map_err(database("listing waiting cases"))?;
        Ok(rows.into_iter().map(case).collect())
    }

    /// Every case being answered.
    pub async fn active(&self) -> Result<Vec<Case>, HandoffError> {
        let rows: Vec<CaseRow> = on_db!(&self.db, pool => sqlx::query_as(
            select_case!("WHERE state = 'active' ORDER BY id"))
            .fetch_all(pool)
            .await)
        .map_err(database("listing active cases"))?;
        Ok(rows.into_iter().map(case).collect())
    }

    pub async fn set_topic(
        &self,
        id: i64,
        topic_id: i32,
        card_id: Option<i32>,
    ) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query("UPDATE cases SET topic_id = $1, card_id = $2 WHERE id = $3")
            .bind(i64::from(topic_id))
            .bind(card_id.map(i64::from))
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("noting a case's topic"))?;
        Ok(())
    }

    pub async fn set_notice(&self, id: i64, message_id: i32) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query("UPDATE cases SET notice_id = $1 WHERE id = $2")
            .bind(i64::from(message_id))
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("noting her place message"))?;
        Ok(())
    }

    /// The arbiter of a race for a case: only one of any number of concurrent callers turns a
    /// waiting case into an active one. True for the winner.
    pub async fn take(
        &self,
        id: i64,
        staff_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET state = 'active', assignee = $1, taken_at = $2, last_staff_at = $2, \
             front = 0, warned_at = NULL WHERE id = $3 AND state = 'waiting'")
            .bind(staff_id)
            .bind(millis(now))
            .bind(id)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("taking a case"))?;
        Ok(done == 1)
    }

    /// Hands an active case straight to a colleague.
    pub async fn reassign(
        &self,
        id: i64,
        from: i64,
        to: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET assignee = $1, last_staff_at = $2, warned_at = NULL \
             WHERE id = $3 AND state = 'active' AND assignee = $4")
            .bind(to)
            .bind(millis(now))
            .bind(id)
            .bind(from)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("handing a case over"))?;
        Ok(done == 1)
    }

    /// Puts an active case back in the line, ahead of newer cases. Only if `from` still holds it.
    pub async fn requeue(&self, id: i64, from: i64) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET state = 'waiting', assignee = NULL, front = 1, warned_at = NULL \
             WHERE id = $1 AND state = 'active' AND assignee = $2")
            .bind(id)
            .bind(from)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("returning a case to the line"))?;
        Ok(done == 1)
    }

    /// Closes a case (by whoever holds it, or any waiting case). False when already closed.
    pub async fn close(
        &self,
        id: i64,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET state = 'closed', closed_at = $1, outcome = $2 \
             WHERE id = $3 AND state <> 'closed'")
            .bind(millis(now))
            .bind(outcome)
            .bind(id)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("closing a case"))?;
        Ok(done == 1)
    }

    pub async fn rate(&self, id: i64, who: &Pseudonym, rating: i64) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET rating = $1 WHERE id = $2 AND who = $3 AND state = 'closed' \
             AND rating IS NULL")
            .bind(rating)
            .bind(id)
            .bind(who.as_bytes().as_slice())
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("rating a case"))?;
        Ok(done == 1)
    }

    /// The assignee's last word in the topic (silence is measured from it). A relay write:
    /// see `relay_write!` in this file.
    pub async fn touch_staff(&self, id: i64, now: DateTime<Utc>) -> Result<(), HandoffError> {
        relay_write!(
            &self.db,
            "UPDATE cases SET last_staff_at = $1 WHERE id = $2",
            [millis(now), id]
        )
        .map_err(database("noting a reply"))?;
        Ok(())
    }

    /// Marks an urgent case as escalated; true only the first time.
    pub async fn escalate(&self, id: i64) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET escalated = 1 WHERE id = $1 AND escalated = 0 AND state = 'waiting'")
            .bind(id)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("escalating a case"))?;
        Ok(done == 1)
    }

    /// Notes that the assignee `from` was told working hours ended while she held the case.
    /// True only for the first caller (two instances ticking warn her once).
    pub async fn warn(&self, id: i64, from: i64, now: DateTime<Utc>) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET warned_at = $1 \
             WHERE id = $2 AND state = 'active' AND assignee = $3 AND warned_at IS NULL")
            .bind(millis(now))
            .bind(id)
            .bind(from)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("noting an end-of-hours warning"))?;
        Ok(done == 1)
    }

    /// She is on shift again (/online): the warnings about her cases are void.
    pub async fn clear_warnings(&self, staff_id: i64) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query(
            "UPDATE cases SET warned_at = NULL WHERE assignee = $1 AND state = 'active'")
            .bind(staff_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("clearing end-of-hours warnings"))?;
        Ok(())
    }

    /// How many cases a consultant holds.
    pub async fn held_by(&self, staff_id: i64) -> Result<u32, HandoffError> {
        let n: i64 = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT count(*) FROM cases WHERE assignee = $1 AND state = 'active'")
            .bind(staff_id)
            .fetch_one(pool)
            .await)
        .map_err(database("counting cases"))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The average wait of the last cases taken, for her estimate; `None` before the first.
    pub async fn recent_wait(&self) -> Result<Option<TimeDelta>, HandoffError> {
        let waits: Vec<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT taken_at - queued_at FROM cases WHERE taken_at IS NOT NULL \
             ORDER BY taken_at DESC LIMIT 20")
            .fetch_all(pool)
            .await)
        .map_err(database("measuring waits"))?;
        if waits.is_empty() {
            return Ok(None);
        }
        let average = waits.iter().map(|w| (*w).max(0)).sum::<i64>() / waits.len() as i64;
        Ok(Some(TimeDelta::milliseconds(average)))
    }

    /// Deletes closed cases older than `retention` (and their message ids). Returns how many.
    pub async fn purge(
        &self,
        now: DateTime<Utc>,
        retention: TimeDelta,
    ) -> Result<u64, HandoffError> {
        let before = millis(now - retention);
        on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM case_messages WHERE case_id IN \
             (SELECT id FROM cases WHERE state = 'closed' AND closed_at < $1)")
            .bind(before)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("purging cases"))?;
        on_db!(&self.db, pool => sqlx::query("DELETE FROM cases WHERE state = 'closed' AND closed_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("purging cases"))
    }

    // ----- relayed messages ------------------------------------------------------------------

    /// Notes a message to relay. False if it was noted before (a redelivered update).
    /// Notes a message before it is copied; false when it was noted already (a redelivery).
    /// A relay write: see `relay_write!` in this file.
    pub async fn note_message(
        &self,
        case_id: i64,
        direction: Direction,
        source_id: i32,
        now: DateTime<Utc>,
    ) -> Result<bool, HandoffError> {
        let done = relay_write!(
            &self.db,
            "INSERT INTO case_messages (case_id, direction, source_id, at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [
                case_id,
                direction.as_str(),
                i64::from(source_id),
                millis(now)
            ]
        )
        .map_err(database("noting a message"))?;
        Ok(done == 1)
    }

    /// Whether a noted message was relayed already.
    pub async fn relayed(
        &self,
        case_id: i64,
        direction: Direction,
        source_id: i32,
    ) -> Result<bool, HandoffError> {
        let copy: Option<Option<i64>> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT copy_id FROM case_messages WHERE case_id = $1 AND direction = $2 AND source_id = $3")
            .bind(case_id)
            .bind(direction.as_str())
            .bind(i64::from(source_id))
            .fetch_optional(pool)
            .await)
        .map_err(database("reading a message note"))?;
        Ok(matches!(copy, Some(Some(_))))
    }

    /// Marks a noted message as copied. A relay write: see `relay_write!` in this file.
    pub async fn mark_relayed(
        &self,
        case_id: i64,
        direction: Direction,
        source_id: i32,
        copy_id: i32,
    ) -> Result<(), HandoffError> {
        relay_write!(
            &self.db,
            "UPDATE case_messages SET copy_id = $1 \
             WHERE case_id = $2 AND direction = $3 AND source_id = $4",
            [
                i64::from(copy_id),
                case_id,
                direction.as_str(),
                i64::from(source_id)
            ]
        )
        .map_err(database("noting a relayed message"))?;
        Ok(())
    }

    /// Her messages not yet relayed (written while she waited), oldest first.
    pub async fn unrelayed(&self, case_id: i64) -> Result<Vec<i32>, HandoffError> {
        let ids: Vec<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT source_id FROM case_messages WHERE case_id = $1 AND direction = 'in' \
             AND copy_id IS NULL ORDER BY source_id")
            .bind(case_id)
            .fetch_all(pool)
            .await)
        .map_err(database("listing waiting messages"))?;
        Ok(ids
            .into_iter()
            .filter_map(|i| i32::try_from(i).ok())
            .collect())
    }

    // ----- shifts ----------------------------------------------------------------------------

    /// Her /online or /offline, in force until `lapses` (`None`: until she says otherwise).
    pub async fn set_online(
        &self,
        staff_id: i64,
        online: bool,
        now: DateTime<Utc>,
        lapses: Option<DateTime<Utc>>,
    ) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO shifts (staff_id, online, since, lapses_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (staff_id) DO UPDATE SET online = excluded.online, since = excluded.since, \
             lapses_at = excluded.lapses_at")
            .bind(staff_id)
            .bind(i64::from(online))
            .bind(millis(now))
            .bind(lapses.map(millis))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("changing a shift"))?;
        Ok(())
    }

    /// The statements in force at `now`: staff id and whether she said /online (`true`) or
    /// /offline (`false`) last. A lapsed statement is as if never made.
    pub async fn said(&self, now: DateTime<Utc>) -> Result<Vec<(i64, bool)>, HandoffError> {
        let rows: Vec<(i64, i64)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT staff_id, online FROM shifts WHERE lapses_at IS NULL OR lapses_at > $1 \
             ORDER BY staff_id")
            .bind(millis(now))
            .fetch_all(pool)
            .await)
        .map_err(database("listing shifts"))?;
        Ok(rows.into_iter().map(|(id, on)| (id, on != 0)).collect())
    }

    // ----- after a case: her consent to count it, the documentation form ----------------------

    /// Notes that she was asked whether a closed case may be counted.
    pub async fn ask_count(&self, case_id: i64, now: DateTime<Utc>) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO case_after (case_id, state, at) VALUES ($1, 'asked', $2) \
             ON CONFLICT (case_id) DO NOTHING")
            .bind(case_id)
            .bind(millis(now))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("noting the count question"))?;
        Ok(())
    }

    /// Her answer to the count question: true exactly once, for the first answer to a question
    /// asked (a second press, or the same update delivered twice to two instances, gets false).
    pub async fn answer_count(&self, case_id: i64) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM case_after WHERE case_id = $1 AND state = 'asked'")
            .bind(case_id)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("taking her answer"))?;
        Ok(done == 1)
    }

    /// The documentation form is open under `message_id` in the case topic, for `assignee`.
    pub async fn open_doc(
        &self,
        case_id: i64,
        message_id: i32,
        assignee: i64,
        form: &str,
        now: DateTime<Utc>,
    ) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO case_after (case_id, state, message_id, assignee, form, at) \
             VALUES ($1, 'doc', $2, $3, $4, $5) ON CONFLICT (case_id) DO UPDATE SET \
             state = 'doc', message_id = excluded.message_id, assignee = excluded.assignee, \
             form = excluded.form, at = excluded.at")
            .bind(case_id)
            .bind(i64::from(message_id))
            .bind(assignee)
            .bind(form)
            .bind(millis(now))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("opening the documentation form"))?;
        Ok(())
    }

    /// The open form under `message_id`: its case, who may fill it in, and its fields so far.
    pub async fn doc_by_message(
        &self,
        message_id: i32,
    ) -> Result<Option<(i64, i64, String)>, HandoffError> {
        let row: Option<(i64, Option<i64>, Option<String>)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT case_id, assignee, form FROM case_after WHERE state = 'doc' AND message_id = $1 \
             ORDER BY case_id DESC LIMIT 1")
            .bind(i64::from(message_id))
            .fetch_optional(pool)
            .await)
        .map_err(database("reading the documentation form"))?;
        Ok(row.and_then(|(case_id, assignee, form)| Some((case_id, assignee?, form?))))
    }

    /// Replaces the form's fields, only if they are still `before`: of two presses handled at
    /// once (two instances), one applies and the other is told nothing changed.
    pub async fn update_doc(
        &self,
        case_id: i64,
        before: &str,
        after: &str,
    ) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "UPDATE case_after SET form = $1 WHERE case_id = $2 AND state = 'doc' AND form = $3")
            .bind(after)
            .bind(case_id)
            .bind(before)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("updating the documentation form"))?;
        Ok(done == 1)
    }

    /// Ends the form (saved or discarded), only if its fields are still `before`: true exactly
    /// once, so a form is stored once however often "Save" arrives.
    pub async fn close_doc(&self, case_id: i64, before: &str) -> Result<bool, HandoffError> {
        let done = on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM case_after WHERE case_id = $1 AND state = 'doc' AND form = $2")
            .bind(case_id)
            .bind(before)
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("closing the documentation form"))?;
        Ok(done == 1)
    }

    // ----- desk facts ------------------------------------------------------------------------

    pub async fn fact(&self, key: &str) -> Result<Option<i64>, HandoffError> {
        on_db!(&self.db, pool => sqlx::query_scalar("SELECT value FROM desk WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await)
        .map_err(database("reading the desk"))
    }

    /// Replaces a fact only if it still holds `seen` (`None`: only if there is none yet). True
    /// for exactly one of any number of instances racing to change it.
    pub async fn swap_fact(
        &self,
        key: &str,
        seen: Option<i64>,
        value: i64,
    ) -> Result<bool, HandoffError> {
        let done = match seen {
            None => on_db!(&self.db, pool => sqlx::query(
                "INSERT INTO desk (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(key)
                .bind(value)
                .execute(pool)
                .await
                .map(|d| d.rows_affected())),
            Some(seen) => on_db!(&self.db, pool => sqlx::query(
                "UPDATE desk SET value = $1 WHERE key = $2 AND value = $3")
                .bind(value)
                .bind(key)
                .bind(seen)
                .execute(pool)
                .await
                .map(|d| d.rows_affected())),
        }
        .map_err(database("writing the desk"))?;
        Ok(done == 1)
    }

    pub async fn set_fact(&self, key: &str, value: i64) -> Result<(), HandoffError> {
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO desk (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("writing the desk"))?;
        Ok(())
    }
}
