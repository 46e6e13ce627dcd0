//! Lock-screen discretion: no message may carry a blocklisted word in its first characters,
//! because that is what a notification preview shows to whoever holds her phone.
//!
//! The blocklist lives in `flows/discretion.toml`, per locale, as word stems: `violen` matches
//! "violence" and "violent" at the start of any word, in any case. Stems of every locale are
//! checked against every message, since women mix languages.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::Locale;
use crate::flows::{Problem, Source};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscretionFile {
    preview_chars: usize,
    words: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Blocklist {
    pub preview_chars: usize,
    stems: Vec<String>,
}

impl Blocklist {
    pub fn parse(source: &Source) -> Result<Blocklist, Problem> {
        let file: DiscretionFile = source.parse()?;
        let mut stems = Vec::new();
        for (code, words) in &file.words {
            if Locale::parse(code).is_err() {
                return Err(source.problem(0, format!("unknown locale {code:?} in [words]")));
            }
            stems.extend(words.iter().map(|w| w.to_lowercase()));
        }
        if file.preview_chars == 0 {
            return Err(source.problem(0, "preview_chars must be at least 1"));
        }
        Ok(Blocklist {
            preview_chars: file.preview_chars,
            stems,
        })
    }

    /// The first blocklisted stem that starts a word within the preview of `text`.
    pub fn first_hit(&self, text: &str) -> Option<&str> {
        let preview: String = text
            .chars()
            .take(self.preview_chars)
            .collect::<String>()
            .to_lowercase();
        let words: Vec<&str> = preview
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        self.stems
            .iter()
            .find(|stem| words.iter().any(|w| w.starts_with(stem.as_str())))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Blocklist {
        Blocklist {
            preview_chars: 20,
            stems: vec!["violen".into(), "наркот".into()],
        }
    }

    #[test]
    fn stems_match_word_starts_in_any_case() {
        assert_eq!(list().first_hit("Violence is not ok"), Some("violen"));
        assert_eq!(list().first_hit("Про НАРКОТИКИ"), Some("наркот"));
        assert_eq!(list().first_hit("nonviolent words"), None);
    }

    #[test]
    fn only_the_preview_counts() {
        assert_eq!(
            list().first_hit("A long and calm opening, then violence"),
            None
        );
    }
}
