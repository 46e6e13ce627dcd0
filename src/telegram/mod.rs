//! The Telegram adapter: updates in, the conversation core in the middle, messages out.
//!
//! Each woman's updates are handled in order by a short-lived task of her own, so her session is
//! never read and written by two updates at once, while other women are served in parallel. A
//! turn is: parse the update ([`inbound`]), load her sealed session, let the core answer, send or
//! edit the messages ([`outbound`]), then store the session. Sending before storing means a crash
//! can repeat a reply but never lose one; the session remembers the update ids it handled, so a
//! redelivered update changes nothing.
//!
//! A database outage (a Postgres restart, a failover, SQLite busy: [`crate::db::is_transient`])
//! does not drop an update: its handling is tried again with growing waits for up to
//! [`crate::db::PATIENCE`] while the update stays in flight (polling does not confirm it, the
//! webhook answers 503 after its limit so Telegram delivers it again), and the sender's later
//! updates wait behind it in her queue. Only then does it fall back to the apology. The relay is
//! safe to run again: a message is noted in `case_messages` before it is copied, and the mark
//! after the copy is itself waited for, so a retried update copies nothing twice.

pub mod desk;
pub mod inbound;
pub mod outbound;
pub mod polling;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use teloxide::Bot;
use teloxide::payloads::SetMyCommandsSetters as _;
use teloxide::prelude::Requester as _;
use teloxide::types::{BotCommand, Update};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::SendLimits;
use crate::content::Content;
use crate::conversation::{Command, Effect, Input, OutMessage, SESSION_VERSION, Session, World};
use crate::db::{PATIENCE, patiently};
use crate::directory::Directory;
use crate::domain::Locale;
use crate::i18n::Args;
use crate::privacy::{Keys, Pseudonym};
use crate::store::{MESSAGE_ID_WINDOW, Store, Turn};
use inbound::{Callback, Event, Incoming};
use outbound::{Outbound, SendError};

/// How long a woman's task waits for her next update before it ends.
const WORKER_IDLE: Duration = Duration::from_secs(30);
/// How many recent update ids her session remembers to drop redeliveries. Telegram may restart
/// update ids after a week of silence, so a set of recent ids is safer than "highest seen".
const REMEMBERED_UPDATES: usize = 16;

/// What is stored (sealed) for her: the core's session and the updates already handled.
#[derive(Serialize, Deserialize)]
struct Record {
    session: Session,
    #[serde(default)]
    handled: Vec<i64>,
}

pub struct Telegram {
    shared: Arc<Shared>,
}

/// An update waiting in her queue, and who wants to know when its turn is over.
struct Queued {
    incoming: Incoming,
    done: Option<oneshot::Sender<()>>,
}

struct Shared {
    content: Arc<Content>,
    store: Arc<dyn Store>,
    keys: Arc<Keys>,
    /// The service directory /services searches (its in-memory index; no query per turn).
    directory: Arc<dyn Directory>,
    out: Outbound,
    /// Her queue, by Telegram user id. Memory only, and only while she is active.
    queues: Mutex<HashMap<i64, mpsc::UnboundedSender<Queued>>>,
    /// Updates accepted but not yet handled, for the long-poll offset.
    in_flight: Mutex<BTreeSet<i64>>,
    /// Woken whenever an update leaves `in_flight`, so polling can move its offset at once.
    handled: Notify,
    tasks: TaskTracker,
    /// Cancelled at shutdown: her task finishes what is queued for her, then ends at once
    /// instead of idling for [`WORKER_IDLE`].
    closing: CancellationToken,
    /// The hand-off to consultants, once set up ([`Telegram::set_desk`]); without it, /talk
    /// shows the hotlines.
    desk: OnceLock<Arc<desk::Desk>>,
    /// The coordinators' admin, which answers staff commands (`/admin`, staff invites).
    admin: std::sync::OnceLock<Arc<crate::admin::Admin>>,
}

impl Clone for Telegram {
    fn clone(&self) -> Telegram {
        Telegram {
            shared: self.shared.clone(),
        }
    }
}

impl Telegram {
    pub fn new(
        bot: Bot,
        limits: SendLimits,
        content: Arc<Content>,
        store: Arc<dyn Store>,
        keys: Arc<Keys>,
        directory: Arc<dyn Directory>,
    ) -> Telegram {
        Telegram {
            shared: Arc::new(Shared {
                content,
                store,
                keys,
                directory,
                out: Outbound::new(bot, limits),
                queues: Mutex::new(HashMap::new()),
                in_flight: Mutex::new(BTreeSet::new()),
                handled: Notify::new(),
                tasks: TaskTracker::new(),
                closing: CancellationToken::new(),
                desk: OnceLock::new(),
                admin: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Lets the admin answer staff commands before the core sees them (set once, at start).
    pub fn set_admin(&self, admin: Arc<crate::admin::Admin>) {
        let _ = self.shared.admin.set(admin);
    }

    pub fn bot(&self) -> &Bot {
        self.shared.out.bot()
    }

    pub fn outbound(&self) -> &Outbound {
        &self.shared.out
    }

    /// Turns on the hand-off. Set once, before updates arrive.
    pub fn set_desk(&self, desk: Arc<desk::Desk>) {
        let _ = self.shared.desk.set(desk);
    }

    pub fn desk(&self) -> Option<&Arc<desk::Desk>> {
        self.shared.desk.get()
    }

    /// Takes an update and returns at once; her task handles it in order with her others.
    pub fn accept(&self, update: Update) {
        self.enqueue(&update, None);
    }

    /// Like [`Telegram::accept`], and resolves once the update's turn is over (at once for an
    /// update that is not for a conversation). The webhook answers Telegram only then, so an
    /// update whose turn a crash cut short is delivered again instead of lost.
    pub fn accept_and_wait(&self, update: &Update) -> impl Future<Output = ()> + use<> {
        let (done, turn_over) = oneshot::channel();
        let queued = self.enqueue(update, Some(done));
        async move {
            if queued {
                // An error means her task ended without finishing it (a panic): nothing to wait for.
                let _ = turn_over.await;
            }
        }
    }

    /// Puts the update in her queue, starting her task if she has none. False if the update is
    /// not for a conversation.
    fn enqueue(&self, update: &Update, done: Option<oneshot::Sender<()>>) -> bool {
        let Some(incoming) = inbound::parse(update) else {
            return false;
        };
        lock(&self.shared.in_flight).insert(incoming.update_id);
        let user = incoming.user_id;
        let queued = Queued { incoming, done };
        let mut queues = lock(&self.shared.queues);
        let queued = match queues.get(&user) {
            Some(queue) => match queue.send(queued) {
                Ok(()) => return true,
                Err(mpsc::error::SendError(back)) => back,
            },
            None => queued,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(queued);
        queues.insert(user, tx);
        let shared = self.shared.clone();
        self.shared
            .tasks
            .spawn(async move { shared.serve(user, rx).await });
        true
    }

    /// The oldest update still being handled, if any: the long-poll offset must not pass it.
    pub fn oldest_in_flight(&self) -> Option<i64> {
        lock(&self.shared.in_flight).first().copied()
    }

    /// How many updates are being handled.
    pub fn count_in_flight(&self) -> usize {
        lock(&self.shared.in_flight).len()
    }

    /// Waits until the oldest update in flight is no longer `oldest` and at most half of the
    /// `count` updates then in flight are left, or for `at_most`. Polling calls this when
    /// Telegram only returned updates still being handled: the offset cannot pass them, so
    /// Telegram sends them again with every `getUpdates` until they are done. Polling again
    /// after every single update handled would fetch (and parse) the same updates over and over;
    /// waiting for half of them keeps that to about one extra update per update handled.
    pub async fn until_handled(&self, oldest: i64, count: usize, at_most: Duration) {
        let deadline = tokio::time::Instant::now() + at_most;
        loop {
            let handled = self.shared.handled.notified();
            let mut handled = std::pin::pin!(handled);
            handled.as_mut().enable();
            {
                let in_flight = lock(&self.shared.in_flight);
                if in_flight.first() != Some(&oldest) && in_flight.len() <= count / 2 {
                    return;
                }
            }
            if tokio::time::timeout_at(deadline, handled).await.is_err() {
                return;
            }
        }
    }

    /// Waits until every accepted update is handled (graceful shutdown). Tasks of women with
    /// nothing queued end at once.
    pub async fn drain(&self, timeout: Duration) -> bool {
        self.shared.closing.cancel();
        self.shared.tasks.close();
        let done = tokio::time::timeout(timeout, self.shared.tasks.wait())
            .await
            .is_ok();
        self.shared.tasks.reopen();
        done
    }

    /// Sets the command menu in every language (setMyCommands with language_code).
    pub async fn set_commands(&self) -> Result<(), SendError> {
        for locale in Locale::ALL {
            let commands: Vec<BotCommand> = Command::MENU
                .iter()
                .map(|(name, id)| {
                    BotCommand::new(
                        *name,
                        self.shared.content.localizer.text(locale, id, &Args::new()),
                    )
                })
                .collect();
            let mut request = self.bot().set_my_commands(commands);
            if locale != Locale::En {
                request = request.language_code(locale.code());
            }
            // The error itself is not logged: a request error's text can carry the bot token.
            if request.await.is_err() {
                tracing::warn!(locale = locale.code(), "setting the command menu failed");
                return Err(SendError::Rejected("setMyCommands"));
            }
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Her task: handles her updates in order, and ends when she has been quiet for a while.
    async fn serve(self: Arc<Self>, user: i64, mut rx: mpsc::UnboundedReceiver<Queued>) {
        loop {
            // Her queue first: at shutdown, what she already sent is still handled.
            let received = tokio::select! {
                biased;
                received = tokio::time::timeout(WORKER_IDLE, rx.recv()) => received.ok(),
                () = self.closing.cancelled() => None,
            };
            let next = match received {
                Some(Some(incoming)) => incoming,
                Some(None) => return,
                None => {
                    // Quiet (or shutting down): leave, unless something arrived while taking
                    // the lock.
                    let mut queues = lock(&self.queues);
                    match rx.try_recv() {
                        Ok(incoming) => {
                            drop(queues);
                            incoming
                        }
                        Err(_) => {
                            queues.remove(&user);
                            return;
                        }
                    }
                }
            };
            let Queued { incoming, done } = next;
            let id = incoming.update_id;
            self.turn(incoming).await;
            lock(&self.in_flight).remove(&id);
            if let Some(done) = done {
                let _ = done.send(());
            }
            self.handled.notify_waiters();
        }
    }

    async fn turn(&self, incoming: Incoming) {
        use crate::ops::metrics::{self, UpdateKind};
        let kind = match &incoming.event {
            _ if incoming.staff.is_some() => UpdateKind::StaffCommand,
            Event::Group(_) | Event::GroupButton(_) => UpdateKind::StaffGroup,
            Event::Shift { .. } => UpdateKind::StaffCommand,
            Event::Blocked => UpdateKind::Blocked,
            Event::Stray(_) => UpdateKind::Stray,
            Event::Input { input, .. } => match input {
                Input::Command(_) => UpdateKind::Command,
                Input::Button(_) => UpdateKind::Button,
                Input::Text(_) => UpdateKind::Text,
                Input::Location { .. } => UpdateKind::Location,
                Input::Other => UpdateKind::Other,
            },
        };
        metrics::update(kind);
        let started = std::time::Instant::now();
        if let Some(command) = &incoming.staff
            && self.staff_turn(command, &incoming).await
        {
            metrics::turn(started.elapsed(), true);
            return;
        }
        let who = self.keys.pseudonym(incoming.user_id);
        let desk = self.desk.get();
        let mut ok = true;
        match incoming.event {
            // A database outage holds the update (and the sender's next ones, queued behind it)
            // until the database is back: the consultant's message reaches her late, not never.
            Event::Group(message) => {
                if let Some(desk) = desk
                    && let Err(e) = self
                        .patiently("relaying a staff group message", || {
                            desk.group_message(&self.out, message.clone())
                        })
                        .await
                {
                    ok = false;
                    tracing::error!(error = %e, "a staff group message failed");
                }
            }
            Event::GroupButton(button) => match desk {
                Some(desk) => {
                    if let Err(e) = self
                        .patiently("a staff group button", || {
                            desk.group_button(&self.out, button.clone())
                        })
                        .await
                    {
                        ok = false;
                        tracing::error!(error = %e, "a staff group button failed");
                        self.out.answer_callback(&button.callback_id).await;
                    }
                }
                None => self.out.answer_callback(&button.callback_id).await,
            },
            Event::Shift { online, message_id } => {
                let staff = match desk {
                    Some(desk) => self
                        .patiently("a shift change", || {
                            desk.shift(&self.out, incoming.user_id, online)
                        })
                        .await
                        .unwrap_or_else(|e| {
                            tracing::error!(error = %e, "a shift change failed");
                            true
                        }),
                    None => false,
                };
                if !staff {
                    // Not staff: the core answers as to any unknown command.
                    let event = Event::Input {
                        input: Input::Command(Command::Unknown),
                        message_id: Some(message_id),
                        callback: None,
                    };
                    Box::pin(self.turn(Incoming { event, ..incoming })).await;
                }
            }
            Event::Input {
                input: Input::Text(_) | Input::Other,
                message_id: Some(message_id),
                callback: None,
            } if desk.is_some() && self.relayed(&who, incoming.chat_id, message_id).await => {}
            Event::Blocked => {
                if let Some(desk) = desk {
                    desk.forget(&self.out, &who).await;
                }
                if let Err(e) = self
                    .patiently("forgetting her", || self.store.forget(&who))
                    .await
                {
                    tracing::error!(error = %e, "forgetting a woman who blocked the bot failed");
                }
                tracing::info!("a woman blocked the bot; everything about her was erased");
            }
            Event::Stray(callback) => self.out.answer_callback(&callback.id).await,
            Event::Input {
                input,
                message_id,
                callback,
            } => {
                // Run again from the start after an outage: nothing of a turn that failed on the
                // database is stored, and the session's handled ids stop a second run of one that
                // was.
                if let Err(e) = self
                    .patiently("a turn", || {
                        self.converse(
                            &who,
                            incoming.update_id,
                            incoming.chat_id,
                            incoming.language.as_deref(),
                            input.clone(),
                            message_id,
                            callback.as_ref(),
                        )
                    })
                    .await
                {
                    ok = false;
                    tracing::error!(error = %e, "a turn failed");
                    self.apologise(
                        incoming.chat_id,
                        incoming.language.as_deref(),
                        callback.as_ref(),
                    )
                    .await;
                }
            }
        }
        metrics::turn(started.elapsed(), ok);
    }

    /// Her message while she has an open case goes to the consultant, not the core. False when
    /// she has none (or the desk failed: the core then answers her kindly).
    async fn relayed(&self, who: &Pseudonym, chat: i64, message_id: i32) -> bool {
        let Some(desk) = self.desk.get() else {
            return false;
        };
        // Safe to run again: her message is noted before it is copied and marked after, so a
        // second run copies only what the first did not.
        let relayed = self
            .patiently("relaying her message", || {
                desk.from_her(&self.out, who, chat, message_id)
            })
            .await;
        relayed.unwrap_or_else(|e| {
            tracing::error!(error = %e, "relaying her message failed");
            false
        })
    }

    /// Runs `op` again while it fails on a database outage, for up to [`PATIENCE`], with her
    /// update still in flight: polling does not confirm it to Telegram and the webhook has not
    /// answered, so a crash meanwhile means redelivery. Her later updates wait in her queue
    /// behind it, so nothing overtakes it. At shutdown it stops waiting.
    async fn patiently<T, E, F, Fut>(&self, doing: &'static str, op: F) -> Result<T, E>
    where
        E: crate::db::Transient,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        patiently(doing, PATIENCE, Some(&self.closing), op).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn converse(
        &self,
        who: &Pseudonym,
        update_id: i64,
        chat: i64,
        language: Option<&str>,
        input: Input,
        message_id: Option<i32>,
        callback: Option<&Callback>,
    ) -> Result<(), crate::store::StoreError> {
        let now = Utc::now();
        let first_locale = language
            .and_then(|l| Locale::parse(l).ok())
            .unwrap_or(Locale::En);
        let mut record = match self.store.load_session(who).await? {
            Some(bytes) => match serde_json::from_slice::<Record>(&bytes) {
                Ok(r) if r.session.version == SESSION_VERSION => r,
                // Another version or unreadable: she starts afresh rather than being stuck.
                _ => {
                    tracing::warn!("stored session of another version; starting afresh");
                    Record {
                        session: Session::new(first_locale),
                        handled: Vec::new(),
                    }
                }
            },
            None => {
                // New to us (or forgotten): the update-id table is the only memory of a turn
                // that ended without a session (a quick exit records its update). Only looked
                // up here: recording it before she has her answer would turn a crash mid-turn
                // into a lost message, the redelivery dropped as already handled.
                if self.store.delivered(update_id).await? {
                    if let Some(c) = callback {
                        self.out.answer_callback(&c.id).await;
                    }
                    return Ok(());
                }
                Record {
                    session: Session::new(first_locale),
                    handled: Vec::new(),
                }
            }
        };
        if record.handled.contains(&update_id) {
            if let Some(c) = callback {
                self.out.answer_callback(&c.id).await;
            }
            return Ok(());
        }
        let desk = self.desk.get();
        let mut reply = match (desk, &input) {
            (Some(desk), Input::Button(data)) if data.starts_with("h:") => {
                crate::conversation::Reply {
                    messages: desk
                        .her_button(&self.out, who, chat, &record.session, data)
                        .await,
                    effect: None,
                }
            }
            _ => {
                let index = self.directory.index();
                let world = World {
                    directory: &index,
                    now,
                };
                self.content.handle_with(&mut record.session, input, world)
            }
        };
        let silent = record.session.silent;
        if let (Some(desk), Some(Effect::Talk { urgent, forms })) = (desk, &reply.effect) {
            let fallback = std::mem::take(&mut reply.messages);
            reply.messages = desk
                .talk(
                    &self.out,
                    who,
                    chat,
                    &record.session,
                    *urgent,
                    forms,
                    fallback,
                )
                .await;
        }
        if reply.effect == Some(Effect::Forget)
            && let Some(desk) = desk
        {
            desk.forget(&self.out, who).await;
        }

        if reply.effect == Some(Effect::Forget) {
            if let Some(c) = callback {
                self.out.answer_callback(&c.id).await;
            }
            return self
                .forget(
                    who,
                    update_id,
                    chat,
                    message_id,
                    callback,
                    &reply.messages,
                    silent,
                )
                .await;
        }

        // The spinner on her button stops while the reply is on its way: both calls at once.
        let answer = async {
            if let Some(c) = callback {
                self.out.answer_callback(&c.id).await;
            }
        };
        let ((), sent) = tokio::join!(
            answer,
            self.deliver(chat, callback, &reply.messages, silent)
        );
        let Some(sent) = sent else {
            self.store.forget(who).await?;
            return Ok(());
        };
        if let Some(Effect::CountCheck { country, forms }) = &reply.effect {
            // Her "yes" is the consent; a failure to count is logged, never her problem.
            let counters = crate::stats::Counters::new(self.store.db());
            let place = crate::stats::Place::country(*country);
            if let Err(e) = counters
                .record_check(crate::stats::Consent::Given, &place, forms, now)
                .await
            {
                tracing::warn!(error = %e, "counting a check failed");
            }
            crate::ops::metrics::consented_count();
        }
        if let Some(Effect::CountServiceSearch { country, service }) = &reply.effect {
            // The core only asks this when her session says she agreed to be counted.
            let counters = crate::stats::Counters::new(self.store.db());
            let place = crate::stats::Place::country(*country);
            if let Err(e) = counters
                .record_service_search(crate::stats::Consent::Given, &place, *service, now)
                .await
            {
                tracing::warn!(error = %e, "counting a service search failed");
            }
        }

        record.handled.push(update_id);
        if record.handled.len() > REMEMBERED_UPDATES {
            let excess = record.handled.len() - REMEMBERED_UPDATES;
            record.handled.drain(..excess);
        }
        let bytes = serde_json::to_vec(&record).unwrap_or_default();
        // Her message and the bot's are recorded for quick exit with the session, in one write
        // at the end of the turn rather than one write each as they happen. A crash in the
        // middle of a turn leaves the ids of that turn unrecorded (her update comes again and is
        // answered again, that time recorded); one write per turn is what lets the bot keep up
        // with thousands of updates a second.
        //
        // Her message, or the bot's message whose button she pressed. The latter is usually
        // recorded already, but not always: the closing message of a quick exit is deliberately
        // unrecorded, and "Start again" on it turns it into her menu by an edit. Unrecorded, it
        // would survive her next quick exit.
        let pressed = message_id.or(callback.and_then(|c| c.message_id));
        let message_ids: Vec<i32> = pressed.into_iter().chain(sent).collect();
        let turn = Turn {
            session: &bytes,
            chat_id: chat,
            message_ids: &message_ids,
        };
        // Her reply is sent: wait out an outage here rather than fail the turn and send it again.
        patiently("saving a turn", PATIENCE, Some(&self.closing), || {
            self.store.save_turn(who, turn, now)
        })
        .await?;
        Ok(())
    }

    /// Sends (or edits into place) the messages of a reply, in order. Returns the ids of the
    /// messages sent, or `None` when she blocked the bot.
    async fn deliver(
        &self,
        chat: i64,
        callback: Option<&Callback>,
        messages: &[OutMessage],
        silent: bool,
    ) -> Option<Vec<i32>> {
        // Edit the message whose button she pressed when one plain message answers it; anything
        // protected or longer arrives as new messages. A protected message (emergency numbers,
        // a red-flag banner, a result, her plan) is never edited: pressing "No" on the next
        // question under the numbers must not wipe them off her screen.
        let edit_target = callback
            .filter(|c| !c.protected)
            .and_then(|c| c.message_id)
            .filter(|_| {
                // A keyboard under the input field comes only with a new message.
                messages.len() == 1 && !messages[0].protect && messages[0].keyboard.is_none()
            });
        let mut sent = Vec::with_capacity(messages.len());
        for (i, message) in messages.iter().enumerate() {
            let result = match edit_target {
                Some(target) if i == 0 => match self.out.edit(chat, target, message).await {
                    Ok(()) => Ok(None),
                    Err(SendError::Rejected(_)) => {
                        self.out.send(chat, message, silent).await.map(Some)
                    }
                    Err(e) => Err(e),
                },
                _ => self.out.send(chat, message, silent).await.map(Some),
            };
            match result {
                Ok(Some(id)) => sent.push(id),
                Ok(None) => {}
                Err(SendError::Blocked) => return None,
                Err(_) => {}
            }
        }
        Some(sent)
    }

    /// Quick exit: delete every message still deletable, erase her, leave one neutral message.
    #[allow(clippy::too_many_arguments)]
    async fn forget(
        &self,
        who: &Pseudonym,
        update_id: i64,
        chat: i64,
        message_id: Option<i32>,
        callback: Option<&Callback>,
        closing: &[OutMessage],
        silent: bool,
    ) -> Result<(), crate::store::StoreError> {
        let now = Utc::now();
        let mut ids = self
            .store
            .recent_messages(who, now - MESSAGE_ID_WINDOW)
            .await?;
        ids.extend(message_id);
        ids.extend(callback.and_then(|c| c.message_id));
        ids.sort_unstable();
        ids.dedup();
        let deleted = self.out.delete(chat, &ids).await;
        self.store.forget(who).await?;
        // Remember the update itself (not her), so a redelivery does not repeat the exit.
        self.store.first_delivery(update_id, now).await?;
        tracing::info!(deleted, "quick exit");
        for message in closing {
            // The closing message is deliberately not recorded: nothing about her remains.
            let _ = self.out.send(chat, message, silent).await;
        }
        Ok(())
    }

    /// A staff command, answered by the admin. False when it is not one for the admin (not a
    /// coordinator, an invite already used): the core then answers it as it would anyone's, so
    /// `/admin` gives away nothing to someone who is not a coordinator.
    async fn staff_turn(&self, command: &crate::admin::StaffCommand, incoming: &Incoming) -> bool {
        use crate::admin::StaffReply;
        let Some(admin) = self.admin.get() else {
            return false;
        };
        let reply = match admin.staff_command(incoming.user_id, command).await {
            Ok(Some(reply)) => reply,
            Ok(None) => return false,
            Err(e) => {
                tracing::error!(error = %e, "a staff command failed");
                return false;
            }
        };
        let locale = incoming
            .language
            .as_deref()
            .and_then(|l| Locale::parse(l).ok())
            .unwrap_or(Locale::En);
        let l10n = &self.content.localizer;
        let text = match &reply {
            StaffReply::SignInLink(url) => l10n.text(
                locale,
                "staff-admin-link",
                &Args::new().text("url", url.clone()),
            ),
            StaffReply::Joined(member) => {
                let id = match member.role {
                    crate::staff::Role::Consultant => "staff-joined-consultant",
                    crate::staff::Role::Coordinator => "staff-joined-coordinator",
                };
                l10n.text(
                    locale,
                    id,
                    &Args::new().text("name", member.name.as_str().to_owned()),
                )
            }
            StaffReply::InviteLink { name, role, url } => {
                let id = match role {
                    crate::staff::Role::Consultant => "staff-invite-consultant",
                    crate::staff::Role::Coordinator => "staff-invite-coordinator",
                };
                l10n.text(
                    locale,
                    id,
                    &Args::new()
                        .text("name", name.as_str().to_owned())
                        .text("url", url.clone()),
                )
            }
            StaffReply::InviteUsage => l10n.text(locale, "staff-invite-usage", &Args::new()),
        };
        let message = OutMessage {
            text,
            buttons: Vec::new(),
            protect: true,
            keyboard: None,
        };
        if self
            .out
            .send(incoming.chat_id, &message, false)
            .await
            .is_err()
        {
            tracing::warn!("a staff command's answer could not be sent");
        }
        true
    }

    /// When a turn fails inside (the database is down, say), she still gets an answer.
    async fn apologise(&self, chat: i64, language: Option<&str>, callback: Option<&Callback>) {
        if let Some(c) = callback {
            self.out.answer_callback(&c.id).await;
        }
        let locale = language
            .and_then(|l| Locale::parse(l).ok())
            .unwrap_or(Locale::En);
        let message = OutMessage {
            text: self
                .content
                .localizer
                .text(locale, "error-try-again", &Args::new()),
            buttons: Vec::new(),
            protect: false,
            keyboard: None,
        };
        let _ = self.out.send(chat, &message, false).await;
    }
}
