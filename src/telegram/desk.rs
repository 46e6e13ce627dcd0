//! The hand-off desk: the staff group's side of a case (PRODUCT.md §3).
//!
//! She asks for a person → a case (database) → the waiting line → a forum topic named by the
//! case code, with a card (language, country, urgency, the forms she agreed to share — never
//! who she is) and a Take button → a board of the waiting line in the General topic. Take is
//! decided by one conditional update in the database, so exactly one consultant wins. Then her
//! messages are copied into the topic and the assignee's messages in the topic are copied to
//! her (`copyMessage`: no "forwarded from", no name). `/note` stays in the topic; nothing from
//! the General topic or from anyone but the assignee reaches her.
//!
//! Every message is relayed once: its id is noted in `case_messages` before the copy and
//! marked after it, so a redelivered update (a restart mid-relay, a duplicate from Telegram) is
//! not copied again. Nothing she writes is stored, only message ids. The mark after a copy waits
//! out a database outage ([`crate::db::patiently`]) rather than fail: a failed mark would let
//! the retried update copy the message again. The ids of messages that land in her chat (hers,
//! the copies, the desk's notices), which her quick exit deletes, go to the store's
//! [`Ledger`]: written behind the relay, so no message waits for the disk on their account;
//! [`Desk::forget`] flushes it before her quick exit reads them. Redis being away costs nothing: a case opened
//! meanwhile is in the database, and the clock puts it in line (and says every place again)
//! when Redis is back.
//!
//! Teams and shifts ([`crate::handoff::teams`]): a case belongs to a team, chosen when it opens
//! from her country and language. Paging, "nobody on shift", the wait estimate and the urgent
//! deadline are the case's team's. Who is on shift is read once per decision (`Roster`):
//! during the team's working hours every member not /offline, outside them whoever said
//! /online; /online and /offline last until the team's hours next begin or end. When the hours
//! end while an assignee holds a case, the clock ([`Desk::tick`]) tells her once, and after
//! [`DeskRules::end_of_hours_grace`] gives the case back to the front of the line (both steps are
//! conditional updates, so several instances do each once).
//!
//! After /end she is asked whether the case may be counted; if she says yes, the consultant who
//! held it gets the documentation form in the topic. Both wait in `case_after`, not in memory.
//!
//! Several instances (webhook mode behind one address, one database, REDIS_URL) may run this
//! desk side by side, and Telegram hands each update to whichever instance it reaches. So every
//! fact the desk acts on is in the database (cases, relayed message ids, the board's message,
//! the bound group, her consent question, the form), and every step that must happen once is
//! one conditional write only one instance wins: Take, an escalation, a give-back, her "yes",
//! a saved form, a new board. Both clocks tick; each deadline is acted on once.
//!
//! Staff-side text is English (the team's working language); what she sees is in her locale.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::outbound::{Outbound, SendError};
use crate::content::Content;
use crate::conversation::{Button, OutMessage, Session};
use crate::db::{PATIENCE, patiently};
use crate::domain::{Form, Locale};
use crate::handoff::cases::{Direction, NewCase, Opened};
use crate::handoff::teams::{Team, TeamError, Teams, route};
use crate::handoff::{Case, CaseCode, CaseState, Cases, HandoffError, Line, WorkingHours};
use crate::i18n::Args;
use crate::privacy::Pseudonym;
use crate::staff::{Role, Staff, StaffMember};
use crate::stats::doc::{DocForm, Outcome};
use crate::stats::{Consent, Place};
use crate::store::{Ledger, Store};

/// Timing rules of the desk. Defaults suit a small team; tests shorten them.
#[derive(Clone, Copy, Debug)]
pub struct DeskRules {
    /// An urgent case not taken within this is escalated: the supervisor is paged and she is
    /// given the emergency numbers.
    pub urgent_deadline: TimeDelta,
    /// An assignee silent this long gives the case back to the line (front).
    pub silence_limit: TimeDelta,
    /// How long a claim in the line is held before the database settles it.
    pub lease: Duration,
    /// The wait assumed before any case was ever taken.
    pub default_wait: TimeDelta,
    /// When working hours end while she holds a case, how long the assignee has to say
    /// /online before the case goes back to the line.
    pub end_of_hours_grace: TimeDelta,
}

impl Default for DeskRules {
    fn default() -> DeskRules {
        DeskRules {
            urgent_deadline: TimeDelta::minutes(5),
            silence_limit: TimeDelta::minutes(20),
            lease: Duration::from_secs(10),
            default_wait: TimeDelta::minutes(10),
            end_of_hours_grace: TimeDelta::minutes(10),
        }
    }
}

/// A message in the staff group, reduced to what the desk needs. Text is never kept; only a
/// command and its argument are read.
#[derive(Clone, Debug)]
pub struct GroupMessage {
    pub chat_id: i64,
    pub thread_id: Option<i32>,
    pub message_id: i32,
    pub from: i64,
    /// `/name` (lowercase, without the bot's name) and what follows it.
    pub command: Option<(String, String)>,
}

/// A button pressed in the staff group.
#[derive(Clone, Debug)]
pub struct GroupButton {
    pub chat_id: i64,
    pub from: i64,
    pub callback_id: String,
    /// The message the button sits under (0 when Telegram no longer says).
    pub message_id: i32,
    pub data: String,
}

pub struct Desk {
    cases: Cases,
    staff: Staff,
    line: Arc<dyn Line>,
    store: Arc<dyn Store>,
    /// Where the ids of messages in her chat go for her quick exit, written behind the relay.
    ledger: Ledger,
    content: Arc<Content>,
    rules: DeskRules,
    teams: Teams,
    /// The default team's working hours from the environment: they seed the teams table at the
    /// first start, and stand in for it while it is empty.
    seed_hours: Option<WorkingHours>,
    /// The staff group; 0 while none is configured or bound.
    group: AtomicI64,
    /// Whether HELPLINE_STAFF_CHAT_ID named the group. If not, the group bound by /bind (on
    /// any instance) is read from the database, at start, when unknown, and on every tick.
    configured: bool,
    /// The board is edited by one task at a time.
    board: tokio::sync::Mutex<()>,
    counters: crate::stats::Counters,
}

/// A fault inside the desk; she then gets the honest fallback.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Cases(#[from] HandoffError),
    #[error(transparent)]
    Line(#[from] crate::handoff::LineError),
    #[error(transparent)]
    Staff(#[from] crate::staff::StaffError),
    #[error(transparent)]
    Teams(#[from] TeamError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Send(#[from] SendError),
}

impl crate::db::Transient for DeskError {
    /// A database outage: the update is worth handling again once it is back. Redis (the line
    /// is a cache the clock rebuilds) and Telegram (the outbound retries on its own) are not.
    fn is_transient(&self) -> bool {
        match self {
            DeskError::Cases(e) => e.is_transient(),
            DeskError::Staff(e) => e.is_transient(),
            DeskError::Store(e) => e.is_transient(),
            DeskError::Teams(e) => e.is_transient(),
            DeskError::Line(_) | DeskError::Send(_) => false,
        }
    }
}

const GROUP_FACT: &str = "group";
const BOARD_FACT: &str = "board";
/// Cases shown with a Take button on the board.
const BOARD_BUTTONS: usize = 10;
/// How long Take waits for a case's topic to be stored (see `Desk::with_topic`).
const TOPIC_WAIT: Duration = Duration::from_secs(5);
/// How long an instance's claim to send a new board holds before another may take it over.
const BOARD_CLAIM: TimeDelta = TimeDelta::seconds(30);

impl Desk {
    pub fn new(
        store: Arc<dyn Store>,
        line: Arc<dyn Line>,
        content: Arc<Content>,
        group: Option<i64>,
        rules: DeskRules,
        hours: Option<WorkingHours>,
    ) -> Desk {
        let db = store.db();
        Desk {
            cases: Cases::new(db.clone()),
            counters: crate::stats::Counters::new(db.clone()),
            teams: Teams::new(db.clone()),
            staff: Staff::new(db),
            line,
            ledger: Ledger::start(store.clone()),
            store,
            content,
            rules,
            seed_hours: hours,
            group: AtomicI64::new(group.unwrap_or(0)),
            configured: group.is_some(),
            board: tokio::sync::Mutex::new(()),
        }
    }

    pub fn cases(&self) -> &Cases {
        &self.cases
    }

    pub fn line(&self) -> &Arc<dyn Line> {
        &self.line
    }

    pub fn teams(&self) -> &Teams {
        &self.teams
    }

    fn group(&self) -> Option<i64> {
        Some(self.group.load(Ordering::Relaxed)).filter(|g| *g != 0)
    }

    /// The staff group, read from the database when this instance does not know one yet: a
    /// coordinator's /bind may have reached another instance a moment ago.
    async fn staff_group(&self) -> Option<i64> {
        if let Some(g) = self.group() {
            return Some(g);
        }
        self.learn_group().await;
        self.group()
    }

    /// Takes the bound group from the database (when no group is configured): another
    /// instance may have bound one, or bound another one since.
    async fn learn_group(&self) {
        if self.configured {
            return;
        }
        match self.cases.fact(GROUP_FACT).await {
            Ok(Some(g)) => self.group.store(g, Ordering::Relaxed),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the bound staff group could not be read"),
        }
    }

    /// At start: the group bound earlier (if none is configured), the line restored from the
    /// database, and the bot's rights in the group checked and reported plainly.
    pub async fn start(&self, out: &Outbound) -> Result<(), DeskError> {
        if self
            .teams
            .seed(
                self.seed_hours.as_ref(),
                self.rules.urgent_deadline,
                Utc::now(),
            )
            .await?
        {
            tracing::info!("the default team was created from the environment's working hours");
        }
        if self.group().is_none()
            && let Some(g) = self.cases.fact(GROUP_FACT).await?
        {
            self.group.store(g, Ordering::Relaxed);
        }
        self.restore().await?;
        match self.group() {
            None => tracing::warn!(
                "no staff group: set HELPLINE_STAFF_CHAT_ID or send /bind in the group as a coordinator; until then women asking for a person get the hotlines"
            ),
            Some(g) => match out.missing_rights(g).await {
                Ok(missing) if missing.is_empty() => {
                    tracing::info!("the staff group is ready: the bot can manage topics")
                }
                Ok(missing) => tracing::error!(
                    missing = %missing.join(", "),
                    "the bot lacks rights in the staff group: make it an administrator that can do what is missing"
                ),
                Err(e) => tracing::error!(error = %e, "the staff group could not be checked"),
            },
        }
        Ok(())
    }

    /// Adds every waiting case of the database to the line (nothing is removed).
    pub async fn restore(&self) -> Result<usize, DeskError> {
        let waiting = self.cases.waiting().await?;
        let entries: Vec<_> = waiting.iter().map(Case::entry).collect();
        self.line.restore(&entries).await?;
        Ok(entries.len())
    }

    // ----- her side --------------------------------------------------------------------------

    /// She asked for a person (the core's `Effect::Talk`). Returns what she should see; on any
    /// fault inside, the core's honest fallback.
    #[allow(clippy::too_many_arguments)]
    pub async fn talk(
        &self,
        out: &Outbound,
        who: &Pseudonym,
        chat: i64,
        session: &Session,
        urgent: bool,
        forms: &[Form],
        fallback: Vec<OutMessage>,
    ) -> Vec<OutMessage> {
        if self.staff_group().await.is_none() {
            return fallback;
        }
        match self.cases.open_for(who).await {
            Ok(Some(case)) => return self.status(&case, session.locale).await,
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "a hand-off failed");
                return fallback;
            }
        }
        if !forms.is_empty() {
            // Her answers are hers: the consultant sees them only if she says so.
            let mask: u32 = Form::ALL
                .iter()
                .enumerate()
                .filter(|(_, f)| forms.contains(f))
                .map(|(i, _)| 1 << i)
                .sum();
            let u = u8::from(urgent);
            return vec![self.her_message(
                session.locale,
                "handoff-share-ask",
                &Args::new(),
                vec![vec![
                    self.label(
                        session.locale,
                        "handoff-share-yes",
                        format!("h:open:{u}:{mask}"),
                    ),
                    self.label(session.locale, "handoff-share-no", format!("h:open:{u}:0")),
                ]],
            )];
        }
        match self.open(out, who, chat, session, urgent, &[]).await {
            Ok(messages) => messages,
            Err(e) => {
                tracing::error!(error = %e, "a hand-off failed");
                fallback
            }
        }
    }

    /// A button of the hand-off pressed in her chat (`h:…`). Returns what she should see.
    pub async fn her_button(
        &self,
        out: &Outbound,
        who: &Pseudonym,
        chat: i64,
        session: &Session,
        data: &str,
    ) -> Vec<OutMessage> {
        let result = self.her_button_inner(out, who, chat, session, data).await;
        match result {
            Ok(messages) => messages,
            Err(e) => {
                tracing::error!(error = %e, "a hand-off button failed");
                vec![self.content.render_fallback(session, "talk-fallback")]
            }
        }
    }

    async fn her_button_inner(
        &self,
        out: &Outbound,
        who: &Pseudonym,
        chat: i64,
        session: &Session,
        data: &str,
    ) -> Result<Vec<OutMessage>, DeskError> {
        let parts: Vec<&str> = data.split(':').collect();
        let locale = session.locale;
        match parts.as_slice() {
            ["h", "open", u, mask] => {
                if let Some(case) = self.cases.open_for(who).await? {
                    return Ok(self.status(&case, locale).await);
                }
                if self.staff_group().await.is_none() {
                    return Ok(vec![self.content.render_fallback(session, "talk-fallback")]);
                }
                let mask: u32 = mask.parse().unwrap_or(0);
                let forms: Vec<Form> = Form::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, f)| *f)
                    .collect();
                self.open(out, who, chat, session, *u == "1", &forms).await
            }
            ["h", "end"] => {
                let Some(case) = self.cases.open_for(who).await? else {
                    return Ok(vec![self.her_message(
                        locale,
                        "handoff-rated",
                        &Args::new(),
                        Vec::new(),
                    )]);
                };
                self.close(out, &case, "she ended", None).await?;
                Ok(Vec::new())
            }
            ["h", "rate", code, n] => {
                if let (Ok(code), Ok(n)) = (CaseCode::parse(code), n.parse::<i64>())
                    && (1..=3).contains(&n)
                    && let Some(case) = self.cases.by_code(&code).await?
                {
                    self.cases.rate(case.id, who, n).await?;
                }
                Ok(vec![self.her_message(
                    locale,
                    "handoff-rated",
                    &Args::new(),
                    Vec::new(),
                )])
            }
            ["h", "count", code, yes] => {
                let case = match CaseCode::parse(code) {
                    Ok(code) => self.cases.by_code(&code).await?,
                    Err(_) => None,
                };
                // Taken from the database at most once, whichever instance her press reaches.
                let asked = match &case {
                    Some(case) if case.who == *who && case.state == CaseState::Closed => {
                        self.cases.answer_count(case.id).await?
                    }
                    _ => false,
                };
                match case {
                    Some(case) if asked && *yes == "1" => {
                        self.counted(out, &case).await?;
                        Ok(vec![self.her_message(
                            locale,
                            "handoff-count-thanks",
                            &Args::new(),
                            Vec::new(),
                        )])
                    }
                    _ => Ok(vec![self.her_message(
                        locale,
                        "consent-declined",
                        &Args::new(),
                        Vec::new(),
                    )]),
                }
            }
            _ => Ok(vec![self.content.render_fallback(session, "talk-fallback")]),
        }
    }

    /// She agreed: the hand-off is counted (her country, urgency, wait in bands), and the
    /// consultant who held it is offered the documentation form in the case topic.
    async fn counted(&self, out: &Outbound, case: &Case) -> Result<(), DeskError> {
        let waited = case
            .taken_at
            .and_then(|taken| (taken - case.queued_at).to_std().ok());
        if let Err(e) = self
            .counters
            .record_handoff(
                Consent::Given,
                &Place::country(case.country),
                case.urgent,
                waited,
                Utc::now(),
            )
            .await
        {
            tracing::error!(error = %e, "a hand-off could not be counted");
        }
        let (Some(group), Some(topic), Some(assignee)) =
            (self.group(), case.topic_id, case.assignee)
        else {
            return Ok(());
        };
        let form = DocForm::new(case.country, &case.forms);
        let message = form.render(&self.content.localizer, Locale::En);
        let Ok(fields) = serde_json::to_string(&form) else {
            tracing::error!("a documentation form could not be written down");
            return Ok(());
        };
        let message_id = out.send_in(group, Some(topic), &message).await?;
        self.cases
            .open_doc(case.id, message_id, assignee, &fields, Utc::now())
            .await?;
        Ok(())
    }

    /// A `doc.*` button in a case topic: only the consultant who held the case fills it in.
    async fn doc_button(&self, out: &Outbound, b: &GroupButton) -> Result<(), DeskError> {
        let member = self.staff.by_telegram_id(b.from).await?;
        let action = crate::stats::doc::parse(&b.data);
        // In the database, so any instance can take the press; the fields read here are the
        // version this press changes (see `update_doc`).
        let found = self.cases.doc_by_message(b.message_id).await?.and_then(
            |(case_id, assignee, before)| {
                let form = serde_json::from_str::<DocForm>(&before).ok()?;
                Some((case_id, assignee, before, form))
            },
        );
        let (Some((case_id, assignee, before, mut form)), Some(action)) = (found, action) else {
            out.answer_callback_with(
                &b.callback_id,
                "This form is no longer open; nothing was stored.",
            )
            .await;
            return Ok(());
        };
        if member.as_ref().map(|m| m.id) != Some(assignee) {
            out.answer_callback_with(
                &b.callback_id,
                "Only the consultant who held this case can document it. Thank you!",
            )
            .await;
            return Ok(());
        }
        let outcome = form.apply(action);
        let applied = match &outcome {
            Outcome::Ignored => {
                out.answer_callback(&b.callback_id).await;
                return Ok(());
            }
            Outcome::Continue => match serde_json::to_string(&form) {
                Ok(after) => self.cases.update_doc(case_id, &before, &after).await?,
                Err(_) => false,
            },
            Outcome::Discarded => self.cases.close_doc(case_id, &before).await?,
            Outcome::Saved(record) => {
                // Closed first: of two "Save" presses, only the one that closes it stores it.
                let closed = self.cases.close_doc(case_id, &before).await?;
                if closed {
                    self.counters
                        .record_doc(Consent::Given, record, Utc::now())
                        .await
                        .map_err(
                            |e| tracing::error!(error = %e, "case documentation was not stored"),
                        )
                        .ok();
                }
                closed
            }
        };
        if !applied {
            // Another press changed the form a moment ago; its edit shows where it stands.
            out.answer_callback(&b.callback_id).await;
            return Ok(());
        }
        let _ = out
            .edit(
                b.chat_id,
                b.message_id,
                &form.render(&self.content.localizer, Locale::En),
            )
            .await;
        out.answer_callback(&b.callback_id).await;
        Ok(())
    }

    async fn open(
        &self,
        out: &Outbound,
        who: &Pseudonym,
        chat: i64,
        session: &Session,
        urgent: bool,
        forms: &[Form],
    ) -> Result<Vec<OutMessage>, DeskError> {
        let now = Utc::now();
        let group = self.group().ok_or(SendError::Rejected("no staff group"))?;
        let roster = self.roster(now).await?;
        let team_id = route(&roster.teams, session.country, session.locale)
            .map(|t| t.id)
            .filter(|id| *id != 0);
        let case = self
            .cases
            .open(
                NewCase {
                    who,
                    locale: session.locale,
                    country: session.country,
                    urgent,
                    forms,
                    team_id,
                },
                now,
            )
            .await?;
        let case = match case {
            Opened::New(case) => case,
            // Another instance opened it for her a moment ago and announces it.
            Opened::Existing(case) => return Ok(self.status(&case, session.locale).await),
        };
        // Her route is saved at the end of the turn; saved here too, so a Take that comes
        // before the turn is over can reach her.
        self.store.put_route(who, chat, now).await?;
        // The line is a cache of the cases table: with Redis away she is still in line (the
        // database), and the desk's clock puts her into Redis when it is back.
        if self.line.push(&case.entry()).await.is_err() {
            tracing::warn!(
                "the line is unreachable; the desk's clock adds the case when it is back"
            );
        }
        tracing::info!(urgent, "a case was opened");

        let name = topic_name(&case);
        match out.create_topic(group, &name, urgent).await {
            Ok(topic) => {
                let card = out
                    .send_in(group, Some(topic), &card(&case, None))
                    .await
                    .ok();
                self.cases.set_topic(case.id, topic, card).await?;
            }
            Err(e) => tracing::error!(error = %e, "the case's topic could not be created"),
        }
        let on_shift = roster.on_shift(team_id);
        if urgent {
            for member in &on_shift {
                let page = staff_text(format!(
                    "Urgent case {} is waiting in the staff group. Please take it if you can.",
                    case.code
                ));
                let _ = out.send(member.telegram_id, &page, false).await;
            }
        }
        self.refresh_board(out).await;

        if on_shift.is_empty() {
            return Ok(self.nobody_on_shift(session));
        }
        // A Take pressed the instant the card appeared may be in already: she has been told who
        // is with her, and a place in line now would contradict it.
        let case = self.cases.by_code(&case.code).await?.unwrap_or(case);
        if case.state != CaseState::Waiting {
            return Ok(Vec::new());
        }
        // Sent here rather than returned, so its id is known: it is edited as the line moves.
        for message in self.status(&case, session.locale).await {
            if let Ok(id) = out.send(chat, &message, session.silent).await {
                self.ledger.record(who, id, now).await;
                self.cases.set_notice(case.id, id).await?;
            }
        }
        Ok(Vec::new())
    }

    /// The honest answer when nobody of her team is on shift: the hotlines of her country, and
    /// that her case waits for the next shift (she may end it).
    fn nobody_on_shift(&self, session: &Session) -> Vec<OutMessage> {
        vec![
            self.content.render_fallback(session, "talk-fallback"),
            self.her_message(
                session.locale,
                "handoff-offline",
                &Args::new(),
                vec![vec![self.label(
                    session.locale,
                    "handoff-end-button",
                    "h:end".into(),
                )]],
            ),
        ]
    }

    /// Edits each waiting woman's place-in-line message to where she is now.
    async fn update_places(&self, out: &Outbound) -> Result<(), DeskError> {
        for case in self.cases.waiting().await? {
            let Some(notice) = case.notice_id else {
                continue;
            };
            let Some(chat) = self.store.get_route(&case.who).await? else {
                continue;
            };
            if let Some(message) = self.status(&case, case.locale).await.into_iter().next() {
                let _ = out.edit(chat, notice, &message).await;
            }
        }
        Ok(())
    }

    /// Her place in line and the estimate, or who is with her.
    async fn status(&self, case: &Case, locale: Locale) -> Vec<OutMessage> {
        let end = vec![vec![self.label(
            locale,
            "handoff-end-button",
            "h:end".into(),
        )]];
        if case.state == CaseState::Active
            && let Some(id) = case.assignee
            && let Ok(Some(member)) = self.staff.by_id(id).await
        {
            let args = Args::new().text("name", member.name.as_str());
            return vec![self.her_message(locale, "handoff-joined", &args, end)];
        }
        let place = self
            .line
            .position(&case.code)
            .await
            .ok()
            .flatten()
            .unwrap_or(0)
            + 1;
        let minutes = self.estimate(case, place).await;
        let args = Args::new()
            .number("place", place as i64)
            .number("minutes", minutes);
        vec![self.her_message(locale, "handoff-waiting", &args, end)]
    }

    /// Minutes until a consultant likely writes, from recent waits and who of her team is on
    /// shift.
    async fn estimate(&self, case: &Case, place: usize) -> i64 {
        let wait = self
            .cases
            .recent_wait()
            .await
            .ok()
            .flatten()
            .unwrap_or(self.rules.default_wait);
        let on_shift = self
            .on_shift(case.team_id, Utc::now())
            .await
            .map(|s| s.len())
            .unwrap_or(1)
            .max(1) as i64;
        let minutes = wait.num_seconds() * place as i64 / on_shift / 60;
        minutes.clamp(1, 24 * 60)
    }

    /// One of her messages while she has an open case: noted, and copied into the topic once
    /// someone holds the case. False when she has no open case (the core answers instead).
    pub async fn from_her(
        &self,
        out: &Outbound,
        who: &Pseudonym,
        chat: i64,
        message_id: i32,
    ) -> Result<bool, DeskError> {
        let arrived = std::time::Instant::now();
        let Some(case) = self.cases.open_for(who).await? else {
            return Ok(false);
        };
        let now = Utc::now();
        let first = self
            .cases
            .note_message(case.id, Direction::In, message_id, now)
            .await?;
        if !first
            && self
                .cases
                .relayed(case.id, Direction::In, message_id)
                .await?
        {
            return Ok(true);
        }
        if case.state == CaseState::Active
            && let (Some(group), Some(topic)) = (self.group(), case.topic_id)
        {
            let copy = out
                .copy(group, Some(topic), chat, message_id, false)
                .await?;
            crate::ops::metrics::observe_relay(arrived.elapsed());
            self.mark_copied(case.id, Direction::In, message_id, copy)
                .await?;
        }
        // Her quick exit deletes it with the rest.
        self.ledger.record(who, message_id, now).await;
        Ok(true)
    }

    /// Returns once every message id handed to the ledger so far is written: before her quick
    /// exit reads them, and at shutdown.
    pub async fn flush(&self) {
        self.ledger.flush().await;
    }

    /// She is being forgotten (quick exit, blocked the bot): her topic is deleted with her
    /// messages in it and her case leaves the line. The store then erases the case rows.
    pub async fn forget(&self, out: &Outbound, who: &Pseudonym) {
        // The ids of her latest messages may still be on their way into the store.
        self.ledger.flush().await;
        let Ok(Some(case)) = self.cases.open_for(who).await else {
            return;
        };
        let _ = self.line.remove(&case.code).await;
        if let (Some(group), Some(topic)) = (self.group(), case.topic_id) {
            let _ = out.delete_topic(group, topic).await;
        }
        let _ = self.cases.close(case.id, "forgotten", Utc::now()).await;
        self.refresh_board(out).await;
    }

    // ----- staff side ------------------------------------------------------------------------

    /// /online or /offline in private chat. False when the sender is not staff.
    pub async fn shift(
        &self,
        out: &Outbound,
        telegram_id: i64,
        online: bool,
    ) -> Result<bool, DeskError> {
        self.shift_at(out, telegram_id, online, Utc::now()).await
    }

    /// [`Desk::shift`] at a chosen time (tests move the clock). The statement lasts until her
    /// team's working hours next begin or end, and the reply says until when.
    pub async fn shift_at(
        &self,
        out: &Outbound,
        telegram_id: i64,
        online: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, DeskError> {
        let Some(member) = self.staff.by_telegram_id(telegram_id).await? else {
            return Ok(false);
        };
        let roster = self.roster(now).await?;
        let team = roster.team_of(&member);
        let lapses = team.statement_lapses(now);
        self.cases
            .set_online(member.id, online, now, lapses)
            .await?;
        if online {
            self.cases.clear_warnings(member.id).await?;
        }
        tracing::info!(online, "a consultant changed shift");
        let text = shift_reply(team, online, now, lapses);
        if !online {
            for case in self.cases.active().await? {
                if case.assignee == Some(member.id) {
                    self.give_back(out, &case, member.id, "went off shift")
                        .await?;
                }
            }
        }
        let _ = out.send(telegram_id, &staff_text(text), false).await;
        Ok(true)
    }

    /// A message in a group.
    pub async fn group_message(&self, out: &Outbound, m: GroupMessage) -> Result<(), DeskError> {
        let command = m
            .command
            .as_ref()
            .map(|(c, rest)| (c.as_str(), rest.trim()));
        if let Some(("bind", _)) = command {
            return self.bind(out, &m).await;
        }
        if Some(m.chat_id) != self.staff_group().await {
            return Ok(());
        }
        // The General topic is for the team: nothing there is relayed.
        let Some(topic) = m.thread_id else {
            return Ok(());
        };
        // Two independent lookups at once: this is on the relay's path.
        let (case, member) = tokio::join!(
            self.cases.by_topic(topic),
            self.staff.by_telegram_id(m.from)
        );
        let Some(case) = case? else {
            return Ok(());
        };
        let Some(member) = member? else {
            return Ok(());
        };
        let holds = case.state == CaseState::Active && case.assignee == Some(member.id);
        match command {
            // Internal: stays in the topic.
            Some(("note", _)) => Ok(()),
            Some(("end", _)) if holds || member.role == Role::Coordinator => {
                self.close(out, &case, "ended", Some(&member)).await
            }
            Some(("transfer", name)) if holds => self.transfer(out, &case, &member, name).await,
            Some(_) => Ok(()),
            None if holds => self.to_her(out, &case, m.chat_id, m.message_id).await,
            None => Ok(()),
        }
    }

    async fn to_her(
        &self,
        out: &Outbound,
        case: &Case,
        group: i64,
        message_id: i32,
    ) -> Result<(), DeskError> {
        let arrived = std::time::Instant::now();
        let now = Utc::now();
        let (first, chat) = tokio::join!(
            self.cases
                .note_message(case.id, Direction::Out, message_id, now),
            self.store.get_route(&case.who)
        );
        if !first?
            && self
                .cases
                .relayed(case.id, Direction::Out, message_id)
                .await?
        {
            return Ok(());
        }
        let Some(chat) = chat? else {
            return Ok(());
        };
        let copy = out.copy(chat, None, group, message_id, false).await?;
        crate::ops::metrics::observe_relay(arrived.elapsed());
        // Marked at once: a crash between the copy and this mark is the one moment a message
        // can be relayed twice (a repeat rather than a loss).
        self.mark_copied(case.id, Direction::Out, message_id, copy)
            .await?;
        // Her quick exit deletes it with the rest.
        self.ledger.record(&case.who, copy, now).await;
        self.cases.touch_staff(case.id, now).await?;
        Ok(())
    }

    /// Notes that `source_id` was copied, waiting through a database outage: once the copy is
    /// made, giving up here would let a redelivery copy it a second time.
    async fn mark_copied(
        &self,
        case_id: i64,
        direction: Direction,
        source_id: i32,
        copy: i32,
    ) -> Result<(), DeskError> {
        patiently("noting a relayed message", PATIENCE, None, || {
            self.cases.mark_relayed(case_id, direction, source_id, copy)
        })
        .await?;
        Ok(())
    }

    /// A button in a group: Take.
    pub async fn group_button(&self, out: &Outbound, b: GroupButton) -> Result<(), DeskError> {
        if Some(b.chat_id) != self.staff_group().await {
            out.answer_callback(&b.callback_id).await;
            return Ok(());
        }
        if b.data.starts_with(crate::stats::doc::PREFIX) {
            return self.doc_button(out, &b).await;
        }
        let code = b
            .data
            .strip_prefix("take:")
            .and_then(|c| CaseCode::parse(c).ok());
        let Some(code) = code else {
            out.answer_callback(&b.callback_id).await;
            return Ok(());
        };
        let notice = self.take(out, &code, b.from).await?;
        out.answer_callback_with(&b.callback_id, &notice).await;
        Ok(())
    }

    /// Take: returns the notice for whoever pressed the button.
    async fn take(&self, out: &Outbound, code: &CaseCode, from: i64) -> Result<String, DeskError> {
        let Some(member) = self.staff.by_telegram_id(from).await? else {
            return Ok("Only registered staff can take cases.".into());
        };
        let held = self.cases.held_by(member.id).await?;
        if held >= member.max_cases {
            return Ok(format!(
                "You already hold {held} cases, your limit. Close or transfer one first."
            ));
        }
        let Some(case) = self.cases.by_code(code).await? else {
            return Ok("This case is no longer open.".into());
        };
        if case.state != CaseState::Waiting {
            return Ok("Someone else took this case a moment ago. Thank you!".into());
        }
        let holder = format!("staff-{}", member.id);
        // The line's claim spares the database most of a race; the database decides.
        let _ = self.line.claim(code, &holder, self.rules.lease).await;
        let now = Utc::now();
        let won = self.cases.take(case.id, member.id, now).await?;
        let _ = self.line.release(code).await;
        if !won {
            return Ok("Someone else took this case a moment ago. Thank you!".into());
        }
        let _ = self.line.remove(code).await;
        crate::ops::metrics::observe_wait((now - case.queued_at).to_std().unwrap_or_default());
        tracing::info!("a case was taken");
        let case = self.with_topic(case).await?;
        self.joined(out, &case, &member).await?;
        Ok(format!("Case {code} is yours."))
    }

    /// The case once its topic is stored. Take can be pressed the instant the card appears in
    /// the group, a moment before the desk that opened the case (this instance or another)
    /// has heard back from Telegram and stored the topic and the card: without the wait, the
    /// notice and what she wrote while waiting would have no topic to go to. A case whose topic
    /// could not be created is taken as it is after [`TOPIC_WAIT`].
    async fn with_topic(&self, mut case: Case) -> Result<Case, DeskError> {
        let deadline = tokio::time::Instant::now() + TOPIC_WAIT;
        while case.topic_id.is_none() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
            match self.cases.by_code(&case.code).await? {
                Some(stored) => case = stored,
                None => break,
            }
        }
        Ok(case)
    }

    /// After Take or a transfer to a colleague: the card, the topic, her, and what she wrote
    /// while she waited.
    async fn joined(
        &self,
        out: &Outbound,
        case: &Case,
        member: &StaffMember,
    ) -> Result<(), DeskError> {
        let group = self.group().ok_or(SendError::Rejected("no staff group"))?;
        if let (Some(topic), Some(card_id)) = (case.topic_id, case.card_id) {
            let _ = out.edit(group, card_id, &card(case, Some(member))).await;
            let _ = topic;
        }
        if let Some(topic) = case.topic_id {
            let text = staff_text(format!(
                "{} has the case. Write here to answer her; /note for the team only; /transfer to give it back or /transfer NAME; /end to close.",
                member.name
            ));
            let _ = out.send_in(group, Some(topic), &text).await;
        }
        // The case is hers already: a retried Take would not get here again, so wait out an
        // outage rather than leave her without the news and her waiting messages unrelayed.
        let route = patiently("finding her chat", PATIENCE, None, || {
            self.store.get_route(&case.who)
        })
        .await?;
        if let Some(chat) = route {
            let args = Args::new().text("name", member.name.as_str());
            let end = vec![vec![self.label(
                case.locale,
                "handoff-end-button",
                "h:end".into(),
            )]];
            let hello = self.her_message(case.locale, "handoff-joined", &args, end);
            if let Ok(id) = out.send(chat, &hello, false).await {
                self.ledger.record(&case.who, id, Utc::now()).await;
            }
            // What she wrote while she waited, in order.
            if let Some(topic) = case.topic_id {
                let unrelayed =
                    patiently("listing messages not yet relayed", PATIENCE, None, || {
                        self.cases.unrelayed(case.id)
                    })
                    .await?;
                for message_id in unrelayed {
                    let copy = out
                        .copy(group, Some(topic), chat, message_id, false)
                        .await?;
                    self.mark_copied(case.id, Direction::In, message_id, copy)
                        .await?;
                }
            }
        }
        self.refresh_board(out).await;
        Ok(())
    }

    async fn transfer(
        &self,
        out: &Outbound,
        case: &Case,
        member: &StaffMember,
        name: &str,
    ) -> Result<(), DeskError> {
        let group = self.group().ok_or(SendError::Rejected("no staff group"))?;
        let topic = case.topic_id;
        if name.is_empty() {
            return self
                .give_back(out, case, member.id, "was transferred back to the line")
                .await
                .map(|_| ());
        }
        let everyone = self.staff.list().await?;
        let colleague = everyone
            .into_iter()
            .find(|s| s.name.as_str().eq_ignore_ascii_case(name) && s.id != member.id);
        let Some(colleague) = colleague else {
            let _ = out
                .send_in(
                    group,
                    topic,
                    &staff_text(format!("No colleague is named {name:?}. Nothing changed.")),
                )
                .await;
            return Ok(());
        };
        if self
            .cases
            .reassign(case.id, member.id, colleague.id, Utc::now())
            .await?
        {
            tracing::info!("a case was handed to a colleague");
            let _ = out
                .send(
                    colleague.telegram_id,
                    &staff_text(format!(
                        "{} handed you case {} in the staff group.",
                        member.name, case.code
                    )),
                    false,
                )
                .await;
            self.joined(out, case, &colleague).await?;
        }
        Ok(())
    }

    /// Puts an active case back in the line, ahead of newer cases, and tells her and the topic.
    /// False when `from` no longer held it (someone else gave it back first).
    async fn give_back(
        &self,
        out: &Outbound,
        case: &Case,
        from: i64,
        why: &str,
    ) -> Result<bool, DeskError> {
        if !self.cases.requeue(case.id, from).await? {
            return Ok(false);
        }
        let Some(case) = self.cases.by_code(&case.code).await? else {
            return Ok(true);
        };
        self.line.push(&case.entry()).await?;
        tracing::info!("a case went back to the line");
        if let Some(group) = self.group()
            && let Some(topic) = case.topic_id
        {
            let _ = out
                .send_in(
                    group,
                    Some(topic),
                    &staff_text(format!("The case {why}; it is first in line again.")),
                )
                .await;
            if let Some(card_id) = case.card_id {
                let _ = out.edit(group, card_id, &card(&case, None)).await;
            }
        }
        if let Some(chat) = self.store.get_route(&case.who).await? {
            let message =
                self.her_message(case.locale, "handoff-returned", &Args::new(), Vec::new());
            if let Ok(id) = out.send(chat, &message, false).await {
                self.ledger.record(&case.who, id, Utc::now()).await;
            }
        }
        self.refresh_board(out).await;
        Ok(true)
    }

    /// Closes a case: she is told (and may rate the chat), the topic is closed.
    async fn close(
        &self,
        out: &Outbound,
        case: &Case,
        outcome: &str,
        by: Option<&StaffMember>,
    ) -> Result<(), DeskError> {
        if !self.cases.close(case.id, outcome, Utc::now()).await? {
            return Ok(());
        }
        let _ = self.line.remove(&case.code).await;
        tracing::info!(outcome, "a case was closed");
        if let Some(chat) = self.store.get_route(&case.who).await? {
            let args = Args::new();
            let code = case.code.as_str();
            let rate = vec![vec![
                self.label(case.locale, "handoff-rate-good", format!("h:rate:{code}:3")),
                self.label(case.locale, "handoff-rate-ok", format!("h:rate:{code}:2")),
                self.label(case.locale, "handoff-rate-bad", format!("h:rate:{code}:1")),
            ]];
            let mut messages = vec![self.her_message(case.locale, "handoff-ended", &args, rate)];
            // STATISTICS: the consent-to-count form of the statistics work is offered here,
            // after the rating (see `after_case`).
            messages.extend(self.after_case(case).await);
            for message in &messages {
                if let Ok(id) = out.send(chat, message, false).await {
                    self.ledger.record(&case.who, id, Utc::now()).await;
                }
            }
        }
        if let Some(group) = self.group()
            && let Some(topic) = case.topic_id
        {
            let closer = by
                .map(|m| m.name.as_str().to_owned())
                .unwrap_or_else(|| "She".into());
            let mut text = format!("{closer} closed the chat ({outcome}).");
            if case.urgent && case.assignee.is_some() {
                text.push_str(
                    " This was an urgent case: take a moment for yourself. A coordinator is there to debrief with you; write to them when you are ready.",
                );
            }
            let _ = out.send_in(group, Some(topic), &staff_text(text)).await;
            let _ = out.close_topic(group, topic).await;
        }
        self.refresh_board(out).await;
        Ok(())
    }

    /// Messages offered to her after a case ends, after the rating: may this conversation be
    /// counted anonymously? Asked every time, even if she agreed after /check (that answer was
    /// about her /check answers); nothing is counted unless she presses yes.
    async fn after_case(&self, case: &Case) -> Vec<OutMessage> {
        // Noted first: a question whose answer could not be taken is not asked.
        if let Err(e) = self.cases.ask_count(case.id, Utc::now()).await {
            tracing::error!(error = %e, "the count question could not be noted; not asked");
            return Vec::new();
        }
        let code = case.code.as_str();
        let buttons = vec![vec![
            self.label(case.locale, "consent-yes", format!("h:count:{code}:1")),
            self.label(case.locale, "consent-no", format!("h:count:{code}:0")),
        ]];
        vec![self.her_message(case.locale, "handoff-count-ask", &Args::new(), buttons)]
    }

    /// /bind in a group by a coordinator: this group becomes the staff group.
    async fn bind(&self, out: &Outbound, m: &GroupMessage) -> Result<(), DeskError> {
        let Some(member) = self.staff.by_telegram_id(m.from).await? else {
            return Ok(());
        };
        if member.role != Role::Coordinator {
            let _ = out
                .send_in(
                    m.chat_id,
                    m.thread_id,
                    &staff_text("Only a coordinator can bind the staff group.".into()),
                )
                .await;
            return Ok(());
        }
        self.cases.set_fact(GROUP_FACT, m.chat_id).await?;
        self.group.store(m.chat_id, Ordering::Relaxed);
        tracing::info!("the staff group was bound");
        let missing = out.missing_rights(m.chat_id).await.unwrap_or_default();
        let text = if missing.is_empty() {
            "This group is now the staff group. New cases will open topics here.".to_owned()
        } else {
            format!(
                "This group is now the staff group, but the bot cannot work here yet: make it an administrator that can {}.",
                missing.join(", ")
            )
        };
        let _ = out.send_in(m.chat_id, m.thread_id, &staff_text(text)).await;
        self.refresh_board(out).await;
        Ok(())
    }

    /// Who of a team (`None`: the default team) is on shift at `now`: during its working
    /// hours every member who did not say /offline, outside them those who said /online
    /// (statements lapse when the hours next begin or end).
    pub async fn on_shift(
        &self,
        team: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StaffMember>, DeskError> {
        Ok(self.roster(now).await?.on_shift(team))
    }

    /// Teams, staff and statements in force at `now`, read once.
    async fn roster(&self, now: DateTime<Utc>) -> Result<Roster, DeskError> {
        let mut teams = self.teams.list().await?;
        if teams.is_empty() {
            teams.push(Team::stand_in(
                self.seed_hours.clone(),
                self.rules.urgent_deadline,
            ));
        }
        Ok(Roster {
            teams,
            staff: self.staff.list().await?,
            said: self.cases.said(now).await?.into_iter().collect(),
            now,
        })
    }

    // ----- the board and the clock -----------------------------------------------------------

    /// Rewrites the board in the General topic: the waiting line, urgent first.
    pub async fn refresh_board(&self, out: &Outbound) {
        if let Err(e) = self.refresh_board_inner(out).await {
            tracing::warn!(error = %e, "the board could not be updated");
        }
        if let Err(e) = self.update_places(out).await {
            tracing::warn!(error = %e, "places in line could not be updated");
        }
    }

    async fn refresh_board_inner(&self, out: &Outbound) -> Result<(), DeskError> {
        let _one_at_a_time = self.board.lock().await;
        let waiting = self.cases.waiting().await?;
        // Every change to the line passes here (and the clock's ticks): the gauge follows it.
        crate::ops::metrics::set_queue_length(waiting.len());
        let Some(group) = self.group() else {
            return Ok(());
        };
        let now = Utc::now();
        let mut text = if waiting.is_empty() {
            "Waiting line: nobody is waiting.".to_owned()
        } else {
            format!("Waiting line: {}", waiting.len())
        };
        let mut buttons = Vec::new();
        for case in &waiting {
            let minutes = (now - case.queued_at).num_minutes().max(0);
            text.push_str(&format!("\n{} — waiting {minutes} min", topic_name(case)));
            if buttons.len() < BOARD_BUTTONS {
                buttons.push(vec![Button {
                    label: format!("Take {}", case.code),
                    data: format!("take:{}", case.code),
                }]);
            }
        }
        let board = OutMessage {
            text,
            buttons,
            protect: false,
            keyboard: None,
        };
        // The board's id is a desk fact shared by every instance: a positive value is the
        // message, a negative one an instance sending a new board since that many milliseconds.
        let seen = self.cases.fact(BOARD_FACT).await?;
        if let Some(id) = seen.filter(|id| *id > 0)
            && let Ok(id) = i32::try_from(id)
        {
            match out.edit(group, id, &board).await {
                Ok(()) => return Ok(()),
                Err(SendError::Rejected("message gone")) => {}
                Err(e) => return Err(e.into()),
            }
        }
        // No board yet, or it is gone: one instance claims sending the new one, so two
        // instances never post two boards. A claim left by a crash expires.
        let claimed_at = crate::db::millis(now);
        if let Some(since) = seen.filter(|id| *id < 0)
            && claimed_at + since < BOARD_CLAIM.num_milliseconds()
        {
            return Ok(());
        }
        if !self.cases.swap_fact(BOARD_FACT, seen, -claimed_at).await? {
            return Ok(());
        }
        let id = out.send_in(group, None, &board).await?;
        self.cases.set_fact(BOARD_FACT, i64::from(id)).await?;
        Ok(())
    }

    /// The desk's clock: the line restored if Redis lost it, urgent deadlines, silent
    /// assignees. Called every few seconds with the current time (tests pass their own).
    pub async fn tick(&self, out: &Outbound, now: DateTime<Utc>) -> Result<(), DeskError> {
        self.learn_group().await;
        let mut changed = false;
        if !self.line.is_built().await? {
            let n = self.restore().await?;
            tracing::warn!(
                cases = n,
                "the waiting line was empty (Redis restarted?); restored from the database"
            );
            // Places told while the line was away may be wrong: the board and every waiting
            // woman's place are said again.
            changed = true;
        } else {
            // Cheap, and it also puts back a case whose claim was never settled (a crash).
            self.restore().await?;
        }
        let roster = self.roster(now).await?;
        for case in self.cases.waiting().await? {
            if case.urgent
                && !case.escalated
                && now - case.queued_at > roster.team(case.team_id).settings.urgent_deadline
                && self.cases.escalate(case.id).await?
            {
                changed = true;
                self.escalate(out, &case, &roster).await;
            }
        }
        let mut returned = Vec::new();
        for case in self.cases.active().await? {
            let last = case
                .last_staff_at
                .or(case.taken_at)
                .unwrap_or(case.opened_at);
            if now - last > self.rules.silence_limit
                && let Some(from) = case.assignee
            {
                changed = true;
                returned.push(case.id);
                self.give_back(
                    out,
                    &case,
                    from,
                    "had no answer from its consultant for too long",
                )
                .await?;
            }
        }
        for case in self.cases.active().await? {
            if returned.contains(&case.id) {
                continue;
            }
            changed |= self.end_of_hours(out, &case, &roster).await?;
        }
        if changed {
            self.refresh_board(out).await;
        }
        Ok(())
    }

    /// A case whose assignee is off shift because her team's working hours ended: she is told
    /// once, and after the grace the case goes back to the front of the line; if then nobody of
    /// the case's team is on shift, she (the woman) is told so with the hotlines. True when the
    /// line changed. Both steps are conditional updates, so two instances ticking do each once.
    async fn end_of_hours(
        &self,
        out: &Outbound,
        case: &Case,
        roster: &Roster,
    ) -> Result<bool, DeskError> {
        let Some(member) = case.assignee.and_then(|id| roster.member(id)) else {
            return Ok(false);
        };
        let team = roster.team_of(member);
        if team.hours().is_none() || roster.is_on(member) {
            // On shift again (the hours began, or were changed in the admin): a warning left
            // from before would otherwise skip the next one.
            if case.warned_at.is_some() {
                self.cases.clear_warnings(member.id).await?;
            }
            return Ok(false);
        }
        let grace = self.rules.end_of_hours_grace;
        match case.warned_at {
            None => {
                if self.cases.warn(case.id, member.id, roster.now).await? {
                    tracing::info!("an assignee was told her working hours ended");
                    let text = format!(
                        "Working hours have ended; you hold case {}. Say /online to keep it; otherwise it goes back to the line in {} minutes.",
                        case.code,
                        grace.num_minutes()
                    );
                    let _ = out.send(member.telegram_id, &staff_text(text), false).await;
                }
                Ok(false)
            }
            Some(at) if roster.now - at >= grace => {
                let back = self
                    .give_back(
                        out,
                        case,
                        member.id,
                        "went back because its consultant's working hours ended",
                    )
                    .await?;
                if back && roster.on_shift(case.team_id).is_empty() {
                    let mut session = Session::new(case.locale);
                    session.country = case.country;
                    if let Some(chat) = self.store.get_route(&case.who).await? {
                        for message in self.nobody_on_shift(&session) {
                            if let Ok(id) = out.send(chat, &message, false).await {
                                self.ledger.record(&case.who, id, Utc::now()).await;
                            }
                        }
                    }
                }
                Ok(back)
            }
            Some(_) => Ok(false),
        }
    }

    /// An urgent case not taken in time: the coordinators of its team (all coordinators if it
    /// has none) are paged, she gets the emergency numbers.
    async fn escalate(&self, out: &Outbound, case: &Case, roster: &Roster) {
        tracing::warn!("an urgent case was not taken in time; paging coordinators");
        let team = roster.team(case.team_id).id;
        let coordinators: Vec<&StaffMember> = roster
            .staff
            .iter()
            .filter(|m| m.role == Role::Coordinator)
            .collect();
        let of_team: Vec<&StaffMember> = coordinators
            .iter()
            .copied()
            .filter(|m| roster.team_of(m).id == team)
            .collect();
        let paged = if of_team.is_empty() {
            coordinators
        } else {
            of_team
        };
        for member in paged {
            let page = staff_text(format!(
                "Urgent case {} has waited past the deadline. Please take it or find someone who can.",
                case.code
            ));
            let _ = out.send(member.telegram_id, &page, false).await;
        }
        if let Ok(Some(chat)) = self.store.get_route(&case.who).await {
            let mut session = Session::new(case.locale);
            session.country = case.country;
            let message = self
                .content
                .render_fallback(&session, "handoff-urgent-missed");
            if let Ok(id) = out.send(chat, &message, false).await {
                self.ledger.record(&case.who, id, Utc::now()).await;
            }
        }
    }

    // ----- text ------------------------------------------------------------------------------

    fn her_message(
        &self,
        locale: Locale,
        id: &str,
        args: &Args,
        buttons: Vec<Vec<Button>>,
    ) -> OutMessage {
        OutMessage {
            text: self.content.localizer.text(locale, id, args),
            buttons,
            protect: false,
            keyboard: None,
        }
    }

    fn label(&self, locale: Locale, id: &str, data: String) -> Button {
        Button {
            label: self.content.localizer.text(locale, id, &Args::new()),
            data,
        }
    }
}

/// Teams, staff and the statements in force at one moment: who is on shift, per team.
struct Roster {
    /// In id order, the default team first; never empty (a stand-in before the first start).
    teams: Vec<Team>,
    staff: Vec<StaffMember>,
    said: HashMap<i64, bool>,
    now: DateTime<Utc>,
}

impl Roster {
    /// A team by id; the default team for `None` or a team deleted since.
    fn team(&self, id: Option<i64>) -> &Team {
        id.and_then(|id| self.teams.iter().find(|t| t.id == id))
            .unwrap_or(&self.teams[0])
    }

    fn team_of(&self, member: &StaffMember) -> &Team {
        self.team(member.team_id)
    }

    fn member(&self, id: i64) -> Option<&StaffMember> {
        self.staff.iter().find(|m| m.id == id)
    }

    fn is_on(&self, member: &StaffMember) -> bool {
        self.team_of(member)
            .is_on(self.said.get(&member.id).copied(), self.now)
    }

    /// The members of a team (`None`: the default team) on shift.
    fn on_shift(&self, team: Option<i64>) -> Vec<StaffMember> {
        let team = self.team(team).id;
        self.staff
            .iter()
            .filter(|m| self.team_of(m).id == team && self.is_on(m))
            .cloned()
            .collect()
    }
}

/// The answer to /online or /offline: what she is now, and until when.
fn shift_reply(
    team: &Team,
    online: bool,
    now: DateTime<Utc>,
    lapses: Option<DateTime<Utc>>,
) -> String {
    let when = |t: DateTime<Utc>| {
        let tz = team
            .hours()
            .map(|h| h.timezone())
            .unwrap_or(chrono_tz::Tz::UTC);
        format!(
            "{} ({})",
            t.with_timezone(&tz).format("%a %-d %b %H:%M"),
            tz.name()
        )
    };
    let open = team.is_open(now);
    match (online, lapses) {
        (true, None) => "You are on shift until you say /offline. New cases will page you; take them in the staff group.".to_owned(),
        (false, None) => "You are off shift until you say /online. Any case you held went back to the front of the line.".to_owned(),
        (true, Some(t)) if open => format!(
            "You are on shift until {}, when working hours end. New cases will page you; take them in the staff group.",
            when(t)
        ),
        (true, Some(t)) => format!(
            "You are on shift until {}, when working hours begin and keep you on. New cases will page you; take them in the staff group.",
            when(t)
        ),
        (false, Some(t)) if open => format!(
            "You are off shift until {}, when working hours end. Any case you held went back to the front of the line.",
            when(t)
        ),
        (false, Some(t)) => format!(
            "You are off shift. Any case you held went back to the front of the line. Working hours begin at {} and put you on shift again.",
            when(t)
        ),
    }
}

fn staff_text(text: String) -> OutMessage {
    OutMessage {
        text,
        buttons: Vec::new(),
        protect: false,
        keyboard: None,
    }
}

/// `K-7F3Q · uk · UA · URGENT`: what the topic and the board show of a case.
fn topic_name(case: &Case) -> String {
    let mut name = format!("{} · {}", case.code, case.locale.code());
    if let Some(c) = case.country {
        name.push_str(&format!(" · {c}"));
    }
    if case.urgent {
        name.push_str(" · URGENT");
    }
    name
}

/// The case card: what the team may know of her, and Take while nobody holds the case.
fn card(case: &Case, holder: Option<&StaffMember>) -> OutMessage {
    let mut text = format!("Case {}\nLanguage: {}", case.code, case.locale.code());
    text.push_str(&format!(
        "\nCountry: {}",
        case.country
            .map(|c| c.to_string())
            .unwrap_or_else(|| "not said".into())
    ));
    text.push_str(if case.urgent {
        "\nUrgent: yes (a red flag in her answers)"
    } else {
        "\nUrgent: no"
    });
    if case.forms.is_empty() {
        text.push_str("\nForms she shared: none");
    } else {
        let forms: Vec<&str> = case.forms.iter().map(|f| f.as_str()).collect();
        text.push_str(&format!("\nForms she shared: {}", forms.join(", ")));
    }
    let buttons = match holder {
        Some(m) => {
            text.push_str(&format!("\nTaken by {}", m.name));
            Vec::new()
        }
        None => vec![vec![Button {
            label: "Take".into(),
            data: format!("take:{}", case.code),
        }]],
    };
    OutMessage {
        text,
        buttons,
        protect: false,
        keyboard: None,
    }
}
