use std::sync::{Arc, Mutex, mpsc};

use proptest::prelude::*;

use super::*;

/// What the fake writer did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Staged(u32),
    /// A commit began with this batch.
    Commit(Vec<u32>),
    /// The commit returned.
    Committed(bool),
    Published(u32),
}

#[derive(Debug, PartialEq, Eq)]
enum FakeError {
    /// `stage` refused the op.
    Refused(u32),
    /// Its group's commit failed.
    Failed(String),
}

impl From<String> for FakeError {
    fn from(failure: String) -> Self {
        FakeError::Failed(failure)
    }
}

/// A writer whose "disk" is a list of numbers. An op stages its number; a multiple of 1000 is
/// refused. `fail` makes the next commits fail; each of `gates`, in turn, holds a commit until
/// the test lets it go (it says so on `entered` first).
#[derive(Default)]
struct Fake {
    log: Arc<Mutex<Vec<Event>>>,
    disk: Arc<Mutex<Vec<u32>>>,
    fail: usize,
    gates: Vec<(mpsc::Sender<()>, mpsc::Receiver<()>)>,
}

impl Fake {
    fn note(&self, event: Event) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }
}

impl Group for Fake {
    type Op = u32;
    type Batch = Vec<u32>;
    type Effect = u32;
    type Done = u32;
    type Error = FakeError;
    type Failure = String;

    fn stage(&mut self, batch: &mut Vec<u32>, op: u32) -> std::result::Result<u32, FakeError> {
        if op.is_multiple_of(1000) {
            return Err(FakeError::Refused(op));
        }
        self.note(Event::Staged(op));
        batch.push(op);
        Ok(op)
    }

    fn commit(&mut self, batch: Vec<u32>) -> std::result::Result<(), String> {
        self.note(Event::Commit(batch.clone()));
        if !self.gates.is_empty() {
            let (entered, release) = self.gates.remove(0);
            let _ = entered.send(());
            let _ = release.recv();
        }
        let ok = if self.fail > 0 {
            self.fail -= 1;
            false
        } else {
            self.disk
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(batch);
            true
        };
        self.note(Event::Committed(ok));
        if ok {
            Ok(())
        } else {
            Err("injected failure".into())
        }
    }

    fn publish(&mut self, effect: u32) -> u32 {
        self.note(Event::Published(effect));
        effect
    }
}

/// Sets a gate on `fake`'s next ungated commit: (commit entered, let it go).
fn gate(fake: &mut Fake) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    fake.gates.push((entered_tx, release_rx));
    (entered, release)
}

fn events(log: &Mutex<Vec<Event>>) -> Vec<Event> {
    log.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

const GATHER: Gather = Gather {
    max_ops: 8,
    linger: Duration::from_millis(1),
};

fn wait(answer: Answer<Fake>) -> std::result::Result<u32, FakeError> {
    answer
        .blocking_recv()
        .unwrap_or_else(|_| panic!("the writer dropped an answer"))
}

#[test]
fn every_op_of_a_group_is_answered_with_its_own_result() {
    let mut fake = Fake::default();
    let log = Arc::clone(&fake.log);
    let answers = commit_group(&mut fake, [1, 2, 2000, 3]);
    assert_eq!(
        answers,
        [Ok(1), Ok(2), Err(FakeError::Refused(2000)), Ok(3)],
        "one answer per op, in order; a refused op fails alone"
    );
    assert_eq!(
        events(&log),
        [
            Event::Staged(1),
            Event::Staged(2),
            Event::Staged(3),
            Event::Commit(vec![1, 2, 3]),
            Event::Committed(true),
            Event::Published(1),
            Event::Published(2),
            Event::Published(3),
        ],
        "staged, one commit, then published"
    );
}

#[test]
fn a_failed_commit_fails_its_whole_group_and_the_next_group_holds_none_of_it() {
    let mut fake = Fake {
        fail: 1,
        ..Fake::default()
    };
    let (log, disk) = (Arc::clone(&fake.log), Arc::clone(&fake.disk));
    let failed = commit_group(&mut fake, [1, 2000, 2]);
    let failure = || Err(FakeError::Failed("injected failure".into()));
    assert_eq!(failed, [failure(), failure(), failure()]);
    assert!(
        !events(&log)
            .iter()
            .any(|e| matches!(e, Event::Published(_))),
        "nothing of a failed group is published"
    );

    let next = commit_group(&mut fake, [3]);
    assert_eq!(next, [Ok(3)]);
    assert_eq!(
        events(&log).iter().rev().nth(2),
        Some(&Event::Commit(vec![3])),
        "the next group's batch is its own alone"
    );
    assert_eq!(*disk.lock().unwrap_or_else(PoisonError::into_inner), [3]);
}

#[test]
fn ops_are_answered_only_after_their_commit_returned() {
    let mut fake = Fake::default();
    let log = Arc::clone(&fake.log);
    let (entered, release) = gate(&mut fake);
    let writer =
        GroupCommit::spawn("test-writer", GATHER, fake).unwrap_or_else(|e| panic!("spawn: {e}"));
    let mut answer = writer.send(7).unwrap_or_else(|e| panic!("{e}"));
    entered
        .recv()
        .unwrap_or_else(|e| panic!("the commit never began: {e}"));
    assert_eq!(
        answer.try_recv(),
        Err(oneshot::error::TryRecvError::Empty),
        "no answer while the commit runs"
    );
    assert!(!events(&log).contains(&Event::Published(7)));
    release.send(()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wait(answer), Ok(7));
    let seen = events(&log);
    let at = |event: &Event| seen.iter().position(|e| e == event);
    assert!(at(&Event::Committed(true)) < at(&Event::Published(7)));
    assert!(writer.close());
}

#[test]
fn ops_sent_during_a_commit_are_gathered_into_the_next_groups() {
    let mut fake = Fake::default();
    let log = Arc::clone(&fake.log);
    let (entered, release) = gate(&mut fake);
    let writer =
        GroupCommit::spawn("test-writer", GATHER, fake).unwrap_or_else(|e| panic!("spawn: {e}"));
    let first = writer.send(1).unwrap_or_else(|e| panic!("{e}"));
    entered.recv().unwrap_or_else(|e| panic!("{e}"));
    let waiting: Vec<_> = (2..=20)
        .map(|n| writer.send(n).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    release.send(()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wait(first), Ok(1));
    for (n, answer) in (2..=20).zip(waiting) {
        assert_eq!(wait(answer), Ok(n), "op {n} answered with its own result");
    }
    assert!(writer.close());
    let batches: Vec<Vec<u32>> = events(&log)
        .into_iter()
        .filter_map(|e| match e {
            Event::Commit(batch) => Some(batch),
            _ => None,
        })
        .collect();
    assert_eq!(
        batches,
        [
            vec![1],
            (2..=9).collect(),
            (10..=17).collect(),
            vec![18, 19, 20],
            vec![],
        ],
        "waiting ops share a commit, at most max_ops each; an empty last flush at close"
    );
}

/// A busy writer lingers for company only when fewer than half as many ops came while it wrote
/// its last group as that group held: ops already waiting are committed at once.
#[test]
fn ops_already_waiting_are_committed_without_lingering() {
    let mut fake = Fake::default();
    let (first_entered, first_release) = gate(&mut fake);
    let (second_entered, second_release) = gate(&mut fake);
    let gather = Gather {
        max_ops: 8,
        linger: Duration::from_secs(60),
    };
    let writer =
        GroupCommit::spawn("test-writer", gather, fake).unwrap_or_else(|e| panic!("spawn: {e}"));
    let send = |n| writer.send(n).unwrap_or_else(|e| panic!("{e}"));
    let first = send(1);
    first_entered.recv().unwrap_or_else(|e| panic!("{e}"));
    let (second, third) = (send(2), send(3));
    first_release.send(()).unwrap_or_else(|e| panic!("{e}"));
    // [2, 3] is a busy writer's group; [4, 5] come while it is written.
    second_entered.recv().unwrap_or_else(|e| panic!("{e}"));
    let (fourth, fifth) = (send(4), send(5));
    second_release.send(()).unwrap_or_else(|e| panic!("{e}"));
    let (answered, answers) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = answered.send([first, second, third, fourth, fifth].map(wait));
    });
    let answers = answers
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("ops already waiting sat out the linger"));
    assert_eq!(answers, [1, 2, 3, 4, 5].map(Ok));
    assert!(writer.close());
}

#[test]
fn shutdown_commits_and_answers_what_is_pending_then_flushes_once_more() {
    let mut fake = Fake::default();
    let (log, disk) = (Arc::clone(&fake.log), Arc::clone(&fake.disk));
    let (entered, release) = gate(&mut fake);
    let (sender, jobs) = mpsc::channel();
    let thread = std::thread::spawn(move || run(fake, jobs, GATHER));
    let mut answers = Vec::new();
    for n in 1..=3 {
        let (reply, answer) = oneshot::channel();
        sender
            .send(Job { op: n, reply })
            .unwrap_or_else(|_| panic!("send"));
        answers.push(answer);
        if n == 1 {
            entered.recv().unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Every sender gone while the first group commits and two ops wait.
    drop(sender);
    release.send(()).unwrap_or_else(|e| panic!("{e}"));
    thread
        .join()
        .unwrap_or_else(|_| panic!("the writer panicked"));
    let answered: Vec<_> = answers.into_iter().map(wait).collect();
    assert_eq!(answered, [Ok(1), Ok(2), Ok(3)]);
    assert_eq!(
        *disk.lock().unwrap_or_else(PoisonError::into_inner),
        [1, 2, 3]
    );
    assert_eq!(
        events(&log).last(),
        Some(&Event::Committed(true)),
        "the thread ends with a commit"
    );
    assert_eq!(
        events(&log).iter().rev().nth(1),
        Some(&Event::Commit(vec![])),
        "the last commit is an empty one: the last flush"
    );
}

#[test]
fn a_closed_writer_refuses_ops_and_closes_once() {
    let fake = Fake::default();
    let log = Arc::clone(&fake.log);
    let writer =
        GroupCommit::spawn("test-writer", GATHER, fake).unwrap_or_else(|e| panic!("spawn: {e}"));
    let answer = writer.send(5).unwrap_or_else(|e| panic!("{e}"));
    assert!(writer.close(), "the first close stops the thread");
    assert_eq!(
        wait(answer),
        Ok(5),
        "what was sent before the close is answered"
    );
    assert!(matches!(writer.send(6), Err(Closed)));
    assert!(!writer.close(), "closing again does nothing");
    assert!(!events(&log).contains(&Event::Staged(6)));
}

proptest! {
    /// Any run of groups, some failing, some with refused ops: each answer is what its op and
    /// its group earned, and the disk holds exactly the staged ops of the groups that committed.
    #[test]
    fn answers_and_disk_follow_each_groups_outcome(
        groups in prop::collection::vec(
            (prop::collection::vec(0u32..5000, 0..12), any::<bool>()),
            0..12,
        )
    ) {
        let mut fake = Fake::default();
        let (log, disk) = (Arc::clone(&fake.log), Arc::clone(&fake.disk));
        let mut expected_disk = Vec::new();
        for (ops, fails) in groups {
            fake.fail = usize::from(fails);
            let published_before = events(&log).iter().filter(|e| matches!(e, Event::Published(_))).count();
            let answers = commit_group(&mut fake, ops.clone());
            prop_assert_eq!(answers.len(), ops.len());
            for (op, answer) in ops.iter().zip(&answers) {
                let expected = if fails {
                    Err(FakeError::Failed("injected failure".into()))
                } else if op.is_multiple_of(1000) {
                    Err(FakeError::Refused(*op))
                } else {
                    Ok(*op)
                };
                prop_assert_eq!(answer, &expected);
            }
            let published = events(&log).iter().filter(|e| matches!(e, Event::Published(_))).count();
            prop_assert_eq!(published - published_before, answers.iter().filter(|a| a.is_ok()).count());
            if !fails {
                expected_disk.extend(ops.iter().copied().filter(|op| !op.is_multiple_of(1000)));
            }
            prop_assert_eq!(&*disk.lock().unwrap_or_else(PoisonError::into_inner), &expected_disk);
        }
    }
}
