//! What a click on a notification means, the same on every platform. Each platform reports a
//! click in its own words: freedesktop notification servers name the action (`default` for
//! the body, else a button's key, `__closed` when it goes away), Windows toasts hand back the
//! activation arguments of the button pressed (none for the body), macOS says whether the body
//! or the action button was clicked. The platform code turns those into a [`Click`]; this says
//! what it does: [`Click::route`] is where the window opens.

use hookbell_core::notify::Target;

/// The action key of opening the alert (the body on Linux, the "Open" button on Windows).
pub const OPEN: &str = "default";
/// The action key of "Mark as read".
pub const MARK_READ: &str = "read";

/// What the user did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    /// Open the window on the notification's target.
    Open,
    /// Mark the alert read, without opening anything.
    MarkRead,
    /// Nothing to do: dismissed, expired, or an action this version does not know.
    Dismissed,
}

impl Click {
    /// A click as an action key: a freedesktop server's action, or a Windows toast's
    /// activation arguments (`None` or empty when the body was clicked).
    pub fn from_action(action: Option<&str>) -> Click {
        match action.map(str::trim) {
            None | Some("" | OPEN) => Click::Open,
            Some(MARK_READ) => Click::MarkRead,
            Some(_) => Click::Dismissed,
        }
    }

    /// The UI route the window opens for this click on a notification about `target`.
    pub fn route(self, target: &Target) -> Option<String> {
        (self == Click::Open).then(|| target.route())
    }

    /// The alert this click marks read, if it does.
    pub fn marks_read(self, target: &Target) -> Option<&str> {
        match (self, target) {
            (Click::MarkRead, Target::Alert(id)) => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_click_opens_on_every_platform() {
        // Linux: the "default" action; Windows: a body click carries no arguments.
        assert_eq!(Click::from_action(Some("default")), Click::Open);
        assert_eq!(Click::from_action(None), Click::Open);
        assert_eq!(Click::from_action(Some("")), Click::Open);
    }

    #[test]
    fn buttons_and_dismissal() {
        assert_eq!(Click::from_action(Some("read")), Click::MarkRead);
        assert_eq!(Click::from_action(Some("__closed")), Click::Dismissed);
        assert_eq!(Click::from_action(Some("snooze")), Click::Dismissed);
    }

    #[test]
    fn an_open_click_goes_to_the_alert_or_the_filtered_inbox() {
        let alert = Target::Alert("a1".into());
        assert_eq!(Click::Open.route(&alert).as_deref(), Some("#/alerts/a1"));
        let burst = Target::Inbox {
            source: Some("cyscale".into()),
        };
        assert_eq!(
            Click::Open.route(&burst).as_deref(),
            Some("#/?source=cyscale&status=unread")
        );
        let all = Target::Inbox { source: None };
        assert_eq!(Click::Open.route(&all).as_deref(), Some("#/?status=unread"));
        assert_eq!(Click::MarkRead.route(&alert), None);
        assert_eq!(Click::Dismissed.route(&alert), None);
    }

    #[test]
    fn only_an_alert_is_marked_read() {
        let alert = Target::Alert("a1".into());
        assert_eq!(Click::MarkRead.marks_read(&alert), Some("a1"));
        assert_eq!(Click::Open.marks_read(&alert), None);
        assert_eq!(
            Click::MarkRead.marks_read(&Target::Inbox { source: None }),
            None
        );
    }
}
