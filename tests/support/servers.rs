//! Private servers a test may stop, restart and empty at will: a `redis-server` and a
//! PostgreSQL cluster of its own, on free ports, in temporary directories. The shared servers
//! (127.0.0.1:6379 and :5432) serve every test running in parallel and are never touched.
//!
//! ```ignore
//! let mut redis = PrivateRedis::start().await;   // redis-server on a free port
//! redis.stop();                                  // gone: connections refused
//! redis.start().await;                           // back on the same port, empty
//! redis.flushall().await;
//! let pg = PrivatePostgres::start().await;       // initdb + pg_ctl start (a few seconds)
//! pg.restart();                                  // pg_ctl restart -m fast
//! ```
//!
//! The cluster's `restart`, `stop` and `start_again` block until `pg_ctl` is done (it waits for
//! the server): call them in `spawn_blocking` to keep a test sending while they run.
//!
//! Both are stopped (and their directories removed) when dropped, also when the test fails.
//! A missing binary fails the test with a message naming it; nothing is skipped.
//!
//! PostgreSQL refuses to run as root, and tests run as root in CI: the cluster is made and run as
//! the `postgres` system user (`runuser`), in a temporary directory given to that user.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::app::free_local_address;

/// How long a server may take to answer after a start.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A `redis-server` of this test's own: no persistence, so a stop and start comes back empty,
/// as a Redis restart without a disk does.
pub struct PrivateRedis {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts `redis-server` on a free port and waits until it answers PING.
    pub async fn start() -> PrivateRedis {
        let dir = tempfile::tempdir().expect("a folder for the private Redis");
        let port = free_local_address().port();
        let mut redis = PrivateRedis {
            port,
            dir,
            child: None,
        };
        redis.start_again().await;
        redis
    }

    /// `redis://127.0.0.1:PORT`, for `REDIS_URL`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it again on the same port after [`PrivateRedis::stop`]: empty.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "the private Redis is already running");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server could not be started ({e}); install redis-server")
            });
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + START_LIMIT;
        while self.ping().await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the private redis-server on port {} did not answer within {START_LIMIT:?}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills it (SIGKILL: nothing is saved, connections drop at once) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// FLUSHALL: every key of every database gone, the server still running.
    pub async fn flushall(&self) {
        let mut c = self.connection().await.expect("the private Redis answers");
        redis::cmd("FLUSHALL")
            .query_async::<()>(&mut c)
            .await
            .expect("FLUSHALL");
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        redis::Client::open(self.url())?
            .get_multiplexed_async_connection()
            .await
    }

    async fn ping(&self) -> redis::RedisResult<()> {
        let mut c = self.connection().await?;
        redis::cmd("PING").query_async::<String>(&mut c).await?;
        Ok(())
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A PostgreSQL cluster of this test's own (`initdb` in a temporary directory, trust auth, user
/// `postgres`), listening on 127.0.0.1 at a free port.
pub struct PrivatePostgres {
    bin: PathBuf,
    /// Owned by the `postgres` user; holds the data directory, the socket and the log.
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePostgres {
    /// initdb (a few seconds) and start. Needs the multi-threaded test runtime.
    pub async fn start() -> PrivatePostgres {
        let cluster = tokio::task::block_in_place(PrivatePostgres::init);
        cluster.wait_ready().await;
        cluster
    }

    fn init() -> PrivatePostgres {
        let bin = postgres_bin();
        let dir = tempfile::tempdir().expect("a folder for the private PostgreSQL");
        run(
            Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(dir.path()),
            "chown the private PostgreSQL folder to postgres",
        );
        let cluster = PrivatePostgres {
            bin,
            dir,
            port: free_local_address().port(),
        };
        run(
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(cluster.bin.join("initdb"))
                .arg("-D")
                .arg(cluster.data())
                .args(["--auth=trust", "-U", "postgres", "--no-sync"]),
            "initdb",
        );
        cluster.pg_ctl(&["-w", "start"]);
        cluster
    }

    /// A URL to the `postgres` database, for creating test databases on this cluster.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl restart -m fast`: every session is ended (57P01); returns once the server
    /// accepts connections again. Blocks.
    pub fn restart(&self) {
        self.pg_ctl(&["-w", "-m", "fast", "restart"]);
    }

    /// `pg_ctl stop -m fast`: connections are refused until [`PrivatePostgres::start_again`].
    /// Blocks.
    pub fn stop(&self) {
        self.pg_ctl(&["-w", "-m", "fast", "stop"]);
    }

    /// `pg_ctl start`; returns once the server accepts connections. Blocks.
    pub fn start_again(&self) {
        self.pg_ctl(&["-w", "start"]);
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, args: &[&str]) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        run(
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.dir.path().join("server.log"))
                .args(["-o", &options])
                .args(args),
            "pg_ctl",
        );
    }

    async fn wait_ready(&self) {
        let deadline = tokio::time::Instant::now() + START_LIMIT;
        loop {
            use sqlx::Connection as _;
            match sqlx::PgConnection::connect(&self.admin_url()).await {
                Ok(c) => {
                    let _ = c.close().await;
                    return;
                }
                Err(e) => assert!(
                    tokio::time::Instant::now() < deadline,
                    "the private PostgreSQL on port {} did not answer: {e}; log:\n{}",
                    self.port,
                    std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Immediate: nothing in it needs to survive, and the folder is removed next.
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb` in it.
fn postgres_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL server binaries under {}/<version>/bin (initdb, pg_ctl): install \
             postgresql; these tests need a private cluster they can restart and never skip",
            root.display()
        )
    })
}

/// Runs a command to its end; panics with its output if it fails.
fn run(command: &mut Command, what: &str) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what} could not be run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
