//! The waiting line: which case a consultant should take next, and her place in it.
//!
//! Order: urgent cases first; then cases returned to the line (transfer, a silent or off-shift
//! assignee) ahead of newer ones; then by how long she has waited. A claim takes a case out of
//! the line atomically and holds a short lease on it, so a case being taken is not put back by a
//! restore running at the same moment; the database then decides who really holds it.
//!
//! The line is a cache of the cases table. [`Line::restore`] adds every waiting case that is
//! missing (never removing one), and [`Line::is_built`] says whether the backend still remembers
//! being restored: Redis loses that mark on a restart or `FLUSHALL`, and the desk restores the
//! line from the database when it sees it gone.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use tokio::time::Instant;

use super::CaseCode;

/// A case's place in the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub code: CaseCode,
    pub urgent: bool,
    /// Returned to the line: ahead of every newer case of the same urgency.
    pub front: bool,
    /// Since when she waits, unix milliseconds.
    pub since: i64,
}

/// Milliseconds in one tier of the score: far beyond any timestamp until the year 5138.
const TIER: i64 = 100_000_000_000_000;

impl Entry {
    /// Lower goes first. Exact as an `f64` (Redis scores), since it stays below 2^53.
    pub fn score(&self) -> i64 {
        let tier = match (self.urgent, self.front) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        tier * TIER + self.since.clamp(0, TIER - 1)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("the line in Redis (REDIS_URL) is unreachable")]
    Unreachable,
    #[error("Redis (REDIS_URL) refused a line operation")]
    Refused,
}

#[async_trait]
pub trait Line: Send + Sync {
    /// Puts a case in the line, or moves it to `entry`'s place.
    async fn push(&self, entry: &Entry) -> Result<(), LineError>;

    /// Takes this case out of the line for `holder` and leases it for `lease`. False when it is
    /// not in the line (taken by someone else a moment ago, or never there).
    async fn claim(
        &self,
        code: &CaseCode,
        holder: &str,
        lease: Duration,
    ) -> Result<bool, LineError>;

    /// Takes the first case of the line, leased as [`Line::claim`] does.
    async fn claim_next(
        &self,
        holder: &str,
        lease: Duration,
    ) -> Result<Option<CaseCode>, LineError>;

    /// Ends a lease early (the claim is settled in the database).
    async fn release(&self, code: &CaseCode) -> Result<(), LineError>;

    /// Takes a case out of the line without a lease (closed, forgotten).
    async fn remove(&self, code: &CaseCode) -> Result<(), LineError>;

    /// The line, first to last.
    async fn waiting(&self) -> Result<Vec<CaseCode>, LineError>;

    /// Her place: 0 is next.
    async fn position(&self, code: &CaseCode) -> Result<Option<usize>, LineError>;

    /// Whether the line was restored since the backend last started empty.
    async fn is_built(&self) -> Result<bool, LineError>;

    /// Adds every entry not in the line and not leased; keeps what is there. Marks it built.
    async fn restore(&self, entries: &[Entry]) -> Result<(), LineError>;

    /// Whether the line's store answers (`/readyz`). The in-process line always does.
    async fn ping(&self) -> Result<(), LineError> {
        Ok(())
    }
}

// ----- in process ------------------------------------------------------------------------------

/// The line in this process's memory: the embedded default, for one instance only.
#[derive(Default)]
pub struct LocalLine {
    inner: Mutex<Local>,
}

#[derive(Default)]
struct Local {
    order: BTreeSet<(i64, CaseCode)>,
    scores: HashMap<CaseCode, i64>,
    leases: HashMap<CaseCode, Instant>,
    built: bool,
}

impl Local {
    fn take(&mut self, code: &CaseCode, lease: Duration) -> bool {
        match self.scores.remove(code) {
            Some(score) => {
                self.order.remove(&(score, code.clone()));
                self.leases.insert(code.clone(), Instant::now() + lease);
                true
            }
            None => false,
        }
    }

    fn leased(&mut self, code: &CaseCode) -> bool {
        let now = Instant::now();
        self.leases.retain(|_, until| *until > now);
        self.leases.contains_key(code)
    }

    fn insert(&mut self, entry: &Entry) {
        let score = entry.score();
        if let Some(old) = self.scores.insert(entry.code.clone(), score) {
            self.order.remove(&(old, entry.code.clone()));
        }
        self.order.insert((score, entry.code.clone()));
    }
}

impl LocalLine {
    pub fn new() -> LocalLine {
        LocalLine::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Local> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Line for LocalLine {
    async fn push(&self, entry: &Entry) -> Result<(), LineError> {
        self.lock().insert(entry);
        Ok(())
    }

    async fn claim(
        &self,
        code: &CaseCode,
        _holder: &str,
        lease: Duration,
    ) -> Result<bool, LineError> {
        Ok(self.lock().take(code, lease))
    }

    async fn claim_next(
        &self,
        _holder: &str,
        lease: Duration,
    ) -> Result<Option<CaseCode>, LineError> {
        let mut line = self.lock();
        let Some((_, code)) = line.order.first().cloned() else {
            return Ok(None);
        };
        line.take(&code, lease);
        Ok(Some(code))
    }

    async fn release(&self, code: &CaseCode) -> Result<(), LineError> {
        self.lock().leases.remove(code);
        Ok(())
    }

    async fn remove(&self, code: &CaseCode) -> Result<(), LineError> {
        let mut line = self.lock();
        if let Some(score) = line.scores.remove(code) {
            line.order.remove(&(score, code.clone()));
        }
        Ok(())
    }

    async fn waiting(&self) -> Result<Vec<CaseCode>, LineError> {
        Ok(self.lock().order.iter().map(|(_, c)| c.clone()).collect())
    }

    async fn position(&self, code: &CaseCode) -> Result<Option<usize>, LineError> {
        Ok(self.lock().order.iter().position(|(_, c)| c == code))
    }

    async fn is_built(&self) -> Result<bool, LineError> {
        Ok(self.lock().built)
    }

    async fn restore(&self, entries: &[Entry]) -> Result<(), LineError> {
        let mut line = self.lock();
        for entry in entries {
            if !line.scores.contains_key(&entry.code) && !line.leased(&entry.code) {
                line.insert(entry);
            }
        }
        line.built = true;
        Ok(())
    }
}

// ----- Redis -----------------------------------------------------------------------------------

/// Claims one case: out of the line and leased, in one step no other instance can interleave.
const CLAIM: &str = r"
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
";

/// Claims the first case of the line.
const CLAIM_NEXT: &str = r"
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
redis.call('SET', ARGV[1] .. first[1], ARGV[2], 'PX', ARGV[3])
return first[1]
";

/// Adds missing, unleased entries (score, code pairs from ARGV[2]) and marks the line built.
const RESTORE: &str = r"
for i = 2, #ARGV, 2 do
  if redis.call('EXISTS', ARGV[1] .. ARGV[i + 1]) == 0 then
    redis.call('ZADD', KEYS[1], 'NX', ARGV[i], ARGV[i + 1])
  end
end
redis.call('SET', KEYS[2], '1')
return 1
";

/// How long one Redis call may take before the line counts as unreachable.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);

/// The line in Redis, shared by every instance with the same `REDIS_URL` and prefix. The
/// connection is made again after a failure, so a Redis restart costs the calls made while it
/// was down, nothing more.
pub struct RedisLine {
    client: redis::Client,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    line_key: String,
    built_key: String,
    lease_prefix: String,
    claim: redis::Script,
    claim_next: redis::Script,
    restore: redis::Script,
}

impl RedisLine {
    /// Connects to `url` (checked at once, so a wrong REDIS_URL fails the start). Keys start
    /// with `prefix:`.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisLine, LineError> {
        let client = redis::Client::open(url).map_err(|_| LineError::Refused)?;
        let line = RedisLine {
            client,
            connection: tokio::sync::Mutex::new(None),
            line_key: format!("{prefix}:line"),
            built_key: format!("{prefix}:built"),
            lease_prefix: format!("{prefix}:lease:"),
            claim: redis::Script::new(CLAIM),
            claim_next: redis::Script::new(CLAIM_NEXT),
            restore: redis::Script::new(RESTORE),
        };
        line.connection().await?;
        Ok(line)
    }

    async fn connection(&self) -> Result<MultiplexedConnection, LineError> {
        let mut slot = self.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT));
        let c = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|_| LineError::Unreachable)?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Runs one operation; a broken connection is dropped so the next call reconnects.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, LineError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let c = self.connection().await?;
        match op(c).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let unreachable = e.is_io_error()
                    || e.is_connection_dropped()
                    || e.is_connection_refusal()
                    || e.is_timeout();
                *self.connection.lock().await = None;
                tracing::warn!(unreachable, "a Redis line operation failed");
                Err(if unreachable {
                    LineError::Unreachable
                } else {
                    LineError::Refused
                })
            }
        }
    }

    fn lease_key(&self, code: &CaseCode) -> String {
        format!("{}{}", self.lease_prefix, code)
    }
}

#[async_trait]
impl Line for RedisLine {
    async fn push(&self, entry: &Entry) -> Result<(), LineError> {
        self.run(|mut c| async move {
            redis::cmd("ZADD")
                .arg(&self.line_key)
                .arg(entry.score())
                .arg(entry.code.as_str())
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    async fn claim(
        &self,
        code: &CaseCode,
        holder: &str,
        lease: Duration,
    ) -> Result<bool, LineError> {
        let won: i64 = self
            .run(|mut c| async move {
                self.claim
                    .key(&self.line_key)
                    .key(self.lease_key(code))
                    .arg(code.as_str())
                    .arg(holder)
                    .arg(lease.as_millis().max(1) as u64)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(won == 1)
    }

    async fn claim_next(
        &self,
        holder: &str,
        lease: Duration,
    ) -> Result<Option<CaseCode>, LineError> {
        let code: Option<String> = self
            .run(|mut c| async move {
                self.claim_next
                    .key(&self.line_key)
                    .arg(&self.lease_prefix)
                    .arg(holder)
                    .arg(lease.as_millis().max(1) as u64)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(code.and_then(|c| CaseCode::parse(&c).ok()))
    }

    async fn release(&self, code: &CaseCode) -> Result<(), LineError> {
        self.run(|mut c| async move {
            redis::cmd("DEL")
                .arg(self.lease_key(code))
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    async fn remove(&self, code: &CaseCode) -> Result<(), LineError> {
        self.run(|mut c| async move {
            redis::cmd("ZREM")
                .arg(&self.line_key)
                .arg(code.as_str())
                .query_async::<()>(&mut c)
                .await
        })
        .await
    }

    async fn ping(&self) -> Result<(), LineError> {
        self.run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .map(|_| ())
    }

    async fn waiting(&self) -> Result<Vec<CaseCode>, LineError> {
        let codes: Vec<String> = self
            .run(|mut c| async move {
                redis::cmd("ZRANGE")
                    .arg(&self.line_key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(codes
            .iter()
            .filter_map(|c| CaseCode::parse(c).ok())
            .collect())
    }

    async fn position(&self, code: &CaseCode) -> Result<Option<usize>, LineError> {
        let rank: Option<i64> = self
            .run(|mut c| async move {
                redis::cmd("ZRANK")
                    .arg(&self.line_key)
                    .arg(code.as_str())
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(rank.and_then(|r| usize::try_from(r).ok()))
    }

    async fn is_built(&self) -> Result<bool, LineError> {
        let built: i64 = self
            .run(|mut c| async move {
                redis::cmd("EXISTS")
                    .arg(&self.built_key)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(built == 1)
    }

    async fn restore(&self, entries: &[Entry]) -> Result<(), LineError> {
        self.run(|mut c| async move {
            let mut invocation = self.restore.key(&self.line_key);
            invocation.key(&self.built_key).arg(&self.lease_prefix);
            for entry in entries {
                invocation.arg(entry.score()).arg(entry.code.as_str());
            }
            invocation.invoke_async::<i64>(&mut c).await.map(|_| ())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(urgent: bool, front: bool, since: i64) -> Entry {
        Entry {
            code: CaseCode::random(),
            urgent,
            front,
            since,
        }
    }

    #[test]
    fn urgent_then_returned_then_oldest() {
        let now = 1_800_000_000_000;
        let a = entry(false, false, now - 10);
        let b = entry(false, true, now);
        let c = entry(true, false, now);
        let d = entry(true, true, now + 5);
        let mut scores = [a.score(), b.score(), c.score(), d.score()];
        scores.sort();
        assert_eq!(scores, [d.score(), c.score(), b.score(), a.score()]);
        assert!(
            (a.score() as f64) as i64 == a.score(),
            "exact as a Redis score"
        );
    }
}
