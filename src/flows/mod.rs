//! Conversations as data: `flows/*.toml` are read, checked and compiled into [`Flow`]s whose steps
//! point at each other by index, so the engine never looks up a string on the hot path.
//!
//! Compilation reports every fault it finds as a [`Problem`] with `file:line`, rather than stopping
//! at the first, so a flow author fixes a whole file in one go.

pub mod country;
pub mod schema;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::domain::{Form, Id, PlanItem, RedFlag};
use crate::i18n::line_of;
pub use country::{Country, Line, LineKind};
pub use schema::{Action, Feature, StepKind};

/// One fault in the shipped content, printed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A source file held with its text, so spans can become line numbers.
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    pub fn problem(&self, offset: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: self.path.clone(),
            line: line_of(&self.text, offset),
            message: message.into(),
        }
    }

    pub fn at<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> Problem {
        self.problem(spanned.span().start, message)
    }

    /// Notes that this file refers to a message id, for the locale checks.
    pub fn message_ref(&self, id: &Spanned<String>) -> MessageRef {
        MessageRef {
            id: id.get_ref().clone(),
            file: self.path.clone(),
            line: line_of(&self.text, id.span().start),
        }
    }

    /// Parses the file as TOML into `T`, turning a syntax error or an unknown field into a problem.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        toml::from_str(&self.text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            self.problem(offset, e.message().trim().to_owned())
        })
    }
}

/// The longest callback data Telegram accepts.
pub const CALLBACK_LIMIT: usize = 64;

#[derive(Debug)]
pub struct Flow {
    pub id: Id,
    pub start: usize,
    pub steps: Vec<Step>,
    index: HashMap<Id, usize>,
}

impl Flow {
    pub fn step_index(&self, id: &str) -> Option<usize> {
        Id::parse(id)
            .ok()
            .and_then(|id| self.index.get(&id).copied())
    }
}

#[derive(Debug)]
pub struct Step {
    pub id: Id,
    pub kind: StepKind,
    pub prompt: String,
    pub choices: Vec<Choice>,
    pub next: Option<usize>,
    pub form: Option<Form>,
    pub red_flag: Option<RedFlag>,
    pub item: Option<PlanItem>,
    pub only_if: Option<Feature>,
    pub harm_reduction: bool,
    pub skip_if_set: bool,
    pub last: bool,
}

impl Step {
    /// Whether the engine ever follows `next` from this step: questions, plan items, pickers,
    /// and info steps without choices of their own (they get a "next" button).
    pub fn uses_next(&self) -> bool {
        match self.kind {
            StepKind::Question | StepKind::Plan | StepKind::Language | StepKind::Country => true,
            StepKind::Info => self.choices.is_empty(),
            StepKind::Sos | StepKind::CheckResult | StepKind::PlanResult => false,
        }
    }
}

#[derive(Debug)]
pub struct Choice {
    pub id: Id,
    pub label: String,
    pub next: Option<usize>,
    pub flow: Option<usize>,
    pub action: Option<Action>,
}

/// The ids the engine generates itself for built-in step kinds; the longest decides whether a
/// step's callback data fits.
pub fn generated_choice_ids(kind: StepKind) -> &'static [&'static str] {
    match kind {
        StepKind::Question => &["yes", "no", "skip"],
        StepKind::Plan => &["have", "todo", "skip"],
        StepKind::Language => &["en", "uk", "ru", "kk", "sr", "mk", "sq"],
        StepKind::Country | StepKind::Sos => &["ua", "other"],
        StepKind::Info => &["next"],
        StepKind::CheckResult | StepKind::PlanResult => &[],
    }
}

/// Where a reference appears, for messages about it.
pub struct MessageRef {
    pub id: String,
    pub file: PathBuf,
    pub line: usize,
}

/// The outcome of compiling flow files: the flows that compiled, every problem found, and every
/// message id the flows mention (for the locale checks).
pub struct CompiledFlows {
    pub flows: Vec<Flow>,
    pub problems: Vec<Problem>,
    pub messages: Vec<MessageRef>,
}

/// Reads every `*.toml` in `dir` except the data files named in `skip`.
pub fn read_sources(dir: &Path, skip: &[&str]) -> Result<Vec<Source>, Problem> {
    let read_error = |e: std::io::Error| Problem {
        file: dir.to_path_buf(),
        line: 1,
        message: format!("cannot read: {e}"),
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_error)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| !skip.contains(&n))
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|e| Problem {
                file: path.clone(),
                line: 1,
                message: format!("cannot read: {e}"),
            })?;
            Ok(Source { path, text })
        })
        .collect()
}

pub fn compile_flows(sources: &[Source]) -> CompiledFlows {
    let mut problems = Vec::new();
    let mut messages = Vec::new();
    let mut parsed = Vec::new();
    for source in sources {
        match source.parse::<schema::FlowFile>() {
            Ok(file) => parsed.push((source, file)),
            Err(p) => problems.push(p),
        }
    }

    // Flow ids first, so choices can point at any flow.
    let mut flow_index: HashMap<Id, usize> = HashMap::new();
    for (source, file) in &parsed {
        let id = file.id.get_ref().clone();
        if flow_index.contains_key(&id) {
            problems.push(source.at(&file.id, format!("flow id {id} is used twice")));
        } else {
            flow_index.insert(id, flow_index.len());
        }
    }

    let mut flows = Vec::new();
    for (source, file) in &parsed {
        if flow_index.get(file.id.get_ref()) != Some(&flows.len()) {
            continue;
        }
        let flow = compile_flow(source, file, &flow_index, &mut problems, &mut messages);
        flows.push(flow);
    }
    CompiledFlows {
        flows,
        problems,
        messages,
    }
}

fn compile_flow(
    source: &Source,
    file: &schema::FlowFile,
    flow_index: &HashMap<Id, usize>,
    problems: &mut Vec<Problem>,
    messages: &mut Vec<MessageRef>,
) -> Flow {
    let flow_id = file.id.get_ref().clone();
    let mut index = HashMap::new();
    for (i, step) in file.steps.iter().enumerate() {
        if index.insert(step.id.get_ref().clone(), i).is_some() {
            problems.push(source.at(
                &step.id,
                format!("step id {} is used twice", step.id.get_ref()),
            ));
        }
    }
    if file.steps.is_empty() {
        problems.push(source.at(&file.id, format!("flow {flow_id} has no steps")));
    }

    let mut message = |s: &Spanned<String>| {
        messages.push(source.message_ref(s));
        s.get_ref().clone()
    };
    let resolve = |target: &Spanned<Id>, problems: &mut Vec<Problem>| -> Option<usize> {
        let found = index.get(target.get_ref()).copied();
        if found.is_none() {
            problems.push(source.at(
                target,
                format!(
                    "next step {} does not exist in flow {flow_id}",
                    target.get_ref()
                ),
            ));
        }
        found
    };

    let mut steps = Vec::new();
    for (i, def) in file.steps.iter().enumerate() {
        let next = match &def.next {
            Some(target) => resolve(target, problems),
            None if !def.last && i + 1 < file.steps.len() => Some(i + 1),
            None => None,
        };
        let mut choices = Vec::new();
        for c in &def.choices {
            let flow = c.flow.as_ref().and_then(|f| {
                let found = flow_index.get(f.get_ref()).copied();
                if found.is_none() {
                    problems.push(source.at(f, format!("flow {} does not exist", f.get_ref())));
                }
                found
            });
            let choice_next = c.next.as_ref().and_then(|n| resolve(n, problems));
            if c.next.is_none() && c.flow.is_none() && c.action.is_none() {
                problems.push(source.at(
                    &c.id,
                    format!(
                        "choice {} leads nowhere: give it next, flow or action",
                        c.id.get_ref()
                    ),
                ));
            }
            check_callback(
                source,
                &flow_id,
                def,
                c.id.get_ref().as_str(),
                &c.id,
                problems,
            );
            choices.push(Choice {
                id: c.id.get_ref().clone(),
                label: message(&c.label),
                next: choice_next,
                flow,
                action: c.action,
            });
        }
        for generated in generated_choice_ids(def.kind) {
            check_callback(source, &flow_id, def, generated, &def.id, problems);
        }
        check_step_rules(source, def, next, problems);
        steps.push(Step {
            id: def.id.get_ref().clone(),
            kind: def.kind,
            prompt: message(&def.prompt),
            choices,
            next,
            form: def.form,
            red_flag: def.red_flag,
            item: def.item,
            only_if: def.only_if,
            harm_reduction: def.harm_reduction,
            skip_if_set: def.skip_if_set,
            last: def.last,
        });
    }

    let start = match &file.start {
        Some(s) => resolve(s, problems).unwrap_or(0),
        None => 0,
    };
    report_unreachable(source, file, &steps, start, problems);
    Flow {
        id: flow_id,
        start,
        steps,
        index,
    }
}

fn check_callback(
    source: &Source,
    flow: &Id,
    step: &schema::StepDef,
    choice: &str,
    at: &Spanned<Id>,
    problems: &mut Vec<Problem>,
) {
    let len = callback_data(flow.as_str(), step.id.get_ref().as_str(), choice).len();
    if len > CALLBACK_LIMIT {
        problems.push(source.at(
            at,
            format!("callback data for choice {choice} would be {len} bytes; Telegram allows {CALLBACK_LIMIT}"),
        ));
    }
}

/// The callback data of a choice: `flow.step.choice`.
pub fn callback_data(flow: &str, step: &str, choice: &str) -> String {
    format!("{flow}.{step}.{choice}")
}

fn check_step_rules(
    source: &Source,
    def: &schema::StepDef,
    next: Option<usize>,
    problems: &mut Vec<Problem>,
) {
    let id = def.id.get_ref();
    let needs_next = matches!(
        def.kind,
        StepKind::Question | StepKind::Plan | StepKind::Language | StepKind::Country
    );
    if needs_next && next.is_none() && !def.last {
        problems.push(source.at(
            &def.id,
            format!("step {id} is a dead end: it needs a next step"),
        ));
    }
    if def.kind == StepKind::Info && def.choices.is_empty() && next.is_none() && !def.last {
        problems.push(source.at(
            &def.id,
            format!("step {id} is a dead end: give it choices, a next step, or mark it last"),
        ));
    }
    if def.kind != StepKind::Question && (def.form.is_some() || def.red_flag.is_some()) {
        problems.push(source.at(
            &def.id,
            format!("step {id}: form and red_flag belong to question steps"),
        ));
    }
    if def.kind == StepKind::Question && def.form.is_none() && def.red_flag.is_none() {
        problems.push(source.at(
            &def.id,
            format!("question {id} records nothing: give it a form or a red_flag"),
        ));
    }
    if (def.kind == StepKind::Plan) != def.item.is_some() {
        problems.push(source.at(
            &def.id,
            format!("step {id}: plan steps, and only they, name an item"),
        ));
    }
}

fn report_unreachable(
    source: &Source,
    file: &schema::FlowFile,
    steps: &[Step],
    start: usize,
    problems: &mut Vec<Problem>,
) {
    let mut seen = BTreeSet::new();
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        if i >= steps.len() || !seen.insert(i) {
            continue;
        }
        if steps[i].uses_next() {
            todo.extend(steps[i].next);
        }
        todo.extend(steps[i].choices.iter().filter_map(|c| c.next));
    }
    for (i, def) in file.steps.iter().enumerate() {
        if !seen.contains(&i) {
            problems.push(source.at(
                &def.id,
                format!(
                    "step {} can never be reached from the start of flow {}",
                    def.id.get_ref(),
                    file.id.get_ref()
                ),
            ));
        }
    }
}

/// Reads and checks the country data file.
pub fn compile_countries(
    source: &Source,
    messages: &mut Vec<MessageRef>,
) -> (Vec<Country>, Vec<Problem>) {
    let mut problems = Vec::new();
    let file: country::CountryFile = match source.parse() {
        Ok(f) => f,
        Err(p) => return (Vec::new(), vec![p]),
    };
    let mut message = |s: &Spanned<String>| {
        messages.push(source.message_ref(s));
        s.get_ref().clone()
    };
    let mut countries: Vec<Country> = Vec::new();
    for def in &file.countries {
        let code = *def.code.get_ref();
        if countries.iter().any(|c| c.code == code) {
            problems.push(source.at(&def.code, format!("country {code} is listed twice")));
            continue;
        }
        if !def.lines.iter().any(|l| l.kind == LineKind::Emergency) {
            problems.push(source.at(&def.code, format!("country {code} has no emergency number")));
        }
        let mut lines = Vec::new();
        for l in &def.lines {
            if l.source.get_ref().trim().len() < 8 {
                problems.push(source.at(
                    &l.source,
                    "source must say where the number was checked (a URL or a citation)",
                ));
            }
            let verified = match NaiveDate::parse_from_str(l.verified.get_ref(), "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    problems
                        .push(source.at(&l.verified, "verified must be a date like 2026-11-29"));
                    NaiveDate::MIN
                }
            };
            lines.push(Line {
                number: l.number.get_ref().clone(),
                kind: l.kind,
                name: message(&l.name),
                hours: message(&l.hours),
                free: l.free,
                notes: l.notes.iter().map(&mut message).collect(),
                source: l.source.get_ref().clone(),
                verified,
            });
        }
        countries.push(Country {
            code,
            name: message(&def.name),
            default_locale: def.default_locale,
            ost_legal: def.ost_legal,
            harm_reduction_note: def.harm_reduction_note.as_ref().map(&mut message),
            lines,
        });
    }
    (countries, problems)
}
