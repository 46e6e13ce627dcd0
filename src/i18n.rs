//! Fluent messages for every locale, behind a small localizer.
//!
//! Messages live in `locales/<code>/*.ftl`. Loading is strict: a syntax error or a duplicate id in
//! any file stops start-up with `file:line: problem`, because a half-loaded locale would show a
//! woman raw ids. At run time [`Localizer::text`] never fails: it walks the locale's fallback chain
//! and, as a last resort, says something neutral rather than an internal id.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use thiserror::Error;

use crate::domain::Locale;

#[derive(Debug, Error)]
pub enum I18nError {
    #[error("{file}:{line}: {problem}")]
    Load {
        file: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("message {id} is missing in locale {locale}")]
    Missing { locale: Locale, id: String },
    #[error("message {id} in locale {locale} failed to format: {problem}")]
    Format {
        locale: Locale,
        id: String,
        problem: String,
    },
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// Arguments for a message: a small ordered list, cheap to build on the hot path.
#[derive(Default, Clone, Debug)]
pub struct Args(Vec<(Cow<'static, str>, Arg)>);

#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl Args {
    pub fn new() -> Args {
        Args::default()
    }

    pub fn text(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Args {
        self.0.push((name.into(), Arg::Text(value.into())));
        self
    }

    pub fn number(mut self, name: impl Into<Cow<'static, str>>, value: i64) -> Args {
        self.0.push((name.into(), Arg::Number(value)));
        self
    }

    fn to_fluent(&self) -> FluentArgs<'_> {
        let mut out = FluentArgs::with_capacity(self.0.len());
        for (name, value) in &self.0 {
            match value {
                Arg::Text(t) => out.set(name.as_ref(), FluentValue::from(t.as_str())),
                Arg::Number(n) => out.set(name.as_ref(), FluentValue::from(*n)),
            }
        }
        out
    }
}

/// Every loaded locale's bundle. Cheap to share: wrap it in an `Arc` once at start.
pub struct Localizer {
    bundles: BTreeMap<Locale, FluentBundle<FluentResource>>,
}

impl Localizer {
    /// Loads `dir/<code>/*.ftl` for every locale in [`Locale::ALL`]. A missing folder is an error:
    /// the helpline promises every language it lists.
    pub fn load(dir: &Path) -> Result<Localizer, I18nError> {
        let mut bundles = BTreeMap::new();
        for locale in Locale::ALL {
            let mut bundle = FluentBundle::new_concurrent(vec![locale_id(locale)]);
            bundle.set_use_isolating(false);
            for (file, text) in read_locale_files(dir, locale)? {
                let resource = FluentResource::try_new(text.clone()).map_err(|(_, errors)| {
                    let first = &errors[0];
                    I18nError::Load {
                        file: file.clone(),
                        line: line_of(&text, first.pos.start),
                        problem: format!("Fluent syntax error: {}", first.kind),
                    }
                })?;
                bundle.add_resource(resource).map_err(|errors| {
                    let problem = errors
                        .first()
                        .map(|e| format!("{e}"))
                        .unwrap_or_else(|| "duplicate message".into());
                    I18nError::Load {
                        file: file.clone(),
                        line: 1,
                        problem,
                    }
                })?;
            }
            bundles.insert(locale, bundle);
        }
        Ok(Localizer { bundles })
    }

    /// The message in `locale`, or along its fallback chain. Never an error and never a raw id:
    /// a woman in distress must not read `check-phys-1`. Failures are logged by id only.
    pub fn text(&self, locale: Locale, id: &str, args: &Args) -> String {
        for candidate in locale.fallbacks() {
            match self.try_text(*candidate, id, args) {
                Ok(text) => return text,
                Err(err) => tracing::warn!(%err, "message fallback"),
            }
        }
        "…".to_owned()
    }

    /// The message in exactly this locale, with every Fluent error surfaced. Used by the checks
    /// and the tests that walk every flow.
    pub fn try_text(&self, locale: Locale, id: &str, args: &Args) -> Result<String, I18nError> {
        let missing = || I18nError::Missing {
            locale,
            id: id.to_owned(),
        };
        let bundle = self.bundles.get(&locale).ok_or_else(missing)?;
        let message = bundle.get_message(id).ok_or_else(missing)?;
        let pattern = message.value().ok_or_else(missing)?;
        let mut errors = Vec::new();
        let fluent_args = args.to_fluent();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if let Some(first) = errors.first() {
            return Err(I18nError::Format {
                locale,
                id: id.to_owned(),
                problem: first.to_string(),
            });
        }
        Ok(text.into_owned())
    }

    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.bundles.get(&locale).is_some_and(|b| b.has_message(id))
    }
}

pub(crate) fn locale_id(locale: Locale) -> unic_langid::LanguageIdentifier {
    // Serbian is written in Latin script here; the plural rules are the same for both scripts.
    locale
        .code()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default())
}

/// The `.ftl` files of one locale, sorted by name so ids collide the same way every time.
pub(crate) fn read_locale_files(
    dir: &Path,
    locale: Locale,
) -> Result<Vec<(PathBuf, String)>, I18nError> {
    let folder = dir.join(locale.code());
    let entries = std::fs::read_dir(&folder)
        .with_context(|| format!("while reading locale folder {}", folder.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("while listing {}", folder.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "ftl") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("while reading {}", path.display()))?;
            Ok((path, text))
        })
        .collect()
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
