//! `helpline check`: every fault in flows, country data, locales and the discretion rule, each as
//! `file:line: problem`. The same check guards start-up ([`Content::load`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use crate::content::{COUNTRIES_FILE, Content, DISCRETION_FILE, REQUIRED_FLOWS};
use crate::conversation::{
    Command, ENGINE_MESSAGES, OPENING_MESSAGES, SERVICES_MESSAGES, SERVICES_OPENING_MESSAGES,
};
use crate::discretion::Blocklist;
use crate::domain::Locale;
use crate::flows::{self, MessageRef, Problem, Source};
use crate::i18n::{Args, Localizer, line_of, read_locale_files};

pub struct Report {
    /// The loaded content, when everything needed to build it parsed.
    pub content: Option<Content>,
    pub problems: Vec<Problem>,
}

/// One message of one locale, as found in its file.
struct Entry_ {
    file: PathBuf,
    line: usize,
    vars: BTreeSet<String>,
}

pub fn check(root: &Path) -> Report {
    let flows_dir = root.join("flows");
    let locales_dir = root.join("locales");
    let mut problems = Vec::new();
    let mut refs: Vec<MessageRef> = Vec::new();

    let compiled = match flows::read_sources(&flows_dir, &[COUNTRIES_FILE, DISCRETION_FILE]) {
        Ok(sources) => {
            let c = flows::compile_flows(&sources);
            problems.extend(c.problems);
            refs.extend(c.messages);
            Some(c.flows)
        }
        Err(p) => {
            problems.push(p);
            None
        }
    };
    if let Some(flows) = &compiled {
        for id in REQUIRED_FLOWS {
            if !flows.iter().any(|f| f.id.as_str() == id) {
                problems.push(Problem {
                    file: flows_dir.clone(),
                    line: 1,
                    message: format!("flow {id} is missing: the engine enters it by itself"),
                });
            }
        }
    }

    let countries = match read_one(&flows_dir.join(COUNTRIES_FILE)) {
        Ok(source) => {
            let (countries, p) = flows::compile_countries(&source, &mut refs);
            problems.extend(p);
            Some(countries)
        }
        Err(p) => {
            problems.push(p);
            None
        }
    };

    let blocklist =
        match read_one(&flows_dir.join(DISCRETION_FILE)).and_then(|s| Blocklist::parse(&s)) {
            Ok(b) => Some(b),
            Err(p) => {
                problems.push(p);
                None
            }
        };

    let required = required_messages(&refs, &locales_dir);
    let entries = check_locales(&locales_dir, &required, &mut problems);

    let localizer = match Localizer::load(&locales_dir) {
        Ok(l) => Some(l),
        Err(e) => {
            // Syntax errors were already reported with their lines by check_locales.
            if problems.is_empty() {
                problems.push(Problem {
                    file: locales_dir.clone(),
                    line: 1,
                    message: e.to_string(),
                });
            }
            None
        }
    };

    if let (Some(localizer), Some(blocklist)) = (&localizer, &blocklist) {
        let mut starters: BTreeSet<String> = OPENING_MESSAGES
            .iter()
            .chain(SERVICES_OPENING_MESSAGES)
            .map(|s| s.to_string())
            .collect();
        if let Some(flows) = &compiled {
            starters.extend(
                flows
                    .iter()
                    .flat_map(|f| f.steps.iter().map(|s| s.prompt.clone())),
            );
        }
        starters.extend(Command::MENU.iter().map(|(_, id)| id.to_string()));
        check_discretion(localizer, blocklist, &starters, &entries, &mut problems);
    }

    let content = match (compiled, countries, localizer, blocklist) {
        (Some(f), Some(c), Some(l), Some(b)) => Some(Content::assemble(f, c, l, b)),
        _ => None,
    };
    Report { content, problems }
}

fn read_one(path: &Path) -> Result<Source, Problem> {
    std::fs::read_to_string(path)
        .map(|text| Source {
            path: path.to_path_buf(),
            text,
        })
        .map_err(|e| Problem {
            file: path.to_path_buf(),
            line: 1,
            message: format!("cannot read: {e}"),
        })
}

/// Every message id something needs, with the place that needs it.
fn required_messages(refs: &[MessageRef], locales_dir: &Path) -> Vec<MessageRef> {
    let engine = locales_dir.join("en");
    let mut out: Vec<MessageRef> = refs
        .iter()
        .map(|r| MessageRef {
            id: r.id.clone(),
            file: r.file.clone(),
            line: r.line,
        })
        .collect();
    let builtin = ENGINE_MESSAGES
        .iter()
        .chain(OPENING_MESSAGES)
        .chain(SERVICES_OPENING_MESSAGES)
        .chain(SERVICES_MESSAGES)
        .map(|s| s.to_string())
        .chain(crate::conversation::derived_messages())
        .chain(
            crate::handoff::HANDOFF_MESSAGES
                .iter()
                .map(|s| s.to_string()),
        )
        .chain(crate::stats::doc::message_ids())
        .chain(Command::MENU.iter().map(|(_, id)| id.to_string()));
    out.extend(builtin.map(|id| MessageRef {
        id,
        file: engine.clone(),
        line: 1,
    }));
    out
}

/// Parses every locale's files, reporting syntax errors, duplicates, messages missing from a
/// locale, messages no other locale knows, and variables that differ from English.
fn check_locales(
    dir: &Path,
    required: &[MessageRef],
    problems: &mut Vec<Problem>,
) -> BTreeMap<Locale, BTreeMap<String, Entry_>> {
    let mut all = BTreeMap::new();
    for locale in Locale::ALL {
        let files = match read_locale_files(dir, locale) {
            Ok(f) => f,
            Err(e) => {
                problems.push(Problem {
                    file: dir.join(locale.code()),
                    line: 1,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let mut entries: BTreeMap<String, Entry_> = BTreeMap::new();
        for (file, text) in &files {
            let resource = match fluent_syntax::parser::parse(text.as_str()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    for e in errors {
                        problems.push(Problem {
                            file: file.clone(),
                            line: line_of(text, e.pos.start),
                            message: format!("Fluent syntax error: {}", e.kind),
                        });
                    }
                    r
                }
            };
            for entry in &resource.body {
                let Entry::Message(m) = entry else { continue };
                let id = m.id.name.to_owned();
                let line = find_line(text, &id);
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                } else {
                    problems.push(Problem {
                        file: file.clone(),
                        line,
                        message: format!("message {id} has no value"),
                    });
                }
                if let Some(first) = entries.get(&id) {
                    problems.push(Problem {
                        file: file.clone(),
                        line,
                        message: format!(
                            "message {id} is defined twice (first at {}:{})",
                            first.file.display(),
                            first.line
                        ),
                    });
                    continue;
                }
                entries.insert(
                    id,
                    Entry_ {
                        file: file.clone(),
                        line,
                        vars,
                    },
                );
            }
        }
        all.insert(locale, entries);
    }

    let Some(en) = all.get(&Locale::En) else {
        return all;
    };
    let mut reported = BTreeSet::new();
    for r in required {
        if !en.contains_key(&r.id) && reported.insert(r.id.clone()) {
            problems.push(Problem {
                file: r.file.clone(),
                line: r.line,
                message: format!("unknown message id {}: not defined in locales/en", r.id),
            });
        }
    }
    for (locale, entries) in &all {
        if *locale == Locale::En {
            continue;
        }
        for (id, reference) in en {
            match entries.get(id) {
                None => problems.push(Problem {
                    file: dir.join(locale.code()).join(file_name(&reference.file)),
                    line: 1,
                    message: format!(
                        "message {id} is missing in locale {locale} (en has it at line {})",
                        reference.line
                    ),
                }),
                Some(e) if e.vars != reference.vars => problems.push(Problem {
                    file: e.file.clone(),
                    line: e.line,
                    message: format!(
                        "message {id} uses variables {{{}}} but en uses {{{}}}",
                        join(&e.vars),
                        join(&reference.vars)
                    ),
                }),
                Some(_) => {}
            }
        }
        for (id, e) in entries {
            if !en.contains_key(id) {
                problems.push(Problem {
                    file: e.file.clone(),
                    line: e.line,
                    message: format!(
                        "unknown message id {id}: locale {locale} has it but en does not"
                    ),
                });
            }
        }
    }
    all
}

fn check_discretion(
    localizer: &Localizer,
    blocklist: &Blocklist,
    starters: &BTreeSet<String>,
    entries: &BTreeMap<Locale, BTreeMap<String, Entry_>>,
    problems: &mut Vec<Problem>,
) {
    for (locale, messages) in entries {
        for id in starters {
            let Some(entry) = messages.get(id) else {
                continue;
            };
            let mut args = Args::new();
            for var in &entry.vars {
                args = args.text(var.clone(), "…");
            }
            let Ok(text) = localizer.try_text(*locale, id, &args) else {
                continue;
            };
            if let Some(word) = blocklist.first_hit(&text) {
                problems.push(Problem {
                    file: entry.file.clone(),
                    line: entry.line,
                    message: format!(
                        "message {id} shows the blocklisted word {word:?} in its first {} characters (lock-screen preview)",
                        blocklist.preview_chars
                    ),
                });
            }
        }
    }
}

fn pattern_vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &p.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, out);
        }
    }
}

fn expression_vars(e: &Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for v in variants {
                pattern_vars(&v.value, out);
            }
        }
        Expression::Inline(i) => inline_vars(i, out),
    }
}

fn inline_vars(i: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match i {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, out),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, out);
            }
            for a in &arguments.named {
                inline_vars(&a.value, out);
            }
        }
        _ => {}
    }
}

fn find_line(text: &str, id: &str) -> usize {
    text.lines()
        .position(|l| {
            l.strip_prefix(id)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
        .unwrap_or(1)
}

fn file_name(path: &Path) -> PathBuf {
    path.file_name().map(PathBuf::from).unwrap_or_default()
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
