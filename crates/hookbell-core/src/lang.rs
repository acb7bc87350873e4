//! The user's language for the text Hookbell writes itself (titles, summaries,
//! recommendations). Providers' own text is kept in its own language.

use serde::{Deserialize, Serialize};

/// A language Hookbell writes in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// German.
    De,
}

impl Lang {
    /// Reads `en`, `de`, or a locale such as `de_DE.UTF-8`; anything else is `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['_', '-', '.'])
            .next()?
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The text for this language: `en` or `de`.
    pub fn pick<'a>(self, en: &'a str, de: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::De => de,
        }
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }
}

/// What adapters know besides the body when they parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The language of the text Hookbell writes.
    pub lang: Lang,
    /// The message id the delivery's authentication signed (Standard Webhooks' `webhook-id`),
    /// when its scheme signs one ([`crate::Auth::signed_id`]). It is the only header an
    /// adapter may take as an idempotency key: an unsigned id header can be changed by anyone
    /// replaying a signed body.
    pub signed_id: Option<String>,
}

impl Context {
    /// A context in `lang` with no signed message id.
    pub fn in_lang(lang: Lang) -> Context {
        Context {
            lang,
            signed_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn locales_and_codes_are_read() {
        assert_eq!(Lang::parse("de_DE.UTF-8"), Some(Lang::De));
        assert_eq!(Lang::parse("EN-us"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::De.pick("Password", "Passwort"), "Passwort");
    }
}
