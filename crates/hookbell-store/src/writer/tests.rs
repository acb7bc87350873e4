use hookbell_core::Severity;

use super::*;
use crate::test_support::{cutoff_after, delivery, new_alert, when_unlocked};

/// A writer on a fresh tree, driven op by op as `run` drives it.
fn writer() -> (tempfile::TempDir, Writer) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = sled::Config::new()
        .path(dir.path())
        .flush_every_ms(None)
        .open()
        .unwrap_or_else(|e| panic!("open: {e}"));
    let tree = db
        .open_tree("hookbell")
        .unwrap_or_else(|e| panic!("tree: {e}"));
    let index = Arc::new(RwLock::new(Index::default()));
    let codec = Arc::new(Codec::load(&tree).unwrap_or_else(|e| panic!("codec: {e}")));
    (
        dir,
        Writer::new(tree, codec, index, Arc::new(Ids::default())),
    )
}

/// One group of `ops`, committed as the writer thread commits it: the answers.
fn commit(writer: &mut Writer, ops: Vec<Op>) -> Vec<Result<Done>> {
    hookbell_commit::commit_group(writer, ops)
}

/// Writes what `group` staged so far as one batch (not flushed), as [`Writer::commit`] does.
fn write(writer: &mut Writer, group: &mut GroupChanges) {
    writer
        .write_staged(std::mem::take(&mut group.keys))
        .unwrap_or_else(|e| panic!("write: {e}"));
}

/// Makes the index changes `group` staged so far, as [`Writer::commit`] does after the flush.
fn publish(writer: &mut Writer, group: &mut GroupChanges) {
    writer.publish_index_changes(std::mem::take(&mut group.index));
}

fn ingest_op(writer: &Writer, external_id: &str) -> Op {
    let mut delivery = delivery("src");
    delivery.id = writer.ids.next();
    let alert = new_alert(external_id, Severity::High, "Password found in a breach");
    let alerts = vec![Prepared::new(
        alert,
        writer.ids.next(),
        &delivery,
        &writer.codec,
    )];
    Op::Ingest {
        delivery,
        body: b"{}".to_vec(),
        alerts,
    }
}

fn ingested(done: Result<Done>) -> IngestOutcome {
    match done {
        Ok(Done::Ingest(outcome)) => *outcome,
        Ok(_) => panic!("not an ingest outcome"),
        Err(e) => panic!("ingest: {e}"),
    }
}

fn stored(writer: &Writer, id: &str) -> Option<Alert> {
    crate::sled_store::read_record(&writer.tree, &writer.codec, &keys::alert(id))
        .unwrap_or_else(|e| panic!("read: {e}"))
}

fn indexed(writer: &Writer) -> usize {
    writer.index.read().map(|index| index.len()).unwrap_or(0)
}

#[test]
fn a_group_is_written_once_at_its_end_and_its_ops_see_each_other() {
    let (_dir, mut writer) = writer();
    let mut group = GroupChanges::default();
    let first = ingested(writer.apply(&mut group, ingest_op(&writer, "evt_1")));
    let again = ingested(writer.apply(&mut group, ingest_op(&writer, "evt_1")));
    let id = first.alert_ids[0].clone();
    assert_eq!(
        again.alert_ids,
        vec![id.clone()],
        "the repeat finds the staged alert"
    );
    assert!(again.duplicate);
    assert_eq!(again.repeated[0].seen_count, 2);
    let patch = AlertPatch {
        read: Some(true),
        done: None,
    };
    match writer.apply(
        &mut group,
        Op::Patch {
            id: id.clone(),
            patch,
        },
    ) {
        Ok(Done::Patch(Some(alert))) => assert_eq!((alert.seen_count, alert.read), (2, true)),
        _ => panic!("the patch did not find the staged alert"),
    }

    assert!(
        writer.tree.is_empty(),
        "nothing is written before the group ends"
    );
    write(&mut writer, &mut group);
    let alert = stored(&writer, &id).unwrap_or_else(|| panic!("alert {id} not written"));
    assert_eq!((alert.seen_count, alert.read), (2, true));

    assert_eq!(indexed(&writer), 0, "the index waits for the flush");
    publish(&mut writer, &mut group);
    assert_eq!(indexed(&writer), 1);
}

#[test]
fn a_purge_inside_a_group_includes_what_the_group_wrote_before_it() {
    let (_dir, mut writer) = writer();
    let mut group = GroupChanges::default();
    let old = ingested(writer.apply(&mut group, ingest_op(&writer, "evt_old")));
    let purged = match writer.apply(
        &mut group,
        Op::Purge {
            before: Utc::now() + chrono::Duration::days(1),
        },
    ) {
        Ok(Done::Purged(purged)) => purged,
        _ => panic!("purge failed"),
    };
    assert_eq!(
        purged,
        Purged {
            alerts: 1,
            deliveries: 1,
            more: false,
        }
    );
    let new = ingested(writer.apply(&mut group, ingest_op(&writer, "evt_new")));
    write(&mut writer, &mut group);
    publish(&mut writer, &mut group);

    assert!(stored(&writer, &old.alert_ids[0]).is_none());
    assert!(stored(&writer, &new.alert_ids[0]).is_some());
    assert_eq!(indexed(&writer), 1);
}

#[test]
fn a_group_larger_than_a_log_segment_is_written_whole_and_survives_reopen() {
    let (dir, mut writer) = writer();
    let mut group = GroupChanges::default();
    // 512 deliveries of 4 KiB: a 2 MiB batch, four of sled's 512 KiB log segments.
    let ids: Vec<String> = (0..GATHER.max_ops)
        .map(|n| {
            let Op::Ingest {
                delivery, alerts, ..
            } = ingest_op(&writer, &format!("evt_{n}"))
            else {
                unreachable!("ingest_op makes ingests")
            };
            let op = Op::Ingest {
                delivery,
                body: vec![b'x'; 4096],
                alerts,
            };
            ingested(writer.apply(&mut group, op)).alert_ids[0].clone()
        })
        .collect();
    write(&mut writer, &mut group);
    writer.tree.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    drop(writer);

    let db = when_unlocked(|| sled::Config::new().path(dir.path()).open())
        .unwrap_or_else(|e| panic!("reopen: {e}"));
    let tree = db
        .open_tree("hookbell")
        .unwrap_or_else(|e| panic!("tree: {e}"));
    for id in &ids {
        assert!(
            tree.contains_key(keys::alert(id)).unwrap_or(false),
            "alert {id} lost"
        );
    }
    assert_eq!(tree.scan_prefix(keys::DELIVERY).count(), GATHER.max_ops);
}

#[test]
fn a_relay_envelope_is_stored_once_whatever_comes_again() {
    let (_dir, mut writer) = writer();
    let mut group = GroupChanges::default();
    let from_envelope = |writer: &Writer, external_id: &str| {
        let Op::Ingest {
            mut delivery,
            body,
            alerts,
        } = ingest_op(writer, external_id)
        else {
            unreachable!("ingest_op makes ingests")
        };
        delivery.envelope_id = Some("01ENVELOPE".into());
        Op::Ingest {
            delivery,
            body,
            alerts,
        }
    };
    let first = ingested(writer.apply(&mut group, from_envelope(&writer, "evt_1")));
    // The same envelope again in the same group (a redelivery prepared before the first was
    // written), then in a later group.
    let again = ingested(writer.apply(&mut group, from_envelope(&writer, "evt_1")));
    write(&mut writer, &mut group);
    let later = ingested(writer.apply(&mut group, from_envelope(&writer, "evt_1")));
    write(&mut writer, &mut group);

    for outcome in [&again, &later] {
        assert_eq!(outcome.delivery_id, first.delivery_id);
        assert!(outcome.duplicate && outcome.alert_ids.is_empty());
    }
    let alert = stored(&writer, &first.alert_ids[0])
        .unwrap_or_else(|| panic!("the envelope's alert was not stored"));
    assert_eq!(
        alert.seen_count, 1,
        "a redelivered envelope is not a repeat"
    );
    assert_eq!(writer.tree.scan_prefix(keys::DELIVERY).count(), 1);
}

#[test]
fn a_failed_group_write_leaves_nothing_for_the_next_group() {
    let (_dir, mut writer) = writer();
    // Group 1: an ingest, a purge (which deletes nothing), another ingest; its write fails.
    writer.failing_writes = 1;
    let a = ingest_op(&writer, "evt_a");
    let b = ingest_op(&writer, "evt_b");
    let purge = Op::Purge {
        before: Utc::now() - chrono::Duration::days(365),
    };
    let failed = commit(&mut writer, vec![a, purge, b]);
    assert_eq!(failed.len(), 3);
    assert!(
        failed.iter().all(Result::is_err),
        "every caller of a failed group gets an error"
    );
    assert_eq!(writer.failing_writes, 0, "the group tried to write");

    // Group 2 succeeds: it holds its own writes and nothing of group 1.
    let ops = vec![ingest_op(&writer, "evt_c")];
    let c = commit(&mut writer, ops);
    let [Ok(Done::Ingest(c))] = c.as_slice() else {
        panic!("group 2 failed")
    };
    let c_id = c.alert_ids[0].clone();
    assert!(stored(&writer, &c_id).is_some());
    let left = |prefix: &[u8]| writer.tree.scan_prefix(prefix).count();
    assert_eq!(left(keys::ALERT), 1, "only group 2's alert is in the tree");
    assert_eq!(left(keys::META), 0, "index records are inside the alerts");
    assert_eq!(
        left(keys::DEDUP),
        1,
        "only group 2's dedup key is in the tree"
    );
    assert_eq!(left(keys::DELIVERY), 1);
    assert!(
        writer
            .tree
            .contains_key(keys::dedup("src", "evt_c"))
            .unwrap_or(false)
    );

    // The index agrees with the tree.
    let index = writer.index.read().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.len(), 1);
    let ids: Vec<String> = index.iter().map(|(id, _)| index::id_text(id)).collect();
    assert_eq!(ids, [c_id]);
}

#[test]
fn a_purge_inside_a_group_sees_a_repeat_staged_before_it() {
    let (_dir, mut writer) = writer();
    let mut group = GroupChanges::default();
    let old = ingested(writer.apply(&mut group, ingest_op(&writer, "evt_old")));
    write(&mut writer, &mut group);
    publish(&mut writer, &mut group);
    let cutoff = cutoff_after(&old.alert_ids[0]);

    // In one group: the old alert is seen again, then the purge runs: it is kept.
    let ops = vec![ingest_op(&writer, "evt_old"), Op::Purge { before: cutoff }];
    let results = commit(&mut writer, ops);
    match results.as_slice() {
        [Ok(Done::Ingest(repeat)), Ok(Done::Purged(purged))] => {
            assert!(repeat.duplicate);
            assert_eq!(
                purged.alerts, 0,
                "the repeat staged before the purge counts"
            );
        }
        _ => panic!("the group failed"),
    }
    assert!(stored(&writer, &old.alert_ids[0]).is_some());
    assert_eq!(indexed(&writer), 1);
}

#[test]
fn a_purge_goes_in_bounded_steps_and_never_drops_a_kept_alerts_delivery() {
    let (_dir, mut writer) = writer();
    writer.purge_step = 2;
    let ops = vec![ingest_op(&writer, "evt_keep")];
    let keep = commit(&mut writer, ops);
    let [Ok(Done::Ingest(keep))] = keep.as_slice() else {
        panic!("ingest failed")
    };
    let (keep_alert, keep_delivery) = (keep.alert_ids[0].clone(), keep.delivery_id.clone());
    let ops = (0..4)
        .map(|n| ingest_op(&writer, &format!("evt_{n}")))
        .collect();
    assert!(commit(&mut writer, ops).iter().all(Result::is_ok));
    let last = writer
        .tree
        .scan_prefix(keys::DELIVERY)
        .keys()
        .last()
        .and_then(|key| key.ok())
        .and_then(|key| keys::id_after(&key, keys::DELIVERY.len()))
        .unwrap_or_else(|| panic!("no delivery"));
    let cutoff = cutoff_after(&last);
    let ops = vec![ingest_op(&writer, "evt_keep")];
    assert!(commit(&mut writer, ops).iter().all(Result::is_ok));

    let mut total = Purged::default();
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps <= 10, "the purge does not finish");
        let step = match commit(&mut writer, vec![Op::Purge { before: cutoff }]).pop() {
            Some(Ok(Done::Purged(step))) => step,
            _ => panic!("purge step failed"),
        };
        assert!(step.alerts <= 2 && step.deliveries <= 2, "{step:?}");
        total.alerts += step.alerts;
        total.deliveries += step.deliveries;
        if !step.more {
            break;
        }
    }
    assert_eq!((total.alerts, total.deliveries), (4, 4));
    assert!(
        steps >= 3,
        "{steps} steps: two of alerts, then the deliveries"
    );
    assert!(stored(&writer, &keep_alert).is_some());
    assert!(
        writer
            .tree
            .contains_key(keys::delivery(&keep_delivery))
            .unwrap_or(false),
        "the delivery a kept alert came in is kept"
    );
    assert_eq!(writer.tree.scan_prefix(keys::ALERT).count(), 1);
    assert_eq!(writer.tree.scan_prefix(keys::DEDUP).count(), 1);
    assert_eq!(
        writer.tree.scan_prefix(keys::DELIVERY).count(),
        2,
        "the kept alert's first delivery and its repeat"
    );
    assert_eq!(indexed(&writer), 1);
}

fn purge_step(writer: &mut Writer, before: chrono::DateTime<Utc>) -> Result<Purged> {
    match commit(writer, vec![Op::Purge { before }]).pop() {
        Some(Ok(Done::Purged(step))) => Ok(step),
        Some(Err(e)) => Err(e),
        _ => panic!("not a purge outcome"),
    }
}

/// Purge steps with `before` until one says there is no more; the totals.
fn purge_all(writer: &mut Writer, before: chrono::DateTime<Utc>) -> (u64, u64) {
    let mut total = (0, 0);
    for _ in 0..50 {
        let step = purge_step(writer, before).unwrap_or_else(|e| panic!("purge step: {e}"));
        total = (total.0 + step.alerts, total.1 + step.deliveries);
        if !step.more {
            return total;
        }
    }
    panic!("the purge does not finish")
}

#[test]
fn a_purge_run_reads_each_key_once_however_many_steps_it_takes() {
    let (_dir, mut writer) = writer();
    writer.purge_step = 2;
    // Three alerts that will be kept come first, so every step from the start re-read them.
    let ops = (0..3)
        .map(|n| ingest_op(&writer, &format!("keep_{n}")))
        .chain((0..6).map(|n| ingest_op(&writer, &format!("stale_{n}"))))
        .collect();
    assert!(commit(&mut writer, ops).iter().all(Result::is_ok));
    let last = writer
        .tree
        .scan_prefix(keys::DELIVERY)
        .keys()
        .last()
        .and_then(|key| key.ok())
        .and_then(|key| keys::id_after(&key, keys::DELIVERY.len()))
        .unwrap_or_else(|| panic!("no delivery"));
    let cutoff = cutoff_after(&last);
    let repeats = (0..3)
        .map(|n| ingest_op(&writer, &format!("keep_{n}")))
        .collect();
    assert!(commit(&mut writer, repeats).iter().all(Result::is_ok));

    assert_eq!(purge_all(&mut writer, cutoff), (6, 6));
    assert_eq!(
        writer.purge_reads, 18,
        "nine candidate alerts and their nine deliveries, each read once"
    );
    assert_eq!(writer.tree.scan_prefix(keys::ALERT).count(), 3);
    assert_eq!(
        writer.tree.scan_prefix(keys::DELIVERY).count(),
        6,
        "the kept alerts' first deliveries and their repeats"
    );
    assert!(
        writer.purge_cursor.is_none(),
        "a finished run leaves no cursor"
    );
}

#[test]
fn a_failed_purge_step_is_done_again_by_the_next() {
    let (_dir, mut writer) = writer();
    writer.purge_step = 1;
    let ops = (0..3)
        .map(|n| ingest_op(&writer, &format!("evt_{n}")))
        .collect();
    assert!(commit(&mut writer, ops).iter().all(Result::is_ok));
    let before = Utc::now() + chrono::Duration::days(1);

    let first = purge_step(&mut writer, before).unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!((first.alerts, first.more), (1, true));
    writer.failing_writes = 1;
    assert!(
        purge_step(&mut writer, before).is_err(),
        "the second step's write fails"
    );
    assert_eq!(purge_all(&mut writer, before), (2, 3));
    assert_eq!(
        writer.tree.scan_prefix(keys::ALERT).count(),
        0,
        "the alert of the failed step is deleted too"
    );
    assert_eq!(writer.tree.scan_prefix(keys::DEDUP).count(), 0);
    assert_eq!(writer.tree.scan_prefix(keys::DELIVERY).count(), 0);
}

#[test]
fn an_alert_created_behind_a_purge_under_way_keeps_its_delivery() {
    let (_dir, mut writer) = writer();
    writer.purge_step = 1;
    // Its ids are made first, so they sort before the others; it is stored only once the
    // purge is under way, and it is seen after the cutoff: it is kept.
    let before = Utc::now() + chrono::Duration::days(1);
    let mut late = delivery("src");
    late.id = writer.ids.next();
    late.received_at = before + chrono::Duration::days(1);
    let late_alert = new_alert("late", Severity::High, "Seen after the cutoff");
    let late_op = Op::Ingest {
        alerts: vec![Prepared::new(
            late_alert,
            writer.ids.next(),
            &late,
            &writer.codec,
        )],
        delivery: late.clone(),
        body: b"{}".to_vec(),
    };
    let ops = (0..2)
        .map(|n| ingest_op(&writer, &format!("evt_{n}")))
        .collect();
    assert!(commit(&mut writer, ops).iter().all(Result::is_ok));

    let first = purge_step(&mut writer, before).unwrap_or_else(|e| panic!("purge: {e}"));
    assert_eq!((first.alerts, first.more), (1, true));
    let late_alert_id = match commit(&mut writer, vec![late_op]).pop() {
        Some(Ok(Done::Ingest(stored))) => stored.alert_ids[0].clone(),
        _ => panic!("ingest failed"),
    };
    assert_eq!(purge_all(&mut writer, before), (1, 2));

    assert!(stored(&writer, &late_alert_id).is_some());
    assert!(
        writer
            .tree
            .contains_key(keys::delivery(&late.id))
            .unwrap_or(false),
        "the kept alert's delivery is kept"
    );
    assert_eq!(writer.tree.scan_prefix(keys::ALERT).count(), 1);
}

#[test]
fn a_read_through_the_staged_changes_goes_in_key_order() {
    let (_dir, writer) = writer();
    let mut batch = Batch::default();
    for key in ["s/b", "s/d", "s/f"] {
        batch.insert(key, "tree");
    }
    writer
        .tree
        .apply_batch(batch)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut staged = Staged::default();
    staged.insert(b"s/a".to_vec(), b"staged".to_vec());
    staged.insert(b"s/d".to_vec(), b"staged".to_vec());
    staged.remove(b"s/f".to_vec());
    staged.insert(b"s/g".to_vec(), b"staged".to_vec());
    let mut group = GroupChanges::default();
    group.stage(staged);

    let mut seen = Vec::new();
    let stopped = writer
        .for_each_in(&group, b"s/".to_vec()..b"s/z".to_vec(), |key, value| {
            seen.push(format!(
                "{}={}",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(value)
            ));
            Ok(ControlFlow::Continue(()))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stopped, None);
    assert_eq!(seen, ["s/a=staged", "s/b=tree", "s/d=staged", "s/g=staged"]);

    let stopped = writer
        .for_each_in(&group, b"s/".to_vec()..b"s/z".to_vec(), |key, _| {
            Ok(if key == b"s/d" {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stopped.as_deref(), Some(b"s/d".as_slice()));
}

/// The trainer's thread gives way to the deliveries: a thread spawned in the background runs
/// at nice 19, and the thread that spawned it keeps its own priority.
#[cfg(target_os = "linux")]
#[test]
fn background_work_runs_at_the_lowest_priority_on_its_own_thread() {
    let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid()));
    let before = nice().unwrap_or_else(|e| panic!("getpriority: {e}"));
    let lowered = spawn_in_the_background("test-background", nice)
        .unwrap_or_else(|e| panic!("spawn: {e}"))
        .join()
        .unwrap_or_else(|_| panic!("the thread panicked"))
        .unwrap_or_else(|e| panic!("getpriority: {e}"));
    assert_eq!(lowered, 19);
    assert_eq!(
        nice().unwrap_or_else(|e| panic!("getpriority: {e}")),
        before
    );
}

/// A kind trains first after FIRST_TRAINING records, then each time it wrote as many again as
/// before its current dictionary (never sooner than RETRAINING): ten million records make nine
/// dictionaries, where a training every RETRAINING records made two hundred.
#[test]
fn dictionaries_are_retrained_at_doubling_intervals() {
    let codec = Codec::empty();
    let mut dictionaries = Dictionaries::new(&codec, 0);
    let (mut trainings, mut has_dictionary, mut last_at) = (Vec::new(), false, 0_u64);
    let step = 500;
    for written in (step..=10_000_000).step_by(step as usize) {
        dictionaries.count(Kind::Alert, step);
        if dictionaries.due(Kind::Alert, has_dictionary) {
            dictionaries.training[Kind::Alert as usize] = true;
            assert!(
                !dictionaries.due(Kind::Alert, has_dictionary),
                "due again while training"
            );
            dictionaries.finished(Kind::Alert, true);
            trainings.push(written - last_at);
            (has_dictionary, last_at) = (true, written);
        }
    }
    assert_eq!(trainings.first(), Some(&codec::FIRST_TRAINING));
    assert!(
        trainings.iter().skip(1).all(|n| *n >= codec::RETRAINING),
        "{trainings:?}"
    );
    assert!(
        trainings.windows(2).skip(1).all(|w| w[1] >= w[0]),
        "the intervals shrank: {trainings:?}"
    );
    assert_eq!(trainings.len(), 9, "{trainings:?}");
    // A training that stored nothing counts on from where it was.
    let mut dictionaries = Dictionaries::new(&codec, 0);
    dictionaries.count(Kind::Delivery, codec::FIRST_TRAINING);
    assert!(dictionaries.due(Kind::Delivery, false));
    dictionaries.finished(Kind::Delivery, false);
    assert!(dictionaries.due(Kind::Delivery, false));
    // A store opened with 80,000 alerts and no dictionary: they count towards the first, and
    // once, so the next comes after 80,000 more, not 160,000.
    let mut dictionaries = Dictionaries::new(&codec, 80_000);
    assert!(dictionaries.due(Kind::Alert, false));
    dictionaries.finished(Kind::Alert, true);
    dictionaries.count(Kind::Alert, 79_999);
    assert!(!dictionaries.due(Kind::Alert, true));
    dictionaries.count(Kind::Alert, 1);
    assert!(dictionaries.due(Kind::Alert, true));
    // Opened with a dictionary: the 80,000 were written before it.
    codec.install(1, Kind::Alert, b"a dictionary".to_vec());
    let mut dictionaries = Dictionaries::new(&codec, 80_000);
    dictionaries.count(Kind::Alert, 79_999);
    assert!(!dictionaries.due(Kind::Alert, true));
    dictionaries.count(Kind::Alert, 1);
    assert!(dictionaries.due(Kind::Alert, true));
}
