//! Everything the conversations say and do, loaded once at start: flows, country data, the
//! discretion blocklist and the messages of every locale. Loading runs the full `helpline check`;
//! content with any fault is refused, so a broken file never reaches a woman.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::discretion::Blocklist;
use crate::domain::{CountryCode, Id};
use crate::flows::{Country, Flow, Problem};
use crate::i18n::Localizer;

pub const COUNTRIES_FILE: &str = "countries.toml";
pub const DISCRETION_FILE: &str = "discretion.toml";

/// The flows the engine enters by itself; `helpline check` insists they exist.
pub const REQUIRED_FLOWS: [&str; 9] = [
    "onboarding",
    "menu",
    "check",
    "plan",
    "sos",
    "help",
    "services",
    "talk",
    "language",
];

/// Flows that show on top of wherever she is, without moving her out of it.
pub const OVERLAY_FLOWS: [&str; 2] = ["sos", "help"];

pub struct Content {
    pub flows: Vec<Flow>,
    flow_index: HashMap<Id, usize>,
    pub countries: Vec<Country>,
    pub localizer: Localizer,
    pub blocklist: Blocklist,
}

/// The content failed its checks; every problem is listed.
#[derive(Debug)]
pub struct ContentError(pub Vec<Problem>);

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentError {}

impl Content {
    /// Loads `root/flows` and `root/locales` and runs every check. Any problem refuses the load.
    pub fn load(root: &Path) -> Result<Content, ContentError> {
        let report = crate::check::check(root);
        match report.content {
            Some(content) if report.problems.is_empty() => Ok(content),
            _ => Err(ContentError(report.problems)),
        }
    }

    /// Where the shipped content is: `HELPLINE_CONTENT_DIR`, else the working directory when it
    /// holds `flows/`, else the source tree this binary was built from.
    pub fn default_root() -> PathBuf {
        if let Some(dir) = std::env::var_os("HELPLINE_CONTENT_DIR") {
            return PathBuf::from(dir);
        }
        if Path::new("flows").is_dir() && Path::new("locales").is_dir() {
            return PathBuf::from(".");
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    pub(crate) fn assemble(
        flows: Vec<Flow>,
        countries: Vec<Country>,
        localizer: Localizer,
        blocklist: Blocklist,
    ) -> Content {
        let flow_index = flows
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.clone(), i))
            .collect();
        Content {
            flows,
            flow_index,
            countries,
            localizer,
            blocklist,
        }
    }

    pub fn flow_index(&self, id: &str) -> Option<usize> {
        Id::parse(id)
            .ok()
            .and_then(|id| self.flow_index.get(&id).copied())
    }

    pub fn country(&self, code: CountryCode) -> Option<&Country> {
        self.countries.iter().find(|c| c.code == code)
    }
}
