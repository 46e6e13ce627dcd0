//! Several instances of the bot, as a deployment scaled out would run them: each `app::run` in
//! this process with an HTTP address of its own, all on one database, one secret and one Redis
//! prefix, in webhook mode behind one address. That address is a [`Forwarder`], a small
//! round-robin HTTP proxy standing in for the load balancer: the fake Bot API's webhook URL
//! points at it, and it hands each POST to the next instance in turn.
//!
//! ```ignore
//! let fleet = Fleet::start(2).await;        // two instances, Postgres, Redis, a staff group
//! let app = &fleet.app;                     // the first: its fake Telegram, database, helpers
//! fleet.settle().await;                     // every update answered with a 2xx
//! fleet.stop(1).await;                      // the second stops; the forwarder skips it
//! ```
//!
//! An instance that does not answer (stopped, or not started yet) is skipped by the forwarder
//! for that POST; if none answers, the POST gets 502 and the fake sends it again, as Telegram
//! would.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::app::{TestApp, WAIT, free_local_address};
use super::content::root;

/// The one address Telegram knows: POSTs go round-robin to the instances behind it.
pub struct Forwarder {
    pub addr: SocketAddr,
    shared: Arc<Behind>,
    stop: CancellationToken,
}

struct Behind {
    targets: Mutex<Vec<SocketAddr>>,
    next: AtomicUsize,
    /// How many POSTs each target answered, by its address.
    answered: Mutex<Vec<(SocketAddr, usize)>>,
    client: reqwest::Client,
}

impl Forwarder {
    pub async fn start() -> Forwarder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the forwarder");
        let addr = listener.local_addr().expect("the forwarder's address");
        let shared = Arc::new(Behind {
            targets: Mutex::new(Vec::new()),
            next: AtomicUsize::new(0),
            answered: Mutex::new(Vec::new()),
            client: reqwest::Client::new(),
        });
        let stop = CancellationToken::new();
        let app = Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&shared));
        let until = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { until.cancelled().await })
                .await;
        });
        Forwarder { addr, shared, stop }
    }

    /// The instances behind the address, in round-robin order: the next POST goes to the first.
    pub fn set_targets(&self, targets: &[SocketAddr]) {
        *lock(&self.shared.targets) = targets.to_vec();
        self.shared.next.store(0, Ordering::Relaxed);
    }

    /// How many POSTs `target` answered so far.
    pub fn answered_by(&self, target: SocketAddr) -> usize {
        lock(&self.shared.answered)
            .iter()
            .find(|(addr, _)| *addr == target)
            .map_or(0, |(_, n)| *n)
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn forward(
    State(behind): State<Arc<Behind>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let targets = lock(&behind.targets).clone();
    let first = behind.next.fetch_add(1, Ordering::Relaxed);
    for i in 0..targets.len() {
        let target = targets[(first + i) % targets.len()];
        let mut request = behind
            .client
            .post(format!("http://{target}{}", uri.path()))
            .body(body.clone());
        for (name, value) in &headers {
            if name != "host" && name != "content-length" {
                request = request.header(name, value);
            }
        }
        // Only a refused connection moves on to the next instance: one that took the POST and
        // failed answers for itself, as behind a real load balancer.
        match request.send().await {
            Ok(response) => {
                let mut answered = lock(&behind.answered);
                match answered.iter_mut().find(|(addr, _)| *addr == target) {
                    Some((_, n)) => *n += 1,
                    None => answered.push((target, 1)),
                }
                return StatusCode::from_u16(response.status().as_u16())
                    .unwrap_or(StatusCode::BAD_GATEWAY);
            }
            Err(e) if e.is_connect() => continue,
            Err(_) => return StatusCode::BAD_GATEWAY,
        }
    }
    StatusCode::BAD_GATEWAY
}

/// One more instance of the bot in this process.
pub struct Instance {
    pub http: SocketAddr,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Instance {
    /// Starts `app::run` with `app`'s configuration on an HTTP address of its own; returns once
    /// it answers /healthz.
    pub async fn start(app: &TestApp) -> Instance {
        let http = free_local_address();
        let config = app.config_with(&[("HELPLINE_HTTP_ADDR", http.to_string())]);
        let content =
            helpline::content::Content::load(root()).unwrap_or_else(|e| panic!("content: {e}"));
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(helpline::app::run(config, content, shutdown.clone()));
        let instance = Instance {
            http,
            shutdown,
            task: Some(task),
        };
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if instance.task.as_ref().is_some_and(JoinHandle::is_finished) {
                panic!(
                    "another instance stopped while starting; logs:\n{}",
                    app.logs()
                );
            }
            let ok = client
                .get(format!("http://{http}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return instance;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "another instance did not come up within {WAIT:?}; logs:\n{}",
                app.logs()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Stops it gracefully, as SIGTERM would, and checks it ended without an error.
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let outcome = tokio::time::timeout(WAIT, task)
                .await
                .expect("the instance stops within the wait")
                .expect("the instance's task did not panic");
            if let Err(e) = outcome {
                panic!("the instance ended with an error: {e:#}");
            }
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// `n` instances on Postgres and Redis, with a staff group, behind one [`Forwarder`].
pub struct Fleet {
    /// The first instance, with the fake Telegram, the database and the test helpers.
    pub app: TestApp,
    /// The others.
    pub others: Vec<Instance>,
    pub forwarder: Forwarder,
}

impl Fleet {
    pub async fn start(n: usize) -> Fleet {
        Fleet::build(n, true).await
    }

    /// Like [`Fleet::start`], without HELPLINE_STAFF_CHAT_ID: a coordinator binds the group.
    pub async fn start_unbound(n: usize) -> Fleet {
        Fleet::build(n, false).await
    }

    async fn build(n: usize, staff_group: bool) -> Fleet {
        assert!(n >= 1, "at least one instance");
        let forwarder = Forwarder::start().await;
        let mut builder = TestApp::init().with_postgres().with_redis();
        if staff_group {
            builder = builder.with_staff_group();
        }
        // Every instance sets this same webhook with the same secret (both come from the shared
        // configuration), so the second setWebhook changes nothing for the first.
        let app = builder
            .with_env(
                "HELPLINE_WEBHOOK_URL",
                &format!("http://{}/telegram", forwarder.addr),
            )
            .spawn()
            .await;
        forwarder.set_targets(&[app.http]);
        let mut others = Vec::new();
        for _ in 1..n {
            others.push(Instance::start(&app).await);
        }
        let fleet = Fleet {
            app,
            others,
            forwarder,
        };
        fleet.forwarder.set_targets(&fleet.addresses());
        fleet
    }

    /// Every instance's HTTP address, the first one's first.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        std::iter::once(self.app.http)
            .chain(self.others.iter().map(|o| o.http))
            .collect()
    }

    /// Waits until every update pushed so far was answered with a 2xx. The webhook answers
    /// once the update's turn is over, so this is "handled", whichever instance handled it.
    pub async fn settle(&self) {
        if let Err(e) = self
            .app
            .telegram
            .wait_for(|st| st.pending_updates() == 0, WAIT)
            .await
        {
            panic!("updates were not handled: {e}\nlogs:\n{}", self.app.logs());
        }
    }

    /// Stops instance `i` (1 and up: the others; the first stays, it holds the test's world).
    pub async fn stop(&mut self, i: usize) {
        assert!(i >= 1, "the first instance stays up");
        self.others[i - 1].stop().await;
    }

    pub async fn stop_all(mut self) {
        for other in &mut self.others {
            other.stop().await;
        }
        self.app.stop().await;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
