//! Desktop notifications, decided: which new alerts deserve one (the user's rules), how a
//! burst folds into one summary, and what each notification says. Pure: the caller passes the
//! clock in, and the desktop shell only shows what comes out.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::{Alert, Severity};
use crate::lang::Lang;
use crate::providers::text::{clip, one_line};

/// The user's notification rules (`/api/settings` → `notifications`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NotificationSettings {
    /// Off silences every notification.
    pub enabled: bool,
    /// Alerts below this severity stay silent.
    pub min_severity: Severity,
    /// A nightly window in which only critical alerts notify.
    pub quiet_hours: QuietHours,
    /// Sources whose alerts never notify.
    pub muted_sources: Vec<String>,
    /// Everything stays silent until then (the tray's "Pause notifications").
    pub paused_until: Option<DateTime<Utc>>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            enabled: true,
            min_severity: Severity::Info,
            quiet_hours: QuietHours::default(),
            muted_sources: Vec::new(),
            paused_until: None,
        }
    }
}

/// Quiet hours in local time; `start` after `end` spans midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuietHours {
    /// Whether the window applies.
    pub enabled: bool,
    /// From this local time (`"HH:MM"`).
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "22:00")]
    pub start: NaiveTime,
    /// Until this local time (`"HH:MM"`), exclusive.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, example = "07:00")]
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            enabled: false,
            start: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
        }
    }
}

impl QuietHours {
    /// True when `local` falls inside the window.
    pub fn contains(&self, local: NaiveTime) -> bool {
        if !self.enabled || self.start == self.end {
            return false;
        }
        if self.start < self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// `"HH:MM"` on the wire.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| D::Error::custom(format!("{text:?} is not a time of day like \"22:00\"")))
    }
}

/// Why an alert stays silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silenced {
    /// Notifications are off.
    Off,
    /// Paused from the tray.
    Paused,
    /// Its source is muted.
    Muted,
    /// Below the minimum severity.
    BelowMinimum,
    /// Quiet hours, and it is not critical.
    QuietHours,
}

impl NotificationSettings {
    /// Whether `alert` may notify at `now` (`local` is the same instant on the local clock).
    pub fn check(
        &self,
        alert: &Alert,
        now: DateTime<Utc>,
        local: NaiveTime,
    ) -> Result<(), Silenced> {
        if !self.enabled {
            return Err(Silenced::Off);
        }
        if self.paused_until.is_some_and(|until| now < until) {
            return Err(Silenced::Paused);
        }
        if self.muted_sources.contains(&alert.source) {
            return Err(Silenced::Muted);
        }
        if alert.severity < self.min_severity {
            return Err(Silenced::BelowMinimum);
        }
        if alert.severity < Severity::Critical && self.quiet_hours.contains(local) {
            return Err(Silenced::QuietHours);
        }
        Ok(())
    }
}

/// What a notification opens when clicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One alert (`#/alerts/{id}`).
    Alert(String),
    /// The inbox, filtered to one source when the burst came from one.
    Inbox {
        /// The source filter, if any.
        source: Option<String>,
    },
}

impl Target {
    /// The UI route (URL fragment) this target opens.
    pub fn route(&self) -> String {
        match self {
            Target::Alert(id) => format!("#/alerts/{id}"),
            Target::Inbox { source: Some(s) } => format!("#/?source={s}&status=unread"),
            Target::Inbox { source: None } => "#/?status=unread".to_owned(),
        }
    }
}

/// A notification ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The first line: severity and title, or the burst's count.
    pub summary: String,
    /// Subject and a line of description, or the burst's breakdown.
    pub body: String,
    /// The highest severity it covers (urgency follows it).
    pub severity: Severity,
    /// What a click opens.
    pub target: Target,
}

impl Notification {
    /// The notification for one alert.
    pub fn single(alert: &Alert, lang: Lang) -> Notification {
        let summary = format!(
            "{} · {}",
            severity_word(alert.severity, lang),
            clip(&one_line(&alert.title), 120)
        );
        let line = [&alert.summary, &alert.description]
            .into_iter()
            .map(|t| one_line(t))
            .find(|t| !t.is_empty() && *t != one_line(&alert.title))
            .map(|t| clip(&t, 160));
        let body = match (alert.subject.trim(), line) {
            ("", Some(line)) => line,
            ("", None) => String::new(),
            (subject, None) => subject.to_owned(),
            (subject, Some(line)) => format!("{subject}\n{line}"),
        };
        Notification {
            summary,
            body,
            severity: alert.severity,
            target: Target::Alert(alert.id.clone()),
        }
    }

    /// One notification for a burst of alerts. `source_name` names the one source they came
    /// from, if they all came from one.
    pub fn burst(alerts: &[Alert], source_name: Option<&str>, lang: Lang) -> Notification {
        let count = alerts.len();
        let highest = alerts
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(Severity::Info);
        let sources: Vec<&str> = {
            let mut s: Vec<&str> = alerts.iter().map(|a| a.source.as_str()).collect();
            s.sort_unstable();
            s.dedup();
            s
        };
        let one_source = (sources.len() == 1).then(|| sources[0].to_owned());
        let mut summary = match (source_name.filter(|_| one_source.is_some()), lang) {
            (Some(name), Lang::En) => format!("{count} new {name} alerts"),
            (Some(name), Lang::De) => format!("{count} neue Meldungen von {name}"),
            (None, Lang::En) => format!("{count} new alerts"),
            (None, Lang::De) => format!("{count} neue Meldungen"),
        };
        // "— 3 high": how many need action today or sooner.
        let urgent: Vec<String> = [Severity::Critical, Severity::High]
            .into_iter()
            .filter_map(|sev| {
                let n = alerts.iter().filter(|a| a.severity == sev).count();
                (n > 0).then(|| format!("{n} {}", severity_word(sev, lang).to_lowercase()))
            })
            .collect();
        if !urgent.is_empty() {
            summary.push_str(" — ");
            summary.push_str(&urgent.join(", "));
        }
        let top = alerts
            .iter()
            .max_by_key(|a| a.severity)
            .map(|a| clip(&one_line(&a.title), 120))
            .unwrap_or_default();
        let body = match lang {
            Lang::En => format!("Most severe: {top}"),
            Lang::De => format!("Am dringendsten: {top}"),
        };
        Notification {
            summary,
            body,
            severity: highest,
            target: Target::Inbox { source: one_source },
        }
    }
}

/// The severity as a word for people.
pub fn severity_word(severity: Severity, lang: Lang) -> &'static str {
    match (severity, lang) {
        (Severity::Info, _) => "Info",
        (Severity::Low, Lang::En) => "Low",
        (Severity::Low, Lang::De) => "Niedrig",
        (Severity::Medium, Lang::En) => "Medium",
        (Severity::Medium, Lang::De) => "Mittel",
        (Severity::High, Lang::En) => "High",
        (Severity::High, Lang::De) => "Hoch",
        (Severity::Critical, Lang::En) => "Critical",
        (Severity::Critical, Lang::De) => "Kritisch",
    }
}

/// Folds bursts: the first few alerts of a busy moment notify one by one; past that, the rest
/// wait until the burst calms down and one summary covers the whole burst. A burst lasts
/// while alerts keep coming less than `window` apart.
#[derive(Debug)]
pub struct Coalescer {
    /// A burst ends after this long without alerts.
    window: Duration,
    /// Alerts shown one by one per burst before summaries take over.
    singles: usize,
    /// How long the burst must be quiet before a waiting summary shows.
    settle: Duration,
    /// The longest a summary waits for the burst to calm down.
    max_wait: Duration,
    burst: Option<Burst>,
}

#[derive(Debug)]
struct Burst {
    last: Instant,
    /// Alerts of this burst not yet covered by a summary (those shown singly included).
    alerts: Vec<Alert>,
    /// How many were shown one by one.
    singles_shown: usize,
    /// Since when a summary is waiting.
    held_since: Option<Instant>,
}

/// What the coalescer says to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Show {
    /// One alert on its own.
    Single(Box<Alert>),
    /// Many alerts as one notification.
    Summary(Vec<Alert>),
}

impl Default for Coalescer {
    fn default() -> Self {
        Coalescer::new(Duration::from_secs(10), 3)
    }
}

impl Coalescer {
    /// Bursts end after `window` of quiet; `singles` alerts per burst show on their own.
    pub fn new(window: Duration, singles: usize) -> Self {
        Coalescer {
            window,
            singles,
            settle: Duration::from_millis(400),
            max_wait: Duration::from_secs(3),
            burst: None,
        }
    }

    /// Takes the alerts that arrived together at `now` (one delivery, or everything that was
    /// waiting); returns what to show at once. A batch that does not fit the singles left
    /// waits, whole, for a summary.
    pub fn push(&mut self, alerts: Vec<Alert>, now: Instant) -> Vec<Show> {
        if alerts.is_empty() {
            return Vec::new();
        }
        let over = self
            .burst
            .as_ref()
            .is_some_and(|b| b.held_since.is_none() && now.duration_since(b.last) >= self.window);
        if over {
            self.burst = None;
        }
        let burst = self.burst.get_or_insert_with(|| Burst {
            last: now,
            alerts: Vec::new(),
            singles_shown: 0,
            held_since: None,
        });
        burst.last = now;
        let fits = burst.held_since.is_none() && burst.singles_shown + alerts.len() <= self.singles;
        if fits {
            burst.singles_shown += alerts.len();
            burst.alerts.extend(alerts.iter().cloned());
            return alerts
                .into_iter()
                .map(|a| Show::Single(Box::new(a)))
                .collect();
        }
        burst.alerts.extend(alerts);
        burst.held_since.get_or_insert(now);
        Vec::new()
    }

    /// When [`Coalescer::tick`] should next be called, if a summary is waiting.
    pub fn deadline(&self) -> Option<Instant> {
        let burst = self.burst.as_ref()?;
        let held = burst.held_since?;
        Some((burst.last + self.settle).min(held + self.max_wait))
    }

    /// The waiting summary, once the burst has been quiet long enough (or waited too long).
    /// The burst goes on: what follows soon after folds into the next summary.
    pub fn tick(&mut self, now: Instant) -> Option<Show> {
        if self.deadline().is_none_or(|d| now < d) {
            return None;
        }
        let burst = self.burst.as_mut()?;
        burst.held_since = None;
        burst.singles_shown = self.singles;
        Some(Show::Summary(std::mem::take(&mut burst.alerts)))
    }
}

#[cfg(test)]
mod tests;
