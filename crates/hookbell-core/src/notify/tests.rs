use std::time::{Duration, Instant};

use chrono::{NaiveTime, TimeZone, Utc};

use super::*;
use crate::testing::sample_alert;

fn alert(id: &str, source: &str, severity: Severity) -> Alert {
    Alert {
        id: id.into(),
        source: source.into(),
        severity,
        title: format!("Alert {id}"),
        ..sample_alert()
    }
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

#[test]
fn defaults_notify_everything() {
    let s = NotificationSettings::default();
    for sev in Severity::ALL {
        assert_eq!(s.check(&alert("a", "x", sev), now(), at(3, 0)), Ok(()));
    }
}

#[test]
fn off_pause_mute_and_minimum_silence() {
    let high = alert("a", "enzoic", Severity::High);
    let off = NotificationSettings {
        enabled: false,
        ..Default::default()
    };
    assert_eq!(off.check(&high, now(), at(12, 0)), Err(Silenced::Off));

    let paused = NotificationSettings {
        paused_until: Some(now() + chrono::Duration::hours(1)),
        ..Default::default()
    };
    assert_eq!(paused.check(&high, now(), at(12, 0)), Err(Silenced::Paused));
    let pause_over = NotificationSettings {
        paused_until: Some(now() - chrono::Duration::seconds(1)),
        ..Default::default()
    };
    assert_eq!(pause_over.check(&high, now(), at(12, 0)), Ok(()));

    let muted = NotificationSettings {
        muted_sources: vec!["enzoic".into()],
        ..Default::default()
    };
    assert_eq!(muted.check(&high, now(), at(12, 0)), Err(Silenced::Muted));
    assert_eq!(
        muted.check(&alert("b", "leakix", Severity::High), now(), at(12, 0)),
        Ok(())
    );

    let min_high = NotificationSettings {
        min_severity: Severity::High,
        ..Default::default()
    };
    assert_eq!(
        min_high.check(&alert("c", "x", Severity::Medium), now(), at(12, 0)),
        Err(Silenced::BelowMinimum)
    );
    assert_eq!(min_high.check(&high, now(), at(12, 0)), Ok(()));
}

#[test]
fn quiet_hours_span_midnight_and_let_critical_through() {
    let s = NotificationSettings {
        quiet_hours: QuietHours {
            enabled: true,
            start: at(22, 0),
            end: at(7, 0),
        },
        ..Default::default()
    };
    let high = alert("a", "x", Severity::High);
    let critical = alert("b", "x", Severity::Critical);
    for quiet in [at(22, 0), at(23, 59), at(0, 0), at(6, 59)] {
        assert_eq!(
            s.check(&high, now(), quiet),
            Err(Silenced::QuietHours),
            "{quiet}"
        );
        assert_eq!(s.check(&critical, now(), quiet), Ok(()), "{quiet}");
    }
    for loud in [at(7, 0), at(12, 0), at(21, 59)] {
        assert_eq!(s.check(&high, now(), loud), Ok(()), "{loud}");
    }
    let daytime = QuietHours {
        enabled: true,
        start: at(9, 0),
        end: at(17, 0),
    };
    assert!(daytime.contains(at(9, 0)) && daytime.contains(at(16, 59)));
    assert!(!daytime.contains(at(17, 0)) && !daytime.contains(at(8, 59)));
    assert!(!QuietHours::default().contains(at(23, 0)), "off by default");
}

#[test]
fn settings_read_partial_json_and_refuse_bad_times() {
    let s: NotificationSettings =
        serde_json::from_str(r#"{"min_severity": "high", "quiet_hours": {"start": "21:30"}}"#)
            .expect("partial settings");
    assert!(s.enabled);
    assert_eq!(s.min_severity, Severity::High);
    assert_eq!(s.quiet_hours.start, at(21, 30));
    assert_eq!(s.quiet_hours.end, at(7, 0));
    let json = serde_json::to_value(&s).expect("serialize");
    assert_eq!(json["quiet_hours"]["start"], "21:30");

    let bad =
        serde_json::from_str::<NotificationSettings>(r#"{"quiet_hours": {"start": "25:00"}}"#)
            .expect_err("25:00");
    assert!(bad.to_string().contains("not a time of day"), "{bad}");
}

#[test]
fn a_single_notification_reads_well() {
    let mut a = alert("01ABC", "enzoic", Severity::Critical);
    a.title = "Password of alex@example.com exposed".into();
    a.subject = "alex@example.com".into();
    a.summary = "Found in the\n Collection #1 breach.".into();
    let n = Notification::single(&a, Lang::En);
    assert_eq!(n.summary, "Critical · Password of alex@example.com exposed");
    assert_eq!(
        n.body,
        "alex@example.com\nFound in the Collection #1 breach."
    );
    assert_eq!(n.severity, Severity::Critical);
    assert_eq!(n.target.route(), "#/alerts/01ABC");
    assert!(
        Notification::single(&a, Lang::De)
            .summary
            .starts_with("Kritisch · ")
    );
}

#[test]
fn a_burst_notification_counts_and_names_the_source() {
    let mut alerts: Vec<Alert> = (0..40)
        .map(|i| alert(&format!("a{i}"), "cyscale", Severity::Medium))
        .collect();
    for a in alerts.iter_mut().take(3) {
        a.severity = Severity::High;
    }
    let n = Notification::burst(&alerts, Some("Cyscale"), Lang::En);
    assert_eq!(n.summary, "40 new Cyscale alerts — 3 high");
    assert_eq!(n.severity, Severity::High);
    assert_eq!(n.target.route(), "#/?source=cyscale&status=unread");

    alerts[5].source = "leakix".into();
    let mixed = Notification::burst(&alerts, Some("Cyscale"), Lang::De);
    assert_eq!(mixed.summary, "40 neue Meldungen — 3 hoch");
    assert_eq!(mixed.target, Target::Inbox { source: None });
}

fn singles(shows: &[Show]) -> Vec<String> {
    shows
        .iter()
        .filter_map(|s| match s {
            Show::Single(a) => Some(a.id.clone()),
            Show::Summary(_) => None,
        })
        .collect()
}

#[test]
fn a_few_alerts_show_one_by_one() {
    let mut c = Coalescer::new(Duration::from_secs(10), 3);
    let t0 = Instant::now();
    let mut shown = Vec::new();
    for i in 0..3 {
        let ms = Duration::from_millis(i * 100);
        shown.extend(singles(
            &c.push(vec![alert(&format!("a{i}"), "x", Severity::High)], t0 + ms),
        ));
    }
    assert_eq!(shown, ["a0", "a1", "a2"]);
    assert_eq!(c.deadline(), None, "nothing waits");
}

#[test]
fn a_steady_stream_becomes_singles_then_one_summary_of_everything() {
    let mut c = Coalescer::new(Duration::from_secs(10), 3);
    let t0 = Instant::now();
    let mut shown = Vec::new();
    for i in 0..40u64 {
        let t = t0 + Duration::from_millis(i * 20);
        shown.extend(c.push(vec![alert(&format!("a{i}"), "x", Severity::Low)], t));
        assert_eq!(c.tick(t), None, "no summary while alerts keep coming");
    }
    assert_eq!(singles(&shown).len(), 3);
    let deadline = c.deadline().expect("a summary waits");
    assert_eq!(c.tick(deadline - Duration::from_millis(1)), None);
    match c.tick(deadline) {
        Some(Show::Summary(all)) => assert_eq!(all.len(), 40, "the summary covers the burst"),
        other => panic!("expected a summary, got {other:?}"),
    }
    assert_eq!(c.deadline(), None);

    // Soon after, more alerts fold into the next summary instead of popping singly.
    let later = deadline + Duration::from_secs(1);
    assert!(
        c.push(vec![alert("b", "x", Severity::Low)], later)
            .is_empty()
    );
    let Some(Show::Summary(next)) = c.tick(c.deadline().expect("waits")) else {
        panic!("expected the next summary");
    };
    assert_eq!(next.len(), 1);

    // After a quiet window, alerts show singly again.
    let quiet = later + Duration::from_secs(30);
    assert_eq!(
        singles(&c.push(vec![alert("c", "x", Severity::Low)], quiet)),
        ["c"]
    );
}

#[test]
fn a_batch_larger_than_the_singles_left_waits_whole_for_a_summary() {
    let mut c = Coalescer::new(Duration::from_secs(10), 3);
    let t0 = Instant::now();
    let batch: Vec<Alert> = (0..40)
        .map(|i| alert(&format!("c{i}"), "cyscale", Severity::Medium))
        .collect();
    assert!(
        c.push(batch, t0).is_empty(),
        "no single of the batch pops up"
    );
    let Some(Show::Summary(all)) = c.tick(t0 + Duration::from_millis(400)) else {
        panic!("expected a summary after the settle time");
    };
    assert_eq!(all.len(), 40);
}

#[test]
fn a_summary_waits_at_most_max_wait() {
    let mut c = Coalescer::new(Duration::from_secs(10), 0);
    let t0 = Instant::now();
    let mut summaries = 0;
    // An alert every 100 ms never lets the burst settle, yet summaries still come.
    for i in 0..100u64 {
        let t = t0 + Duration::from_millis(i * 100);
        c.push(vec![alert(&format!("s{i}"), "x", Severity::Low)], t);
        if c.tick(t).is_some() {
            summaries += 1;
        }
    }
    assert!(
        (2..=4).contains(&summaries),
        "{summaries} summaries in 10 s"
    );
}
