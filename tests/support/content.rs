//! The shipped content, loaded once per test process, and small drivers for the conversation core.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use helpline::content::Content;
use helpline::conversation::{Input, Reply};

/// The content under test: the shipped tree, or `HELPLINE_CONTENT_DIR` when a flow author points
/// the suite at a work in progress.
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        std::env::var_os("HELPLINE_CONTENT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
    })
}

pub fn shipped() -> &'static Content {
    static CONTENT: OnceLock<Content> = OnceLock::new();
    CONTENT.get_or_init(|| match Content::load(root()) {
        Ok(c) => c,
        Err(e) => panic!("shipped content does not load:\n{e}"),
    })
}

/// A copy of the shipped `flows/` and `locales/` in a temporary folder, to break on purpose.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn copy_shipped() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["flows", "locales"] {
            copy_dir(&root().join(sub), &dir.path().join(sub));
        }
        Fixture { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("fixture file")
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write fixture");
    }

    /// Replaces the first occurrence of `from` in a file, failing loudly if it is not there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

pub fn button(data: &str) -> Input {
    Input::Button(data.to_owned())
}

/// All callback data of a reply's buttons.
pub fn buttons(reply: &Reply) -> Vec<&str> {
    reply
        .messages
        .iter()
        .flat_map(|m| m.buttons.iter().flatten().map(|b| b.data.as_str()))
        .collect()
}

pub fn text(reply: &Reply) -> String {
    reply
        .messages
        .iter()
        .map(|m| m.text.as_str())
        .collect::<Vec<_>>()
        .join("\n---\n")
}
