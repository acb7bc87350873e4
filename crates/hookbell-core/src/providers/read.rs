//! Tolerant reading of provider JSON: what every adapter needs so that unknown fields, `null`
//! lists, numbers sent as strings, odd date formats and "unset" sentinel dates never break a
//! parse.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

/// The value at `path` below `value` (object members only).
pub fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| member(v, key))
}

/// The member `name` of `value`, if it is an object that has one.
///
/// The objects providers send are small, and comparing a few names is cheaper than hashing one
/// (the map hashes with SipHash): an object of up to [`SMALL_OBJECT`] members is searched in
/// order. It finds what the map's lookup finds, as a parsed map holds each name once.
pub fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    if object.len() <= SMALL_OBJECT {
        object
            .iter()
            .find_map(|(key, member)| (key == name).then_some(member))
    } else {
        object.get(name)
    }
}

/// The most members [`member`] compares one by one.
const SMALL_OBJECT: usize = 32;

/// Non-empty, trimmed text: a string, or a number or boolean written out.
pub fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => text(o.get("$oid")),
        _ => None,
    }
}

/// An integer: a JSON number or a numeric string (`"8080"`); a Mongo `$numberLong` too.
pub fn int(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(o) => int(o.get("$numberLong").or_else(|| o.get("$numberInt"))),
        _ => None,
    }
}

/// A number (integer or not), from a number or a numeric string.
pub fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean, also from `"true"`/`"false"`, `1`/`0`.
pub fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The items of a list; `null`, a missing member or a non-list reads as empty.
pub fn list(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// The texts of a list, skipping what is not text.
pub fn texts(value: Option<&Value>) -> Vec<String> {
    list(value).iter().filter_map(|v| text(Some(v))).collect()
}

/// An object's members; anything else reads as empty.
pub fn object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value?.as_object()
}

/// A point in time, or `None` when absent or "unset". Reads RFC 3339 with 0–9 fraction digits,
/// the same without a zone (taken as UTC), a date alone, a space instead of `T`, unix seconds
/// or milliseconds, and MongoDB's `{"$date": …}` forms. Go's zero time and anything before the
/// year 2 (`0001-01-01…`, Mongo's `-62135596800000`) mean "unset".
pub fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let parsed = match value? {
        Value::String(s) => return time_in_text(s),
        Value::Number(n) => n.as_i64().and_then(from_unix),
        Value::Object(o) => match o.get("$date")? {
            Value::Object(inner) => {
                int(inner.get("$numberLong")).and_then(DateTime::from_timestamp_millis)
            }
            Value::Number(n) => n.as_i64().and_then(DateTime::from_timestamp_millis),
            other => time(Some(other)),
        },
        _ => None,
    }?;
    (parsed.timestamp() > -62_104_060_800).then_some(parsed) // after 0002-01-01
}

/// [`time`] of a text (trimmed): a point in time, or `None` when it is none or "unset".
pub fn time_in_text(text: &str) -> Option<DateTime<Utc>> {
    time_text(text.trim()).filter(|t| t.timestamp() > -62_104_060_800) // after 0002-01-01
}

fn from_unix(n: i64) -> Option<DateTime<Utc>> {
    if n.abs() >= 10_000_000_000 {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

fn time_text(s: &str) -> Option<DateTime<Utc>> {
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return from_unix(n);
    }
    let s = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&t));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M") {
        return Some(Utc.from_utc_datetime(&t));
    }
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// Builds `details`: named sections of named fields, in insertion order, leaving out what is
/// empty so the UI shows only what the provider actually said.
///
/// Section and field names are stable `snake_case` keys; the UI labels and translates them.
///
/// Members are gathered in a list and made a map once, at its final size: a map grown member
/// by member reallocates and rehashes as it goes. (A name given twice keeps its first place
/// and its last value, as inserting into the map would.)
#[derive(Debug, Default)]
pub struct Details(Vec<(String, Value)>);

impl Details {
    /// No sections yet.
    pub fn new() -> Self {
        Details::default()
    }

    /// Adds a section built by `fill` (left out if it ends up empty).
    pub fn section(mut self, name: &str, fill: impl FnOnce(Section) -> Section) -> Self {
        let section = fill(Section::default());
        if !section.0.is_empty() {
            self.0
                .push((name.to_owned(), Value::Object(section.build())));
        }
        self
    }

    /// Adds a top-level value as it is (e.g. the masked `result` of a search), unless empty.
    pub fn raw(mut self, name: &str, value: Value) -> Self {
        if !is_empty(&value) {
            self.0.push((name.to_owned(), value));
        }
        self
    }

    /// The finished `details` object.
    pub fn build(self) -> Value {
        Value::Object(self.0.into_iter().collect())
    }
}

/// One section of [`Details`], gathered as [`Details`] is.
#[derive(Debug, Default)]
pub struct Section(Vec<(String, Value)>);

impl Section {
    /// Adds a field unless its value is null, an empty string, list or object.
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !is_empty(&value) {
            self.0.push((name.to_owned(), value));
        }
        self
    }

    fn build(self) -> Map<String, Value> {
        self.0.into_iter().collect()
    }

    /// Adds a field when `value` is `Some` (and not empty).
    pub fn opt<T: Into<Value>>(self, name: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.field(name, v),
            None => self,
        }
    }

    /// Adds a point in time read by [`time`] from `value`, as RFC 3339 text ([`time_value`]),
    /// when there is one.
    pub fn time(self, name: &str, value: Option<&Value>) -> Self {
        self.opt(name, time_value(time(value)))
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Whether `url` may become an alert's link: an `http://` or `https://` URL (any case) with a
/// host, no whitespace and no credentials in it (`https://user:pass@host`), surrounding
/// whitespace aside.
pub fn is_web_link(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.is_empty() && !authority.contains('@') && !url.contains(char::is_whitespace)
}

/// The links among `urls` ([`is_web_link`]), trimmed, in order, without repeats.
pub fn web_links<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for url in urls {
        let url = url.trim();
        if is_web_link(url) && !out.iter().any(|u| u == url) {
            out.push(url.to_owned());
        }
    }
    out
}

/// RFC 3339 text of a time, for details.
pub fn time_value(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        /// Searching in order finds what the map's lookup finds, in objects on either side of
        /// the size where the search changes, names given twice in the text included.
        #[test]
        fn member_finds_what_the_map_finds(
            names in proptest::collection::vec("[a-d]{0,3}", 0..48),
            wanted in "[a-d]{0,3}",
        ) {
            let text = format!(
                "{{{}}}",
                names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| format!("\"{name}\":{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let object: Value = serde_json::from_str(&text).unwrap_or_default();
            proptest::prop_assert_eq!(member(&object, &wanted), object.get(&wanted));
            let not_an_object = Value::from(wanted.clone());
            proptest::prop_assert_eq!(member(&not_an_object, &wanted), None);
        }
    }

    fn t(v: Value) -> Option<String> {
        time(Some(&v)).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    #[test]
    fn times_in_every_seen_form() {
        assert_eq!(
            t(json!("2017-01-17T04:51:05.1915231Z")).as_deref(),
            Some("2017-01-17T04:51:05.191523100Z")
        );
        assert_eq!(
            t(json!("2015-05-01T00:00:00.000Z")).as_deref(),
            Some("2015-05-01T00:00:00Z")
        );
        assert_eq!(
            t(json!("2022-02-25T13:24:00.0Z")).as_deref(),
            Some("2022-02-25T13:24:00Z")
        );
        assert_eq!(
            t(json!("2026-03-03T14:21:30.120+01:00")).as_deref(),
            Some("2026-03-03T13:21:30.120Z")
        );
        assert_eq!(
            t(json!("2016-09-16 15:36:54")).as_deref(),
            Some("2016-09-16T15:36:54Z")
        );
        assert_eq!(
            t(json!("2016-09-16T15:36:54.123456789")).as_deref(),
            Some("2016-09-16T15:36:54.123456789Z")
        );
        assert_eq!(
            t(json!("2014-01-30")).as_deref(),
            Some("2014-01-30T00:00:00Z")
        );
        assert_eq!(
            t(json!({"$date": "2014-01-30T00:00:00.000Z"})).as_deref(),
            Some("2014-01-30T00:00:00Z")
        );
        assert_eq!(
            t(json!({"$date": {"$numberLong": "1391040000000"}})).as_deref(),
            Some("2014-01-30T00:00:00Z")
        );
        assert_eq!(
            t(json!(1_391_040_000)).as_deref(),
            Some("2014-01-30T00:00:00Z")
        );
        assert_eq!(
            time_in_text(" 2016-09-16 15:36:54 ").map(|t| t.timestamp()),
            Some(1_474_040_214)
        );
        assert_eq!(time_in_text("0001-01-01 00:00:00"), None);
        // "Unset" in its various spellings.
        for unset in [
            json!("0001-01-01T00:00:00Z"),
            json!({"$date": {"$numberLong": "-62135596800000"}}),
            json!(""),
            json!(null),
            json!("soon"),
            json!([]),
        ] {
            assert_eq!(t(unset.clone()), None, "{unset}");
        }
    }

    #[test]
    fn numbers_texts_and_lists_are_read_leniently() {
        assert_eq!(int(Some(&json!("8080"))), Some(8080));
        assert_eq!(int(Some(&json!(5123.0))), Some(5123));
        assert_eq!(int(Some(&json!({"$numberLong": "7"}))), Some(7));
        assert_eq!(text(Some(&json!({"$oid": "abc"}))).as_deref(), Some("abc"));
        assert_eq!(text(Some(&json!("  "))), None);
        assert_eq!(text(Some(&json!(42))).as_deref(), Some("42"));
        assert!(list(Some(&json!(null))).is_empty());
        assert_eq!(texts(Some(&json!(["a", 1, null, {}]))), vec!["a", "1"]);
        assert_eq!(boolean(Some(&json!("TRUE"))), Some(true));
        assert_eq!(at(&json!({"a": {"b": 1}}), &["a", "b"]), Some(&json!(1)));
    }

    #[test]
    fn links_are_http_urls_with_a_host_and_no_credentials() {
        assert_eq!(
            web_links([
                "https://a.example/x",
                " http://b.example ",
                "HTTPS://C.example",
                "javascript:alert(1)",
                "ftp://c",
                "https://",
                "https:///path",
                "https://a.example/x",
                "http://x y",
                "https://user:pass@d.example/",
                "https://e.example/?next=a@b",
            ]),
            vec![
                "https://a.example/x",
                "http://b.example",
                "HTTPS://C.example",
                "https://e.example/?next=a@b"
            ]
        );
    }

    #[test]
    fn details_leave_out_empty_fields_and_sections_and_keep_order() {
        let details = Details::new()
            .section("empty", |s| {
                s.field("nothing", "").field("none", Value::Null)
            })
            .section("host", |s| {
                s.field("port", 8080)
                    .field("ip", "127.0.0.1")
                    .opt("name", None::<String>)
            })
            .build();
        assert_eq!(
            details.to_string(),
            r#"{"host":{"port":8080,"ip":"127.0.0.1"}}"#
        );
        // A name given twice keeps its first place and its last value, as a map insert does.
        let twice = Details::new()
            .section("a", |s| s.field("x", 1).field("y", 2).field("x", 3))
            .section("b", |s| s.field("z", 4))
            .raw("a", json!({"w": 5}))
            .build();
        assert_eq!(twice.to_string(), r#"{"a":{"w":5},"b":{"z":4}}"#);
        let inner = Details::new()
            .section("a", |s| s.field("x", 1).field("y", 2).field("x", 3))
            .build();
        assert_eq!(inner.to_string(), r#"{"a":{"x":3,"y":2}}"#);
    }
}
