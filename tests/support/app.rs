//! The whole bot under test, wired as in production: a fake Telegram Bot API, a fresh database
//! and `helpline::app::run` in this process, or the real `helpline` binary as a child process for
//! kill-and-restart stories.
//!
//! ```ignore
//! let app = TestApp::init().with_postgres().with_429_rate(0.2).spawn().await;
//! let mut olena = app.phone(7_350_561_829, "Olena", None, Some("uk"));
//! olena.send("/start").await;          // waits until the bot has handled it
//! olena.press("onboarding.safe.yes").await;
//! ```
//!
//! A [`Phone`] drives one woman the way her Telegram app would (typing, pressing a visible
//! button) and checks every answer against the conversation core run beside it on a shadow
//! session: if the bot and the core ever disagree, the adapter is wrong.
//!
//! Waiting: in polling mode an update is handled once `getUpdates` has confirmed it, because the
//! bot moves its offset past an update only after the turn (sends and session save) is over. So
//! tests never sleep; [`TestApp::handled`] waits for exactly that.
//!
//! Logs: the in-process bot logs into a buffer (one subscriber per test process, which nextest
//! gives every test); the binary's stderr goes to a file. Both can be scanned for leaks. A panic
//! anywhere in the process is written into the buffer too.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use helpline::config::Config;
use helpline::content::Content;
use helpline::conversation::{Input, OutMessage, Reply, ReplyKeyboard, Session, World};
use helpline::directory::Directory;
use helpline::domain::Locale;
use helpline::i18n::Args;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::content::{root, shipped};
use super::fake_telegram::{ChatMessage, FakeTelegram, TgUser};
use super::{Backend, TestDb};

/// How long any wait lasts before the test fails, listing the bot's last calls.
pub const WAIT: Duration = Duration::from_secs(15);
/// One second of a 429's `retry_after`, for the bot and the fake alike: 429 stories stay quick.
pub const RETRY_AFTER_UNIT: Duration = Duration::from_millis(10);
/// Logs as the binary writes them, with helpline's own code at its most talkative: nothing it
/// says at any level may carry an id, a name or her words.
pub const LOG_FILTER: &str = "info,helpline=trace,reqwest=warn,hyper=warn,sqlx=warn,teloxide=warn";

/// The Redis the tests use: `TEST_REDIS_URL`, or the local server.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Builder for [`TestApp`]: SQLite (a temporary file) unless told otherwise.
pub struct TestAppBuilder {
    backend: Backend,
    rate_429: f64,
    webhook: bool,
    binary: bool,
    extra_env: Vec<(&'static str, String)>,
    directory: Option<String>,
    hide_stale: bool,
    staff_group: bool,
    redis: bool,
    /// The Redis of [`TestAppBuilder::with_redis_at`], instead of the shared one.
    redis_url: Option<String>,
    /// The PostgreSQL server of [`TestAppBuilder::with_postgres_on`], instead of the shared one.
    postgres_admin: Option<String>,
}

impl TestAppBuilder {
    /// Like [`TestAppBuilder::with_redis`], on the Redis at `url` (a private one the test may
    /// stop and empty, [`super::servers::PrivateRedis`]).
    pub fn with_redis_at(mut self, url: String) -> Self {
        self.redis = true;
        self.redis_url = Some(url);
        self
    }

    /// PostgreSQL, in a fresh database on the server at `admin_url` (a private cluster the
    /// test may restart, [`super::servers::PrivatePostgres`]).
    pub fn with_postgres_on(mut self, admin_url: String) -> Self {
        self.backend = Backend::Postgres;
        self.postgres_admin = Some(admin_url);
        self
    }

    /// The service directory holds this HSDS JSON before the bot starts (empty otherwise).
    pub fn with_directory(mut self, hsds_json: impl Into<String>) -> Self {
        self.directory = Some(hsds_json.into());
        self
    }

    /// The fictional demo directory of `deploy/demo/directory.json`.
    pub fn with_demo_directory(self) -> Self {
        let text = std::fs::read_to_string(root().join("deploy/demo/directory.json"))
            .expect("deploy/demo/directory.json");
        self.with_directory(text)
    }

    /// `HELPLINE_HIDE_STALE_SERVICES=true`: stale listings are hidden, not flagged.
    pub fn with_stale_hidden(mut self) -> Self {
        self.hide_stale = true;
        self
    }

    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    pub fn with_postgres(self) -> Self {
        self.with_backend(Backend::Postgres)
    }

    /// The fake answers this share of send-type calls with 429 `retry after 1`.
    pub fn with_429_rate(mut self, rate: f64) -> Self {
        self.rate_429 = rate;
        self
    }

    /// `HELPLINE_WEBHOOK_URL` points at the bot's own HTTP address; the fake POSTs updates there.
    pub fn with_webhook(mut self) -> Self {
        self.webhook = true;
        self
    }

    /// A forum supergroup in the fake where the bot is an administrator that can manage topics,
    /// passed as `HELPLINE_STAFF_CHAT_ID` ([`TestApp::staff_group`]).
    pub fn with_staff_group(mut self) -> Self {
        self.staff_group = true;
        self
    }

    /// The waiting line in Redis (`TEST_REDIS_URL`, default the local server) under a prefix of
    /// this test's own ([`TestApp::redis_prefix`]).
    pub fn with_redis(mut self) -> Self {
        self.redis = true;
        self
    }

    /// One more environment variable for the bot (the binary's, e.g. `HELPLINE_LOG_FORMAT`).
    pub fn with_env(mut self, name: &'static str, value: &str) -> Self {
        self.extra_env.push((name, value.to_owned()));
        self
    }

    /// Runs the real `helpline` binary as a child process instead of `app::run` in this one.
    pub fn with_binary(mut self) -> Self {
        self.binary = true;
        self
    }

    pub async fn spawn(self) -> TestApp {
        let logs = if self.binary {
            let dir = tempfile::tempdir().expect("a folder for the binary's logs");
            let file = dir.path().join("helpline.log");
            Logs::File { _dir: dir, file }
        } else {
            Logs::Captured {
                from: lock(capture()).len(),
            }
        };
        let telegram = FakeTelegram::start().await;
        telegram.set_retry_after_unit(RETRY_AFTER_UNIT);
        if self.rate_429 > 0.0 {
            telegram.set_429_rate(self.rate_429);
        }
        let db = match &self.postgres_admin {
            Some(admin_url) => TestDb::postgres_on(admin_url).await,
            None => TestDb::new(self.backend).await,
        };
        let http = free_local_address();

        let mut env: Vec<(&'static str, String)> = vec![
            ("TELEGRAM_BOT_TOKEN", telegram.token().to_owned()),
            ("TELEGRAM_API_URL", telegram.url().to_string()),
            ("DATABASE_URL", db.url().to_owned()),
            ("HELPLINE_HTTP_ADDR", http.to_string()),
            // The fake does not throttle; the bot's own pacing must not be what a test measures.
            ("HELPLINE_SEND_RATE", "1000".to_owned()),
            ("HELPLINE_CHAT_SEND_RATE", "1000".to_owned()),
            ("HELPLINE_GROUP_SEND_RATE", "1000000".to_owned()),
            (
                "HELPLINE_RETRY_AFTER_UNIT_MS",
                RETRY_AFTER_UNIT.as_millis().to_string(),
            ),
        ];
        let staff_group = self.staff_group.then(|| {
            let group = telegram.create_forum_group("Helpline team");
            env.push(("HELPLINE_STAFF_CHAT_ID", group.to_string()));
            group
        });
        let redis_prefix = self.redis.then(|| {
            let prefix = format!("helpline-test-{:016x}", rand::random::<u64>());
            env.push((
                "REDIS_URL",
                self.redis_url.clone().unwrap_or_else(redis_url),
            ));
            env.push(("HELPLINE_REDIS_PREFIX", prefix.clone()));
            prefix
        });
        if let Some(secret) = db.secret_hex() {
            env.push(("HELPLINE_SECRET", secret.to_owned()));
        }
        if self.webhook {
            env.push(("HELPLINE_WEBHOOK_URL", format!("http://{http}/telegram")));
        }
        env.extend(self.extra_env);
        if self.hide_stale {
            env.push(("HELPLINE_HIDE_STALE_SERVICES", "true".to_owned()));
        }
        // The test's own view of the same directory: what the shadow core searches.
        let settings = helpline::directory::Settings {
            hide_stale: self.hide_stale,
            ..helpline::directory::Settings::for_countries(&shipped().countries)
        };
        let directory = helpline::directory::connect(
            db.url(),
            helpline::directory::Cities::builtin(),
            settings,
        )
        .await
        .unwrap_or_else(|e| panic!("the test directory: {e}"));
        if let Some(text) = &self.directory {
            directory
                .import_json(text)
                .await
                .unwrap_or_else(|e| panic!("importing the test directory: {e}"));
        }

        let mut app = TestApp {
            telegram,
            staff_group,
            redis_prefix,
            db,
            http,
            webhook: self.webhook,
            env,
            directory,
            run: Run::Stopped,
            logs,
            client: reqwest::Client::new(),
        };
        if self.binary {
            app.start_binary();
        } else {
            app.start_in_process();
        }
        app.wait_ready().await;
        app
    }
}

/// A running bot with its fake Telegram and its database.
pub struct TestApp {
    pub telegram: FakeTelegram,
    /// The staff forum group, with [`TestAppBuilder::with_staff_group`].
    pub staff_group: Option<i64>,
    /// The prefix of the line's Redis keys, with [`TestAppBuilder::with_redis`].
    pub redis_prefix: Option<String>,
    pub db: TestDb,
    /// `HELPLINE_HTTP_ADDR`: /healthz, /readyz and the webhook.
    pub http: SocketAddr,
    webhook: bool,
    env: Vec<(&'static str, String)>,
    /// The service directory in the bot's database, as the test sees it.
    pub directory: Arc<dyn Directory>,
    run: Run,
    logs: Logs,
    client: reqwest::Client,
}

enum Run {
    InProcess {
        shutdown: CancellationToken,
        task: JoinHandle<anyhow::Result<()>>,
    },
    /// Behind a lock so that `is_running` can ask it with `&self`.
    Binary(Mutex<tokio::process::Child>),
    Stopped,
}

enum Logs {
    /// Everything captured in this process from this offset on.
    Captured { from: usize },
    /// The binary's stderr, appended to across restarts.
    File {
        _dir: tempfile::TempDir,
        file: PathBuf,
    },
}

impl TestApp {
    pub fn init() -> TestAppBuilder {
        TestAppBuilder {
            backend: Backend::Sqlite,
            rate_429: 0.0,
            webhook: false,
            binary: false,
            extra_env: Vec::new(),
            directory: None,
            hide_stale: false,
            staff_group: false,
            redis: false,
            redis_url: None,
            postgres_admin: None,
        }
    }

    /// What the conversation core answers, with this bot's directory and the time now: the
    /// oracle every adapter must agree with.
    pub fn expect(&self, session: &mut Session, input: Input) -> Reply {
        let index = self.directory.index();
        let world = World {
            directory: &index,
            now: chrono::Utc::now(),
        };
        shipped().handle_with(session, input, world)
    }

    /// The bot's configuration with some variables set otherwise: for another instance of the
    /// bot beside this one ([`super::instances`]), e.g. with an HTTP address of its own.
    pub fn config_with(&self, changed: &[(&'static str, String)]) -> Config {
        let mut env: Vec<(&'static str, String)> = self
            .env
            .iter()
            .filter(|(name, _)| !changed.iter().any(|(other, _)| other == name))
            .cloned()
            .collect();
        env.extend(changed.iter().cloned());
        Config::from_lookup(move |name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        })
        .unwrap_or_else(|e| panic!("the test configuration is refused: {e}"))
    }

    fn config(&self) -> Config {
        let env = self.env.clone();
        Config::from_lookup(move |name| {
            env.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
        })
        .unwrap_or_else(|e| panic!("the test configuration is refused: {e}"))
    }

    fn start_in_process(&mut self) {
        let content = Content::load(root()).unwrap_or_else(|e| panic!("content: {e}"));
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(helpline::app::run(self.config(), content, shutdown.clone()));
        self.run = Run::InProcess { shutdown, task };
    }

    fn start_binary(&mut self) {
        let Logs::File { file, .. } = &self.logs else {
            panic!("a binary test app logs into a file");
        };
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .expect("the binary's log file");
        let workdir = file.parent().expect("the log folder").to_owned();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg("run")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("HELPLINE_CONTENT_DIR", root())
            .env("HELPLINE_LOG", LOG_FILTER)
            .current_dir(workdir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .expect("start the helpline binary");
        self.run = Run::Binary(Mutex::new(child));
    }

    /// Ready when the HTTP server answers /healthz (it starts after Telegram was reached and
    /// the webhook set). Updates pushed before polling begins simply wait in the fake's queue.
    async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match &self.run {
                Run::InProcess { task, .. } if task.is_finished() => {
                    panic!("the bot stopped while starting; logs:\n{}", self.logs())
                }
                Run::Binary(child) => {
                    if let Ok(Some(status)) = lock(child).try_wait() {
                        panic!(
                            "the binary exited while starting ({status}); logs:\n{}",
                            self.logs()
                        );
                    }
                }
                _ => {}
            }
            if let Ok((200, _)) = self.try_get("/healthz").await {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot did not come up within {WAIT:?}; logs:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the bot gracefully (in-process) and checks that it ended without an error.
    /// A desk of the test's own on this app's database, staff group and fake Telegram, on
    /// `line`: its `tick` takes the time the test chooses, so deadlines and working hours are
    /// crossed without waiting. Sends are not rate-limited.
    pub fn desk(
        &self,
        line: Arc<dyn helpline::handoff::Line>,
        rules: helpline::telegram::desk::DeskRules,
    ) -> (
        helpline::telegram::desk::Desk,
        helpline::telegram::outbound::Outbound,
    ) {
        let bot = teloxide::Bot::new(self.telegram.token()).set_api_url(self.telegram.url());
        let limits = helpline::config::SendLimits {
            global_per_second: 1000,
            chat_per_second: 1000,
            chat_burst: 1000,
            group_per_minute: 1_000_000,
            retry_after_unit: RETRY_AFTER_UNIT,
        };
        let content = Arc::new(Content::load(root()).expect("the shipped content"));
        let desk = helpline::telegram::desk::Desk::new(
            self.db.store.clone(),
            line,
            content,
            self.staff_group,
            rules,
            None,
        );
        (
            desk,
            helpline::telegram::outbound::Outbound::new(bot, limits),
        )
    }

    pub async fn stop(mut self) {
        match std::mem::replace(&mut self.run, Run::Stopped) {
            Run::InProcess { shutdown, task } => {
                shutdown.cancel();
                let outcome = tokio::time::timeout(WAIT, task)
                    .await
                    .expect("the bot stops within the wait")
                    .expect("the bot's task did not panic");
                if let Err(e) = outcome {
                    panic!("the bot ended with an error: {e:#}");
                }
                let logs = self.logs();
                assert!(
                    !logs.contains("still running at shutdown"),
                    "a graceful stop left conversations unfinished:\n{logs}"
                );
            }
            Run::Binary(child) => {
                let mut child = child.into_inner().unwrap_or_else(|e| e.into_inner());
                let _ = child.kill().await;
            }
            Run::Stopped => {}
        }
    }

    /// SIGKILL: the binary dies at once, mid-turn or not, without any cleanup.
    pub async fn kill(&mut self) {
        match std::mem::replace(&mut self.run, Run::Stopped) {
            Run::Binary(child) => {
                let mut child = child.into_inner().unwrap_or_else(|e| e.into_inner());
                child.kill().await.expect("SIGKILL the binary");
            }
            _ => panic!("only a binary test app can be killed"),
        }
    }

    /// Starts the binary again on the same database, secret, address and fake Telegram.
    pub async fn restart(&mut self) {
        assert!(matches!(self.run, Run::Stopped), "kill it first");
        self.start_binary();
        self.wait_ready().await;
    }

    /// Whether the bot is still running (it never stops by itself).
    pub fn is_running(&self) -> bool {
        match &self.run {
            Run::InProcess { task, .. } => !task.is_finished(),
            Run::Binary(child) => matches!(lock(child).try_wait(), Ok(None)),
            Run::Stopped => false,
        }
    }

    /// What the bot logged so far in this test.
    pub fn logs(&self) -> String {
        match &self.logs {
            Logs::Captured { from } => {
                let buffer = lock(capture());
                String::from_utf8_lossy(&buffer[(*from).min(buffer.len())..]).into_owned()
            }
            Logs::File { file, .. } => std::fs::read_to_string(file).unwrap_or_default(),
        }
    }

    // ----- HTTP ------------------------------------------------------------------------------

    async fn try_get(&self, path: &str) -> Result<(u16, String), reqwest::Error> {
        let response = self
            .client
            .get(format!("http://{}{path}", self.http))
            .timeout(Duration::from_secs(2))
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await.unwrap_or_default()))
    }

    /// GET on the bot's HTTP address: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        self.try_get(path)
            .await
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}"))
    }

    /// POST a JSON body with optional headers: the status.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
        let mut request = self
            .client
            .post(format!("http://{}{path}", self.http))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path} failed: {e}"))
            .status()
            .as_u16()
    }

    // ----- her phone -------------------------------------------------------------------------

    /// A woman with a private chat with the bot.
    pub fn woman(
        &self,
        id: i64,
        first_name: &str,
        username: Option<&str>,
        language: Option<&str>,
    ) -> TgUser {
        self.telegram.user(id, first_name, username, language)
    }

    /// A woman and her phone, with the conversation core as the oracle of what she should see.
    pub fn phone(
        &self,
        id: i64,
        first_name: &str,
        username: Option<&str>,
        language: Option<&str>,
    ) -> Phone<'_> {
        let her = self.woman(id, first_name, username, language);
        let locale = language
            .and_then(|l| Locale::parse(l).ok())
            .unwrap_or(Locale::En);
        Phone {
            app: self,
            her,
            session: Session::new(locale),
        }
    }

    /// The id of the update pushed last.
    pub fn newest_update(&self) -> i64 {
        self.telegram.with_state(|st| st.newest_update_id())
    }

    /// Waits until the bot has handled `update_id` and everything before it (polling only: a
    /// webhook acknowledges before the turn is done, so webhook tests wait for what she sees).
    pub async fn handled(&self, update_id: i64) {
        assert!(
            !self.webhook,
            "in webhook mode, wait for what she sees instead"
        );
        if let Err(e) = self
            .telegram
            .wait_for(|st| !st.is_pending(update_id), WAIT)
            .await
        {
            panic!(
                "update {update_id} was not handled: {e}\nlogs:\n{}",
                self.logs()
            );
        }
    }

    /// Waits until every update pushed so far is handled.
    pub async fn settle(&self) {
        self.handled(self.newest_update()).await;
    }

    /// She types `text` (or a command); returns once the bot has handled it.
    pub async fn send(&self, her: &TgUser, text: &str) -> i32 {
        let message_id = self.telegram.send_text(her, text);
        self.settle().await;
        message_id
    }

    /// She presses the button `data` on the newest bot message that shows it; returns that
    /// message's id once the bot has handled the press.
    pub async fn press(&self, her: &TgUser, data: &str) -> i32 {
        let message = self.message_with_button(her, data);
        self.telegram.press_button(her, message.message_id, data);
        self.settle().await;
        message.message_id
    }

    /// The newest visible bot message carrying a button with `data`; panics (listing what she
    /// sees) when there is none, because she could not press it.
    pub fn message_with_button(&self, her: &TgUser, data: &str) -> ChatMessage {
        self.bot_messages(her)
            .into_iter()
            .rev()
            .find(|m| m.button_data().contains(&data))
            .unwrap_or_else(|| {
                panic!(
                    "no visible bot message has a button {data:?}; she sees:\n{}",
                    self.describe(her)
                )
            })
    }

    /// The bot's visible messages in her chat, oldest first.
    pub fn bot_messages(&self, her: &TgUser) -> Vec<ChatMessage> {
        self.telegram
            .chat(her.chat_id())
            .into_iter()
            .filter(ChatMessage::sent_by_bot)
            .collect()
    }

    pub fn last_bot_message(&self, her: &TgUser) -> ChatMessage {
        self.bot_messages(her)
            .pop()
            .unwrap_or_else(|| panic!("the bot has no visible message for {}", her.first_name))
    }

    /// Waits (in any mode) until a bot message in her chat satisfies `holds`.
    pub async fn wait_for_message(
        &self,
        her: &TgUser,
        what: &str,
        mut holds: impl FnMut(&ChatMessage) -> bool,
    ) -> ChatMessage {
        let chat = her.chat_id();
        self.telegram
            .wait_until(
                |st| {
                    st.bot_messages(chat)
                        .into_iter()
                        .rev()
                        .find(|m| holds(m))
                        .cloned()
                },
                WAIT,
            )
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "she never saw {what}: {e}\nshe sees:\n{}",
                    self.describe(her)
                )
            })
    }

    /// Her chat as text, for failure messages.
    pub fn describe(&self, her: &TgUser) -> String {
        self.telegram
            .chat(her.chat_id())
            .iter()
            .map(|m| {
                format!(
                    "  #{} {}{}: {:?} {:?}",
                    m.message_id,
                    if m.sent_by_bot() { "bot" } else { "her" },
                    if m.protect_content {
                        " (protected)"
                    } else {
                        ""
                    },
                    m.text.as_deref().unwrap_or("<media>"),
                    m.button_data()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Run::InProcess { shutdown, .. } = &self.run {
            shutdown.cancel();
        }
        // A child is killed on drop (`kill_on_drop`).
    }
}

/// One woman's phone: what she does goes to the bot through the fake Telegram, and to the
/// conversation core on a shadow session; what the bot shows must be what the core answered.
pub struct Phone<'a> {
    pub app: &'a TestApp,
    pub her: TgUser,
    /// The shadow session: where the core says she is.
    pub session: Session,
}

impl Phone<'_> {
    /// A message of her current language.
    pub fn t(&self, id: &str) -> String {
        shipped()
            .localizer
            .text(self.session.locale, id, &Args::new())
    }

    fn expect(&mut self, input: Input) -> Reply {
        self.app.expect(&mut self.session, input)
    }

    /// She shares a location (by the keyboard button, or the attachment menu); checks she sees
    /// the core's answer as new messages, and returns it.
    pub async fn share_location(&mut self, latitude: f64, longitude: f64) -> Reply {
        let expected = self.expect(Input::Location {
            latitude,
            longitude,
        });
        let before = self.newest_id();
        let mine = self
            .app
            .telegram
            .send_location(&self.her, latitude, longitude);
        self.app.settle().await;
        assert!(mine > before);
        self.sees(&expected, mine, None);
        expected
    }

    fn newest_id(&self) -> i32 {
        self.app
            .telegram
            .chat(self.her.chat_id())
            .last()
            .map_or(0, |m| m.message_id)
    }

    /// She types `text`; checks she sees the core's answer as new messages, and returns it.
    pub async fn send(&mut self, text: &str) -> Reply {
        let expected = self.expect(Input::from_text(text));
        let before = self.newest_id();
        let mine = self.app.send(&self.her, text).await;
        assert!(mine > before);
        self.sees(&expected, mine, None);
        expected
    }

    /// She presses `data` on the newest message that shows it; checks she sees the core's
    /// answer (the pressed message edited, or new messages) and returns it.
    pub async fn press(&mut self, data: &str) -> Reply {
        let expected = self.expect(Input::Button(data.to_owned()));
        let before = self.newest_id();
        let pressed = self.app.message_with_button(&self.her, data);
        self.app
            .telegram
            .press_button(&self.her, pressed.message_id, data);
        self.app.settle().await;
        self.sees(&expected, before, Some(&pressed));
        expected
    }

    /// /start, safe to talk, her language, privacy understood, her country: the menu.
    pub async fn onboard(&mut self, language: &str, country: &str) {
        self.send("/start").await;
        self.press("onboarding.safe.yes").await;
        self.press(&format!("onboarding.language.{language}")).await;
        self.press("onboarding.privacy.ok").await;
        self.press(&format!("onboarding.country.{country}")).await;
        assert_eq!(
            self.last().text.as_deref(),
            Some(self.t("menu-main").as_str())
        );
    }

    /// The newest bot message in her chat.
    pub fn last(&self) -> ChatMessage {
        self.app.last_bot_message(&self.her)
    }

    /// Checks that the bot's answer to one input is `expected`: after a quick exit, the one
    /// closing message alone in the chat; for a press answered by one unprotected message, the
    /// pressed message edited in place (unless it was protected: numbers, results and plans stay
    /// as they are); otherwise exactly the expected messages, new, in order.
    fn sees(&self, expected: &Reply, before: i32, pressed: Option<&ChatMessage>) {
        let chat = self.app.telegram.chat(self.her.chat_id());
        let context = || self.app.describe(&self.her);
        if expected.effect == Some(helpline::conversation::Effect::Forget) {
            assert_eq!(
                chat.len(),
                1,
                "one message left after quick exit:\n{}",
                context()
            );
            assert_matches(&chat[0], &expected.messages[0], &context);
            return;
        }
        let edits = pressed.filter(|p| {
            expected.messages.len() == 1
                && !expected.messages[0].protect
                && expected.messages[0].keyboard.is_none()
                && !p.protect_content
        });
        let new: Vec<&ChatMessage> = chat
            .iter()
            .filter(|m| m.sent_by_bot() && m.message_id > before)
            .collect();
        match edits {
            Some(pressed) => {
                assert!(
                    new.is_empty(),
                    "a press answered by one plain message edits it, no new message:\n{}",
                    context()
                );
                let now = chat
                    .iter()
                    .find(|m| m.message_id == pressed.message_id)
                    .unwrap_or_else(|| panic!("the pressed message is gone:\n{}", context()));
                assert_matches(now, &expected.messages[0], &context);
            }
            None => {
                assert_eq!(
                    new.len(),
                    expected.messages.len(),
                    "expected {} new message(s):\n{}",
                    expected.messages.len(),
                    context()
                );
                for (seen, wanted) in new.iter().zip(&expected.messages) {
                    assert_matches(seen, wanted, &context);
                }
            }
        }
    }
}

/// A message she sees equals what the core rendered: text, buttons and protection.
pub fn assert_matches(seen: &ChatMessage, wanted: &OutMessage, context: &dyn Fn() -> String) {
    assert_eq!(
        seen.text.as_deref(),
        Some(wanted.text.as_str()),
        "text of #{}:\n{}",
        seen.message_id,
        context()
    );
    let wanted_buttons: Vec<&str> = wanted
        .buttons
        .iter()
        .flatten()
        .map(|b| b.data.as_str())
        .collect();
    assert_eq!(
        seen.button_data(),
        wanted_buttons,
        "buttons of #{}",
        seen.message_id
    );
    assert_eq!(
        seen.protect_content,
        wanted.protect,
        "protect_content of #{}:\n{}",
        seen.message_id,
        context()
    );
    match &wanted.keyboard {
        Some(ReplyKeyboard::AskLocation { share, back }) => {
            assert_eq!(
                seen.reply_keyboard,
                vec![vec![share.clone()], vec![back.clone()]],
                "reply keyboard of #{}:\n{}",
                seen.message_id,
                context()
            );
            assert_eq!(seen.location_buttons, vec![share.clone()]);
        }
        Some(ReplyKeyboard::Remove) => assert!(
            seen.removes_keyboard,
            "#{} removes the keyboard:\n{}",
            seen.message_id,
            context()
        ),
        None => assert!(
            seen.reply_keyboard.is_empty() && !seen.removes_keyboard,
            "#{} has no reply keyboard:\n{}",
            seen.message_id,
            context()
        ),
    }
}

/// A free port on 127.0.0.1 (bound, read and released; the bot binds it again at once).
pub fn free_local_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free local port")
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process-wide log buffer, installed on first use together with a panic hook that writes
/// every panic into it.
fn capture() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let installed = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(LOG_FILTER))
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .try_init();
        if installed.is_err() {
            eprintln!("warning: another tracing subscriber is installed; logs are not captured");
        }
        let sink = buffer.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = writeln!(LogWriter(sink.clone()), "PANIC {info}");
            previous(info);
        }));
        buffer
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
