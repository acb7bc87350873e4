//! The group commit: one writer thread that makes many callers' changes durable with one
//! write and one flush, and answers each caller only after that flush.
//!
//! Hookbell has two writers of this kind, both on sled: the desktop's store
//! (`hookbell-store`'s writer) and the relay's queue (`hookbell-relay`'s `SledQueue`). This
//! crate owns what they share, the loop and its promises; each of them owns what its ops mean,
//! by implementing [`Group`]. It knows nothing of sled, alerts or envelopes.
//!
//! The thread ([`GroupCommit`]) takes every op waiting in its channel, up to
//! [`Gather::max_ops`]. When the group before had company and fewer than half as many ops came
//! while it was written, it sleeps for [`Gather::linger`] and takes those that came meanwhile
//! (under load a flush costs more than the wait, and one sleep costs less than being woken by
//! each op that joins); ops already waiting are not held back. Then [`commit_group`]:
//!
//! 1. stages each op, in arrival order, into a batch made for this group ([`Group::stage`]);
//! 2. writes the batch and flushes, once for the whole group ([`Group::commit`]);
//! 3. if that worked, makes each op's in-memory effects ([`Group::publish`]) and then answers
//!    every op; if it failed, answers every op of the group with that failure.
//!
//! Whatever the [`Group`], this guarantees:
//! - no op is answered before its group's `commit` returned: an `Ok` is on disk;
//! - every op of a failed group gets an error and none of its effects is published; its batch
//!   is dropped, and the next group stages into a new one (`Batch::default()`), so nothing the
//!   failed group staged is written with a later group;
//! - the in-memory effects of a group are made after its flush and before any of its answers;
//! - every op is answered (a caller that stopped waiting is no error);
//! - at shutdown (every sender gone: [`GroupCommit::close`]) the ops already sent are still
//!   committed and answered, then `commit` runs once more with an empty batch: a last flush.
#![forbid(unsafe_code)]

use std::fmt::Display;
use std::sync::{Mutex, PoisonError, RwLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// What one writer's ops mean: how they are staged, written, and made visible in memory.
///
/// The driver ([`commit_group`], run by [`GroupCommit`]'s thread) calls, for each group:
/// [`stage`](Group::stage) for every op, then [`commit`](Group::commit) once, then, only if
/// that returned `Ok`, [`publish`](Group::publish) for every op that staged without error.
pub trait Group {
    /// A change a caller asks for.
    type Op: Send + 'static;
    /// The changes the ops of one group stage, written together by [`Group::commit`]. Each
    /// group starts from `Batch::default()`. `()` for a writer that writes as it stages (its
    /// writes are durable only once `commit` flushes).
    type Batch: Default;
    /// What an op leaves to do in memory once its group is on disk.
    type Effect;
    /// A caller's answer once its op is on disk.
    type Done: Send + 'static;
    /// A caller's answer when its op, or its group, failed.
    type Error: From<Self::Failure> + Send + 'static;
    /// Why a group's write or flush failed; every op of the group is answered with it.
    type Failure: Clone + Display;

    /// Stages `op`'s changes into `batch`, where the group's earlier ops staged theirs (an op
    /// reads through them). Must not flush. An error fails this op alone: it is answered with
    /// the others of its group, once their commit returned.
    fn stage(&mut self, batch: &mut Self::Batch, op: Self::Op)
    -> Result<Self::Effect, Self::Error>;

    /// Writes `batch` and flushes: once per group. An `Err` fails every op of the group, so
    /// nothing of a failed group may become durable later: the batch itself is dropped, and a
    /// writer that writes as it stages relies on its store refusing every later flush after a
    /// failed one (sled 0.34 keeps an I/O error as a global error). Called once more with an
    /// empty batch at shutdown.
    fn commit(&mut self, batch: Self::Batch) -> Result<(), Self::Failure>;

    /// After the group's `commit` returned `Ok`: makes `effect` in memory and returns the
    /// op's answer. Every op of the group is published before any is answered.
    fn publish(&mut self, effect: Self::Effect) -> Self::Done;
}

/// The answer to one op, sent once its group is committed (or failed). Await it, or wait for
/// it from a plain thread with `blocking_recv`; a receive error means the writer is gone.
pub type Answer<G> = oneshot::Receiver<Result<<G as Group>::Done, <G as Group>::Error>>;

/// The writer has stopped: [`GroupCommit::close`] was called (the store or queue is closing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the writer has stopped")]
pub struct Closed;

/// This crate's result: its one error is [`Closed`].
pub type Result<T, E = Closed> = std::result::Result<T, E>;

/// How a group is gathered.
#[derive(Debug, Clone, Copy)]
pub struct Gather {
    /// Most ops in one group (one write, one flush).
    pub max_ops: usize,
    /// How long a busy writer (its last group had more than one op) sleeps so that more ops
    /// join a group, when fewer than half its last group's count are already waiting. A writer
    /// whose last group was one op alone commits at once.
    pub linger: Duration,
}

/// Stages `ops` into a new batch, commits it, and answers each op, in order: see [`Group`].
/// This is one group of [`GroupCommit`]'s loop, without the channel.
pub fn commit_group<G: Group>(
    group: &mut G,
    ops: impl IntoIterator<Item = G::Op>,
) -> Vec<Result<G::Done, G::Error>> {
    let started = Instant::now();
    let mut batch = G::Batch::default();
    let staged: Vec<Result<G::Effect, G::Error>> = ops
        .into_iter()
        .map(|op| group.stage(&mut batch, op))
        .collect();
    let staging = started.elapsed();
    let committed = group.commit(batch);
    tracing::trace!(ops = staged.len(), ?staging, commit = ?(started.elapsed() - staging), "group committed");
    match committed {
        Ok(()) => staged
            .into_iter()
            .map(|effect| effect.map(|effect| group.publish(effect)))
            .collect(),
        Err(failure) => {
            tracing::error!(error = %failure, ops = staged.len(), "group commit failed; no op of the group is acknowledged");
            staged
                .into_iter()
                .map(|_| Err(G::Error::from(failure.clone())))
                .collect()
        }
    }
}

/// An op and where its answer goes.
struct Job<G: Group> {
    op: G::Op,
    reply: oneshot::Sender<Result<G::Done, G::Error>>,
}

/// The writer thread: gathers each group, commits it, answers it; runs until every sender is
/// dropped and every op sent is answered, then commits an empty batch (the last flush). Never
/// inlined, so that a profile names the writer's loop (`make profile-ingest` counts under it).
#[inline(never)]
fn run<G: Group>(mut group: G, jobs: mpsc::Receiver<Job<G>>, gather: Gather) {
    let mut last_group = 0;
    while let Ok(first) = jobs.recv() {
        let mut taken = vec![first];
        let take_waiting = |taken: &mut Vec<Job<G>>| {
            let room = gather.max_ops.saturating_sub(taken.len());
            taken.extend(jobs.try_iter().take(room));
        };
        take_waiting(&mut taken);
        // Linger only when fewer than half as many came while the last group was written as
        // were in it: then more are on their way. Asleep for the whole linger rather than
        // woken by each op that joins: under load a wake-up per op cost more than the group
        // saved.
        if last_group > 1 && taken.len() * 2 < last_group {
            std::thread::sleep(gather.linger);
            take_waiting(&mut taken);
        }
        last_group = taken.len();
        let (ops, replies): (Vec<_>, Vec<_>) =
            taken.into_iter().map(|job| (job.op, job.reply)).unzip();
        let answers = commit_group(&mut group, ops);
        for (reply, answer) in replies.into_iter().zip(answers) {
            // A caller that gave up waiting is no error of ours.
            let _ = reply.send(answer);
        }
    }
    if let Err(e) = group.commit(G::Batch::default()) {
        tracing::error!(error = %e, "the writer's last flush failed");
    }
}

/// A [`Group`]'s writer thread and the channel to it. Dropping it closes it.
pub struct GroupCommit<G: Group> {
    jobs: RwLock<Option<mpsc::Sender<Job<G>>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<G: Group + Send + 'static> GroupCommit<G> {
    /// Starts the writer thread, named `name`, over `group`.
    pub fn spawn(name: &str, gather: Gather, group: G) -> std::io::Result<GroupCommit<G>> {
        let (sender, jobs) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || run(group, jobs, gather))?;
        Ok(GroupCommit {
            jobs: RwLock::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
        })
    }
}

impl<G: Group> GroupCommit<G> {
    /// Queues `op`; its answer comes once its group is committed. [`Closed`] once the writer
    /// was closed.
    pub fn send(&self, op: G::Op) -> Result<Answer<G>> {
        let (reply, answer) = oneshot::channel();
        let jobs = self.jobs.read().unwrap_or_else(PoisonError::into_inner);
        let sender = jobs.as_ref().ok_or(Closed)?;
        sender.send(Job { op, reply }).map_err(|_| Closed)?;
        Ok(answer)
    }

    /// Stops taking ops, lets the thread commit and answer those already sent and flush a
    /// last time, and waits for it. True for the call that stopped it; false once stopped.
    pub fn close(&self) -> bool {
        drop(
            self.jobs
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match thread {
            Some(thread) => {
                // A writer that panicked has dropped its answers: its callers got errors.
                let _ = thread.join();
                true
            }
            None => false,
        }
    }
}

impl<G: Group> Drop for GroupCommit<G> {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests;
