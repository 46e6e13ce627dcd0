//! The ledger: the message ids her quick exit needs, written behind the relay.
//!
//! Quick exit deletes every message in her chat the store knows of, so each message the desk
//! puts there, and each of hers it relays, must be recorded. Written one by one, every relayed
//! message waited for its own commit, and a commit waits for the disk: one slow fsync (150 ms
//! happens on a busy disk) held up every message behind it in the staff group's queue. Now the
//! desk hands its records to the ledger and goes on; one task writes whatever gathered while
//! the previous write committed, in one transaction. The relay never waits for the disk on
//! their account, and a hundred records cost one commit.
//!
//! Nothing is lost by the wait: [`Ledger::flush`] returns once every record handed in before it
//! is written, and quick exit and shutdown flush first. A database outage is waited out
//! ([`patiently`]). A crash of the bot can lose the records of its last moment, as before: one
//! by one, that moment's writes were not committed either.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::{Recorded, Store};
use crate::db::{PATIENCE, patiently};
use crate::privacy::Pseudonym;

/// Records waiting at most. Past it, [`Ledger::record`] waits for room: a long outage slows the
/// relay rather than fill memory.
const ROOM: usize = 10_000;
/// Records written in one transaction at most.
const BATCH: usize = 500;

enum Entry {
    Record(Recorded),
    Flush(oneshot::Sender<()>),
}

/// A handle on the ledger's writer. Clones share it; the writer ends, after writing what it
/// holds, when the last handle is dropped.
#[derive(Clone)]
pub struct Ledger {
    entries: mpsc::Sender<Entry>,
}

impl Ledger {
    /// Starts the writer on the current Tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> Ledger {
        let (entries, received) = mpsc::channel(ROOM);
        tokio::spawn(write(store, received));
        Ledger { entries }
    }

    /// Hands in a message of her chat; it is written soon, with whatever else gathered.
    pub async fn record(&self, who: &Pseudonym, message_id: i32, sent_at: DateTime<Utc>) {
        let record = Recorded {
            who: *who,
            message_id,
            sent_at,
        };
        // Fails only once the writer is gone, which happens only at the end of the runtime.
        let _ = self.entries.send(Entry::Record(record)).await;
    }

    /// Returns once every record handed in before this call is written, or given up after a
    /// database outage longer than [`PATIENCE`].
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.entries.send(Entry::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn write(store: Arc<dyn Store>, mut received: mpsc::Receiver<Entry>) {
    let mut entries = Vec::with_capacity(BATCH);
    let mut records = Vec::with_capacity(BATCH);
    let mut flushes = Vec::new();
    while received.recv_many(&mut entries, BATCH).await > 0 {
        for entry in entries.drain(..) {
            match entry {
                Entry::Record(record) => records.push(record),
                Entry::Flush(done) => flushes.push(done),
            }
        }
        if !records.is_empty() {
            let written = patiently("recording message ids", PATIENCE, None, || {
                store.record_messages(&records)
            })
            .await;
            if let Err(e) = written {
                tracing::error!(
                    error = %e,
                    lost = records.len(),
                    "message ids were not recorded: quick exit will miss those messages"
                );
            }
            records.clear();
        }
        // Every record handed in before these flushes was in this write or an earlier one.
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}
