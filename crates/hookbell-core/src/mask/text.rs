//! Secrets inside free text: what [`scrub`] finds in a string that is not itself under a
//! secret name (a description, a leaked `.env` file, a quarantined body that is not JSON).
//!
//! In order:
//! 1. private keys (`-----BEGIN … PRIVATE KEY-----` blocks, the armour kept);
//! 2. assignments of a secret name (`DB_PASSWORD=…`, `"apiKey": [ … ]`, `password: …`): a
//!    name ending with one of the policy's own endings ([`super::ENDINGS`]) or with one of
//!    [`TEXT_ENDINGS`], or one of [`WORDS`]; the whole value is masked, quoted, bracketed or
//!    bare;
//! 3. the password in URL userinfo (`https://user:pass@host`);
//! 4. well-known token formats (AWS key ids, GitHub, GitLab, Slack, Stripe, Google, npm,
//!    Standard Webhooks secrets, JWTs);
//! 5. card numbers: 13–19 digits, grouped by single spaces or dashes, passing the Luhn check.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use wide::u8x16;

use super::{ByLast, mask_secret};

/// Strings shorter than this cannot hold any of the shapes (the shortest is a 13-digit card
/// number; `pwd=x` style assignments are 5 and checked separately).
const MIN_ASSIGNMENT: usize = 5;

/// Endings that make a name a secret in text only, beside the policy's [`super::ENDINGS`]
/// (`GITHUB_TOKEN=…`, `session.cookie: …`, `credentials = …`); compared, as those are, without
/// `_`, `-` and `.` and ignoring case (`api_key`, `API-KEY`, `apiKey`), a prefix allowed
/// (`DB_PASSWORD`) and a plural too. In JSON a member merely ending so (`csrfToken`,
/// `next_page_token`) is not taken for a secret; in text the value is masked all the same.
const TEXT_ENDINGS: &[&str] = &["token", "cookie", "credentials"];

/// Names that count only as whole words (`pwd=`, `pass:`, `salt=`), not as endings.
const WORDS: &[&str] = &["pwd", "pass", "pin", "salt", "cvv", "cvc"];

static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)")
        .expect("the private-key pattern is valid")
});

static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)@")
        .expect("the userinfo pattern is valid")
});

static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    // An ASCII word boundary: a Unicode one would keep the regex off its fast engines for any
    // text that is not ASCII.
    Regex::new(concat!(
        r"(?-u:\b)(?:",
        r"(?:AKIA|ASIA)[0-9A-Z]{16}",
        r"|gh[pousr]_[A-Za-z0-9]{30,}",
        r"|github_pat_[A-Za-z0-9_]{22,}",
        r"|glpat-[A-Za-z0-9_-]{20,}",
        r"|xox[abposr]-[A-Za-z0-9-]{10,}",
        r"|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}",
        r"|AIza[0-9A-Za-z_-]{35}",
        r"|npm_[A-Za-z0-9]{36}",
        r"|whsec_[A-Za-z0-9+/=]{16,}",
        r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        r")"
    ))
    .expect("the token pattern is valid")
});

/// `text` with every secret it holds masked, or `None` when there is none.
///
/// This runs on every string of every body, detail and text, and almost all of them hold no
/// secret: one pass over the bytes ([`Look`]) tells which of the five stages could find
/// anything, and only those run (each on the text as the stages before it left it).
pub fn scrub(text: &str) -> Option<String> {
    if text.len() < MIN_ASSIGNMENT {
        return None;
    }
    let mut look = Look::of(text.as_bytes());
    if !look.any() {
        return None;
    }
    let mut out = Cow::Borrowed(text);
    if look.private_key {
        step(&mut out, &mut look, |t| {
            PRIVATE_KEY.replace_all(t, |c: &Captures| {
                format!("{}{}{}", &c[1], mask_secret(&c[2]), &c[3])
            })
        });
    }
    if look.assignment {
        step(&mut out, &mut look, mask_assignments);
    }
    if look.userinfo {
        step(&mut out, &mut look, |t| {
            USERINFO.replace_all(t, |c: &Captures| {
                format!("{}{}@", &c[1], mask_secret(&c[2]))
            })
        });
    }
    if look.token {
        step(&mut out, &mut look, |t| {
            TOKENS.replace_all(t, |c: &Captures| mask_secret(&c[0]))
        });
    }
    if look.card {
        out = own(out, mask_card_numbers);
    }
    match out {
        Cow::Borrowed(_) => None,
        Cow::Owned(s) => Some(s),
    }
}

/// Every stage of [`scrub`] run on every string, without the first look: what [`scrub`] must
/// always agree with (a property test insists).
#[cfg(test)]
pub(crate) fn scrub_every_stage(text: &str) -> Option<String> {
    if text.len() < MIN_ASSIGNMENT {
        return None;
    }
    let mut out = Cow::Borrowed(text);
    if out.contains("PRIVATE KEY") {
        out = own(out, |t| {
            PRIVATE_KEY.replace_all(t, |c: &Captures| {
                format!("{}{}{}", &c[1], mask_secret(&c[2]), &c[3])
            })
        });
    }
    out = own(out, mask_assignments);
    if out.contains("://") {
        out = own(out, |t| {
            USERINFO.replace_all(t, |c: &Captures| {
                format!("{}{}@", &c[1], mask_secret(&c[2]))
            })
        });
    }
    out = own(out, |t| {
        TOKENS.replace_all(t, |c: &Captures| mask_secret(&c[0]))
    });
    out = own(out, mask_card_numbers);
    match out {
        Cow::Borrowed(_) => None,
        Cow::Owned(s) => Some(s),
    }
}

/// What one pass over a text's bytes says the stages of [`scrub`] could find. Each flag is a
/// condition without which its stage finds nothing, so a stage whose flag is false can be
/// skipped without changing the result; a stage that changes the text has the text looked at
/// again ([`step`]) before the next.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Look {
    /// `PRIVATE KEY` is in it ([`PRIVATE_KEY`] matches only then).
    private_key: bool,
    /// A `:` or `=` follows a secret name ([`mask_assignments`] masks only after one).
    assignment: bool,
    /// `://` is in it ([`USERINFO`] matches only then).
    userinfo: bool,
    /// One of [`TOKEN_STARTS`] starts a word ([`TOKENS`] matches only there).
    token: bool,
    /// A chain of 13 digits or more ([`may_hold_card`]; [`mask_card_numbers`] needs one).
    card: bool,
}

impl Look {
    fn of(bytes: &[u8]) -> Look {
        // The text is read 16 bytes at a time, each block compared at once with every byte
        // that something starts at ([`STOP_BYTES`], rare in text) and with the digits; only
        // the stop bytes found are looked at one by one.
        let mut look = Look::default();
        let mut digits = 0;
        let mut block_at = |look: &mut Look, at: usize, block: [u8; BLOCK]| {
            let (stops, digit) = marks(block);
            digits += digit.count_ones();
            look.stops(bytes, at, stops);
        };
        let (blocks, tail) = bytes.as_chunks::<BLOCK>();
        for (b, block) in blocks.iter().enumerate() {
            block_at(&mut look, b * BLOCK, *block);
        }
        if !tail.is_empty() {
            // The last bytes, padded with a byte that marks nothing.
            let mut padded = [b' '; BLOCK];
            padded[..tail.len()].copy_from_slice(tail);
            block_at(&mut look, bytes.len() - tail.len(), padded);
        }
        // A card number has 13 digits at least.
        look.card = digits >= 13 && may_hold_card(bytes);
        look
    }

    /// [`Look::stop`] at every byte `mask` marks in the block at `at`.
    #[inline]
    fn stops(&mut self, bytes: &[u8], at: usize, mut mask: u32) {
        while mask != 0 {
            let i = at + mask.trailing_zeros() as usize;
            if let Some(&b) = bytes.get(i) {
                self.stop(bytes, i, b);
            }
            mask &= mask - 1;
        }
    }

    /// What the byte `b` at `i`, one of [`STOP_BYTES`], tells.
    fn stop(&mut self, bytes: &[u8], i: usize, b: u8) {
        match b {
            b':' | b'=' => {
                // Most `:` in bodies end a URL's scheme, which [`secret_name_before`] lets go
                // after its blanks and quotes are skipped; `https:` has none, so it is let go
                // here at once.
                let scheme = b == b':'
                    && i.checked_sub(5).is_some_and(|from| {
                        bytes.get(from..i) == Some(b"https")
                            && !from
                                .checked_sub(1)
                                .and_then(|p| bytes.get(p))
                                .is_some_and(|p| {
                                    p.is_ascii_alphanumeric() || matches!(p, b'_' | b'-' | b'.')
                                })
                    });
                self.assignment = self.assignment || (!scheme && secret_name_before(bytes, i));
                self.userinfo = self.userinfo || (b == b':' && userinfo_after(bytes, i));
            }
            b'K' => {
                self.private_key = self.private_key
                    || (bytes.get(i.saturating_sub(8)..i) == Some(b"PRIVATE ")
                        && bytes.get(i..i + 3) == Some(b"KEY"));
            }
            _ => self.token = self.token || token_at(bytes, i),
        }
    }

    fn any(self) -> bool {
        self != Look::default()
    }
}

/// Whether the `:` at `i` may start the `://` of a URL with a password in its userinfo, as
/// [`USERINFO`] matches it: `://`, then up to a `:` no `/`, `:`, `@` or blank, then at least
/// one byte that is none of `@`, `/` or a blank, then `@`. (Only ASCII blanks stop this look,
/// so it may say yes where the pattern, which stops at any Unicode blank, finds nothing; never
/// the other way.)
fn userinfo_after(bytes: &[u8], i: usize) -> bool {
    if bytes.get(i..i + 3) != Some(b"://") {
        return false;
    }
    let rest = bytes.get(i + 3..).unwrap_or_default();
    // Without an `@` after it there is no userinfo: almost every URL is let go here, by one
    // vectorized search instead of a byte-by-byte reading of its host.
    if memchr::memchr(b'@', rest).is_none() {
        return false;
    }
    let Some(colon) = rest
        .iter()
        .position(|b| matches!(b, b'/' | b':' | b'@') || b.is_ascii_whitespace())
        .filter(|at| rest.get(*at) == Some(&b':'))
    else {
        return false;
    };
    let password = rest.get(colon + 1..).unwrap_or_default();
    password
        .iter()
        .position(|b| matches!(b, b'@' | b'/') || b.is_ascii_whitespace())
        .is_some_and(|at| at > 0 && password.get(at) == Some(&b'@'))
}

/// The literal beginnings of [`TOKENS`]' formats, each whole: every match of [`TOKENS`]
/// starts with one of these at the start of a word.
const TOKEN_STARTS: &[&[u8]] = &[
    b"AKIA",
    b"ASIA",
    b"ghp_",
    b"gho_",
    b"ghu_",
    b"ghs_",
    b"ghr_",
    b"github_pat_",
    b"glpat-",
    b"xoxa-",
    b"xoxb-",
    b"xoxp-",
    b"xoxo-",
    b"xoxs-",
    b"xoxr-",
    b"sk_live_",
    b"sk_test_",
    b"rk_live_",
    b"rk_test_",
    b"AIza",
    b"npm_",
    b"whsec_",
    b"eyJ",
];

/// Where a [`TOKEN_STARTS`] is found from: its first `_`, `-` or `J`, else its first byte
/// (an `A`). [`Look::of`] looks only at those bytes, which are rare in text.
const fn anchor(start: &[u8]) -> usize {
    let mut i = 0;
    while i < start.len() {
        if matches!(start[i], b'_' | b'-' | b'J') {
            return i;
        }
        i += 1;
    }
    0
}

/// The [`anchor`] of each of [`TOKEN_STARTS`].
static ANCHORS: [usize; TOKEN_STARTS.len()] = {
    let mut at = [0; TOKEN_STARTS.len()];
    let mut t = 0;
    while t < TOKEN_STARTS.len() {
        at[t] = anchor(TOKEN_STARTS[t]);
        t += 1;
    }
    at
};

/// The row of [`NEIGHBOURS`] for an anchor byte (`_`, `-`, `J`, `A`; any other byte gets
/// `A`'s row, and is never looked up).
const fn anchor_row(b: u8) -> usize {
    match b {
        b'_' => 0,
        b'-' => 1,
        b'J' => 2,
        _ => 3,
    }
}

/// The bytes [`Look::of`] stops at: `:` and `=` (assignments, userinfo), `K` (of
/// `PRIVATE KEY`), and the [`anchor`]s of [`TOKEN_STARTS`] (a compile-time check below holds
/// every anchor to this list).
const STOP_BYTES: [u8; 7] = [b':', b'=', b'K', b'_', b'-', b'J', b'A'];

/// Whether `b` is one of [`STOP_BYTES`] (for the compile-time check below).
const fn is_stop(b: u8) -> bool {
    let mut s = 0;
    while s < STOP_BYTES.len() {
        if STOP_BYTES[s] == b {
            return true;
        }
        s += 1;
    }
    false
}

// What [`Look::stop`] reads at a stop: `:` and `=`, the `K` of `PRIVATE KEY`, and every token
// start's anchor. A stop byte missing here would let its stage be skipped.
const _: () = {
    assert!(is_stop(b':') && is_stop(b'=') && is_stop(b'K'));
    let mut t = 0;
    while t < TOKEN_STARTS.len() {
        assert!(
            is_stop(TOKEN_STARTS[t][anchor(TOKEN_STARTS[t])]),
            "every token start's anchor is a stop byte"
        );
        t += 1;
    }
};

/// How many bytes [`marks`] compares at once.
const BLOCK: usize = 16;

/// Which bytes of `block` are one of [`STOP_BYTES`], and which are ASCII digits: bit `k` of
/// each mask for byte `k`. The block is compared as one 16-byte vector (SSE2 on x86-64, NEON
/// on ARM, through `wide`).
fn marks(block: [u8; BLOCK]) -> (u32, u32) {
    let block = u8x16::new(block);
    let stops = STOP_BYTES.iter().fold(u8x16::ZERO, |found, b| {
        found | block.simd_eq(u8x16::splat(*b))
    });
    let digits = block.simd_gt(u8x16::splat(b'0' - 1)) & u8x16::splat(b'9' + 1).simd_gt(block);
    (stops.to_bitmask(), digits.to_bitmask())
}

/// For each anchor byte, the bytes that stand `distance` away from it in some
/// [`TOKEN_STARTS`]: before it, or after it for an anchor that is a first byte. (Every anchor
/// is a first byte or has two bytes before it, and every start is three bytes or more.)
const fn neighbours(distance: usize) -> [[bool; 256]; 4] {
    let mut near = [[false; 256]; 4];
    let mut t = 0;
    while t < TOKEN_STARTS.len() {
        let start = TOKEN_STARTS[t];
        let at = anchor(start);
        let neighbour = if at == 0 {
            start[distance]
        } else {
            start[at - distance]
        };
        near[anchor_row(start[at])][neighbour as usize] = true;
        t += 1;
    }
    near
}

/// [`neighbours`] next to each anchor. Most `_` and `-` in text (`html_url`, dates, UUIDs)
/// have another neighbour, and are let go at once.
static NEIGHBOURS: [[bool; 256]; 4] = neighbours(1);

/// [`neighbours`] one further: most anchors whose neighbour passes (`pika-pack`: the `a` of
/// `xoxa-`) are let go here, before any start is compared whole.
static FAR_NEIGHBOURS: [[bool; 256]; 4] = neighbours(2);

/// Whether the byte at `i` is the [`anchor`] of a [`TOKEN_STARTS`] that starts a word there.
fn token_at(bytes: &[u8], i: usize) -> bool {
    let Some(&b) = bytes.get(i) else {
        return false;
    };
    let row = anchor_row(b);
    let away = |distance: usize| {
        if b == b'A' {
            bytes.get(i + distance)
        } else {
            i.checked_sub(distance).and_then(|p| bytes.get(p))
        }
    };
    if !away(1).is_some_and(|n| NEIGHBOURS[row][usize::from(*n)])
        || !away(2).is_some_and(|n| FAR_NEIGHBOURS[row][usize::from(*n)])
    {
        return false;
    }
    ANCHORED[row].iter().any(|&(start, at)| {
        i.checked_sub(at).is_some_and(|from| {
            bytes.get(from..).is_some_and(|rest| rest.starts_with(start))
                // A word start as `(?-u:\b)` sees it: no ASCII word byte before.
                && !from
                    .checked_sub(1)
                    .and_then(|p| bytes.get(p))
                    .is_some_and(|p| p.is_ascii_alphanumeric() || *p == b'_')
        })
    })
}

/// A [`TOKEN_STARTS`] and its [`anchor`].
type Anchored = (&'static [u8], usize);

/// [`TOKEN_STARTS`] by the row of their anchor byte ([`anchor_row`]), each with its
/// [`anchor`]: a `_` is compared only with the starts anchored on a `_`.
static ANCHORED: LazyLock<[Vec<Anchored>; 4]> = LazyLock::new(|| {
    let mut rows: [Vec<Anchored>; 4] = Default::default();
    for (start, at) in TOKEN_STARTS.iter().zip(ANCHORS) {
        if let Some(row) = start.get(at).and_then(|b| rows.get_mut(anchor_row(*b))) {
            row.push((start, at));
        }
    }
    rows
});

/// Applies the stage `f` to `current`; when it changed the text, looks at the new text again
/// so that the stages after it run on what they would have found.
fn step<'a>(current: &mut Cow<'a, str>, look: &mut Look, f: impl FnOnce(&str) -> Cow<'_, str>) {
    let changed = match f(current.as_ref()) {
        Cow::Owned(s) if s.as_str() != current.as_ref() => Some(s),
        _ => None,
    };
    if let Some(s) = changed {
        *look = Look::of(s.as_bytes());
        *current = Cow::Owned(s);
    }
}

/// Applies `f` to `current`, keeping it borrowed when `f` changed nothing (a regex
/// replacement answers a new string for every match, even one that masks a masked value).
fn own<'a>(current: Cow<'a, str>, f: impl FnOnce(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    let changed = match f(&current) {
        Cow::Owned(s) if s != *current => Some(s),
        _ => None,
    };
    changed.map_or(current, Cow::Owned)
}

/// Masks the value after every assignment of a secret name: each `:`, `=` or `=>` is looked
/// at once, and the name before it (with an optional closing quote and blanks) decides.
fn mask_assignments(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(found) = bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|b| *b == b':' || *b == b'='))
    {
        let sep = pos + found;
        pos = sep + 1;
        if sep < copied || !secret_name_before(bytes, sep) {
            continue;
        }
        // The separator, `=>` as one, then blanks.
        let mut start = sep + 1;
        if bytes.get(sep) == Some(&b'=') && bytes.get(start) == Some(&b'>') {
            start += 1;
        }
        while matches!(bytes.get(start), Some(b' ' | b'\t')) {
            start += 1;
        }
        let rest = text.get(start..).unwrap_or_default();
        let (from, to) = value_span(rest);
        let (from, to) = (start + from, start + to);
        let Some(value) = text.get(from..to) else {
            continue;
        };
        let masked = mask_secret(value);
        if masked == value || is_placeholder(value) {
            continue;
        }
        out.push_str(text.get(copied..from).unwrap_or_default());
        out.push_str(&masked);
        copied = to;
        pos = to.max(pos);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// Whether the word before the separator at `sep` (blanks and one closing quote skipped) is a
/// secret name: it ends with one of [`super::ENDINGS`] or [`TEXT_ENDINGS`] (a plural too), or
/// is one of [`WORDS`]; `_`, `-` and `.` inside it are ignored, and case too.
fn secret_name_before(bytes: &[u8], sep: usize) -> bool {
    let mut end = sep;
    while end > 0 && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
        end -= 1;
    }
    if end > 0 && matches!(bytes.get(end - 1), Some(b'"' | b'\'')) {
        end -= 1;
    }
    // Most `:` in bodies end a URL's scheme: `https` and `http` alone are no secret names
    // (the plural `s` would otherwise have `https` read in full).
    let head = bytes.get(..end).unwrap_or_default();
    for scheme in [&b"https"[..], b"http"] {
        if head.strip_suffix(scheme).is_some_and(|before| {
            !before
                .last()
                .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        }) {
            return false;
        }
    }
    // A first look at the name's last byte (`_`, `-` and `.` aside): only a name that ends as
    // one of the names does, or in `s` (a plural), is read.
    let (endings, words) = &*TEXT_NAMES;
    let last = bytes
        .get(..end)
        .unwrap_or_default()
        .iter()
        .rev()
        .find(|b| !matches!(b, b'_' | b'-' | b'.'))
        .map(u8::to_ascii_lowercase);
    if !last.is_some_and(|b| b == b's' || endings.ends_in(b) || words.ends_in(b)) {
        return false;
    }
    let mut start = end;
    while start > 0
        && bytes
            .get(start - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        start -= 1;
    }
    if start == end || end - start > NAME_MAX {
        return false;
    }
    // The name lowercased without `_`, `-` and `.`, on the stack: this runs for every `:` and
    // `=` of every string.
    let mut buffer = [0u8; NAME_MAX];
    let mut len = 0;
    for b in bytes.get(start..end).unwrap_or_default() {
        if !matches!(b, b'_' | b'-' | b'.')
            && let Some(slot) = buffer.get_mut(len)
        {
            *slot = b.to_ascii_lowercase();
            len += 1;
        }
    }
    let name = buffer.get(..len).unwrap_or_default();
    let singular = name.strip_suffix(b"s").unwrap_or(name);
    endings.ending(name).is_some()
        || endings.ending(singular).is_some()
        || words.equal(name).is_some()
}

/// [`super::ENDINGS`] and [`TEXT_ENDINGS`], and [`WORDS`], grouped by last byte: the name
/// before each `:` and `=` of every string is compared only with those ending as it does.
static TEXT_NAMES: LazyLock<(ByLast<()>, ByLast<()>)> = LazyLock::new(|| {
    let endings: Vec<(&'static str, ())> = super::ENDINGS
        .iter()
        .map(|(stem, _)| *stem)
        .chain(TEXT_ENDINGS.iter().copied())
        .map(|stem| (stem, ()))
        .collect();
    let words: Vec<(&'static str, ())> = WORDS.iter().map(|word| (*word, ())).collect();
    (ByLast::new(&endings), ByLast::new(&words))
});

/// The longest name [`secret_name_before`] reads (bytes, before `_`, `-` and `.` are dropped).
const NAME_MAX: usize = 64;

/// Values that say there is no secret (`MAIL_PASSWORD=null`).
fn is_placeholder(value: &str) -> bool {
    ["null", "true", "false", "none", "nil", "undefined"]
        .iter()
        .any(|p| value.eq_ignore_ascii_case(p))
}

/// Where the assigned value in `rest` starts and ends (byte offsets): inside its quotes, a
/// whole bracketed list or object, or a bare word.
fn value_span(rest: &str) -> (usize, usize) {
    let bytes = rest.as_bytes();
    match bytes.first() {
        Some(q @ (b'"' | b'\'')) => {
            let mut i = 1;
            while i < bytes.len() {
                match bytes.get(i) {
                    Some(b'\\') => i += 2,
                    Some(c) if c == q => return (1, i),
                    _ => i += 1,
                }
            }
            (1, bytes.len())
        }
        Some(b'[' | b'{') => {
            // The whole bracketed value, brackets balanced outside quotes.
            let mut depth = 0usize;
            let mut quote: Option<u8> = None;
            let mut i = 0;
            while i < bytes.len() {
                let c = bytes.get(i).copied().unwrap_or_default();
                match (quote, c) {
                    (Some(_), b'\\') => i += 1,
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(c),
                    (None, b'[' | b'{') => depth += 1,
                    (None, b']' | b'}') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return (0, i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            (0, bytes.len())
        }
        _ => {
            let end = rest
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | ';' | '&' | '"' | '\'' | '}' | ']' | '<')
                })
                .unwrap_or(rest.len());
            (0, end)
        }
    }
}

/// Masks every run of 13–19 digits (optionally grouped by single spaces or dashes) that passes
/// the Luhn check, as card numbers do. Every such window is masked, overlapping ones merged:
/// masking a little too much is better than missing a card number.
pub fn mask_card_numbers(text: &str) -> Cow<'_, str> {
    if !may_hold_card(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    // Maximal runs of digits, as (start, end) char positions.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    // A number inside a word (`0x5290…`, `id4111…`) is not a card number.
    let in_word = |i: Option<&char>| i.is_some_and(|c| c.is_alphanumeric() || *c == '_');
    let mut marked = vec![false; chars.len()];
    for (x, first) in groups.iter().enumerate() {
        if first.0 > 0 && in_word(chars.get(first.0 - 1)) {
            continue;
        }
        let mut digits: Vec<u32> = Vec::new();
        let mut prev: Option<(usize, usize)> = None;
        for group in groups.iter().skip(x) {
            // Groups continue a number only across one space or dash.
            if let Some(p) = prev
                && !(group.0 == p.1 + 1 && matches!(chars.get(p.1), Some(' ' | '-')))
            {
                break;
            }
            digits.extend(
                chars
                    .get(group.0..group.1)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|c| c.to_digit(10)),
            );
            if digits.len() > 19 {
                break;
            }
            if digits.len() >= 13
                && luhn(&digits)
                && !in_word(chars.get(group.1))
                && plausible_card(&digits)
            {
                for m in marked.get_mut(first.0..group.1).unwrap_or_default() {
                    *m = true;
                }
            }
            prev = Some(*group);
        }
    }
    if !marked.contains(&true) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut span = String::new();
    for (c, m) in chars.iter().zip(&marked) {
        if *m {
            span.push(*c);
        } else {
            if !span.is_empty() {
                out.push_str(&mask_secret(&span));
                span.clear();
            }
            out.push(*c);
        }
    }
    out.push_str(&mask_secret(&span));
    Cow::Owned(out)
}

/// Whether some chain of digit runs joined by single spaces or dashes holds 13 digits or more,
/// as any card number [`mask_card_numbers`] masks does: a byte pass that spares the character
/// scan to most strings with many digits (ISO timestamps, ids).
fn may_hold_card(bytes: &[u8]) -> bool {
    let digit = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
    let mut chain = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            chain += 1;
            if chain >= 13 {
                return true;
            }
        } else if !(matches!(b, b' ' | b'-') && digit(i.checked_sub(1)) && digit(Some(i + 1))) {
            chain = 0;
        }
    }
    false
}

/// Payment cards start with 2–6 (the issuer's industry: Mastercard 2 and 5, Amex, Diners and
/// JCB 3, Visa 4, Discover, Maestro and UnionPay 6) and are not one digit repeated, as the
/// zero UUID's digits are. Millisecond timestamps (13 digits starting with 1 until 2286) are
/// no cards; airline (1) and fuel (7) cards are let go for that.
fn plausible_card(digits: &[u32]) -> bool {
    digits.first().is_some_and(|d| (2..=6).contains(d))
        && digits.iter().any(|d| Some(d) != digits.first())
}

/// The Luhn checksum card numbers carry.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    /// [`super::marks`] marks a byte as a stop where, and only where, it is one of
    /// [`super::STOP_BYTES`], and as a digit where it is an ASCII digit: every byte value at
    /// every place of a block.
    #[test]
    fn a_block_marks_exactly_its_stop_bytes_and_digits() {
        for b in 0..=255u8 {
            for k in 0..super::BLOCK {
                let mut block = [b' '; super::BLOCK];
                if let Some(slot) = block.get_mut(k) {
                    *slot = b;
                }
                let expected = (
                    u32::from(super::STOP_BYTES.contains(&b)) << k,
                    u32::from(b.is_ascii_digit()) << k,
                );
                assert_eq!(super::marks(block), expected, "byte {b} at {k}");
            }
        }
    }
}
