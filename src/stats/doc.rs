//! The case-documentation form: after /end, and only if she agreed, the consultant answers three
//! short questions in the case topic — forms of violence, who did it, which services refused her
//! and why. Pure: state, rendering to text and inline buttons (callback data `doc.…`), parsing
//! those callbacks, and the finished [`DocRecord`], which has no id, no name and no date (the
//! quarter is added when it is stored by [`super::Counters::record_doc`]).
//!
//! Wiring (the hand-off side): when a case ends and she consented, create
//! `DocForm::new(country, &forms_she_shared)`, keep it with the case (it serializes; nothing in
//! it is personal), send `form.render(localizer, locale)` into the case topic, and feed each
//! pressed button whose data starts with [`PREFIX`] through [`parse`] and [`DocForm::apply`];
//! edit the message with the new render. [`Step::Saved`] hands back the record to store.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::conversation::{Button, OutMessage};
use crate::directory::model::ServiceType;
use crate::domain::{CountryCode, Form, Locale};
use crate::i18n::{Args, Localizer};

/// Callback data of the form's buttons starts with this.
pub const PREFIX: &str = "doc.";

macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

choice_enum!(
    /// Who committed the violence, as a category only.
    Perpetrator {
        Partner = "partner",
        Family = "family",
        Police = "police",
        Medical = "medical",
        SocialServices = "social",
        Other = "other",
    }
);

choice_enum!(
    /// Why a service turned her away.
    RefusalReason {
        DrugUse = "drug_use",
        Ost = "ost",
        NoDocuments = "no_documents",
        Hiv = "hiv",
        Children = "children",
        Intoxication = "intoxication",
        Other = "other",
    }
);

/// Which question the form is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Forms,
    Perpetrators,
    /// Choosing the kind of service that refused her.
    RefusalService,
    /// Choosing why that service refused her.
    RefusalReason(ServiceType),
    /// Saved: the record was handed back once.
    Saved,
    /// Discarded: nothing is stored.
    Discarded,
}

/// A pressed button of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocAction {
    ToggleForm(Form),
    TogglePerpetrator(Perpetrator),
    RefusedBy(ServiceType),
    RefusedFor(RefusalReason),
    Next,
    Back,
    Save,
    Discard,
}

/// Parses a button's callback data; anything else (forged, stale, another feature's) is `None`.
pub fn parse(data: &str) -> Option<DocAction> {
    let rest = data.strip_prefix(PREFIX)?;
    let (kind, value) = rest.split_once('.').unwrap_or((rest, ""));
    Some(match (kind, value) {
        ("f", v) => DocAction::ToggleForm(*Form::ALL.iter().find(|f| f.as_str() == v)?),
        ("p", v) => DocAction::TogglePerpetrator(Perpetrator::parse(v)?),
        ("s", v) => DocAction::RefusedBy(ServiceType::parse(v)?),
        ("r", v) => DocAction::RefusedFor(RefusalReason::parse(v)?),
        ("next", "") => DocAction::Next,
        ("back", "") => DocAction::Back,
        ("save", "") => DocAction::Save,
        ("discard", "") => DocAction::Discard,
        _ => return None,
    })
}

fn data(action: DocAction) -> String {
    match action {
        DocAction::ToggleForm(f) => format!("{PREFIX}f.{}", f.as_str()),
        DocAction::TogglePerpetrator(p) => format!("{PREFIX}p.{}", p.as_str()),
        DocAction::RefusedBy(s) => format!("{PREFIX}s.{}", s.code()),
        DocAction::RefusedFor(r) => format!("{PREFIX}r.{}", r.as_str()),
        DocAction::Next => format!("{PREFIX}next"),
        DocAction::Back => format!("{PREFIX}back"),
        DocAction::Save => format!("{PREFIX}save"),
        DocAction::Discard => format!("{PREFIX}discard"),
    }
}

/// What a finished form stores: categories only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocRecord {
    pub country: Option<CountryCode>,
    pub forms: BTreeSet<Form>,
    pub perpetrators: BTreeSet<Perpetrator>,
    pub refusals: BTreeSet<(ServiceType, RefusalReason)>,
}

impl DocRecord {
    pub(crate) fn forms_key(&self) -> String {
        join(self.forms.iter().map(|f| f.as_str().to_owned()))
    }

    pub(crate) fn perpetrators_key(&self) -> String {
        join(self.perpetrators.iter().map(|p| p.as_str().to_owned()))
    }

    pub(crate) fn refusals_key(&self) -> String {
        join(
            self.refusals
                .iter()
                .map(|(s, r)| format!("{}:{}", s.code(), r.as_str())),
        )
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

/// The form in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocForm {
    pub country: Option<CountryCode>,
    pub forms: BTreeSet<Form>,
    pub perpetrators: BTreeSet<Perpetrator>,
    pub refusals: BTreeSet<(ServiceType, RefusalReason)>,
    pub step: Step,
}

/// What a press did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Show the form again (edited in place).
    Continue,
    /// Store this record (once); the form now shows that it was saved.
    Saved(DocRecord),
    /// Nothing is stored.
    Discarded,
    /// The press does not fit the form's state (stale, or pressed twice): nothing changed.
    Ignored,
}

impl DocForm {
    /// A new form, with the forms of violence she shared in /check already ticked.
    pub fn new(country: Option<CountryCode>, shared_forms: &[Form]) -> DocForm {
        DocForm {
            country,
            forms: shared_forms.iter().copied().collect(),
            perpetrators: BTreeSet::new(),
            refusals: BTreeSet::new(),
            step: Step::Forms,
        }
    }

    pub fn apply(&mut self, action: DocAction) -> Outcome {
        use DocAction as A;
        match (self.step, action) {
            (Step::Saved | Step::Discarded, _) => Outcome::Ignored,
            (_, A::Discard) => {
                self.step = Step::Discarded;
                Outcome::Discarded
            }
            (_, A::Save) => {
                self.step = Step::Saved;
                Outcome::Saved(DocRecord {
                    country: self.country,
                    forms: self.forms.clone(),
                    perpetrators: self.perpetrators.clone(),
                    refusals: self.refusals.clone(),
                })
            }
            (Step::Forms, A::ToggleForm(f)) => {
                toggle(&mut self.forms, f);
                Outcome::Continue
            }
            (Step::Perpetrators, A::TogglePerpetrator(p)) => {
                toggle(&mut self.perpetrators, p);
                Outcome::Continue
            }
            (Step::RefusalService, A::RefusedBy(s)) => {
                self.step = Step::RefusalReason(s);
                Outcome::Continue
            }
            (Step::RefusalReason(s), A::RefusedFor(r)) => {
                self.refusals.insert((s, r));
                self.step = Step::RefusalService;
                Outcome::Continue
            }
            (Step::Forms, A::Next) => {
                self.step = Step::Perpetrators;
                Outcome::Continue
            }
            (Step::Perpetrators, A::Next) => {
                self.step = Step::RefusalService;
                Outcome::Continue
            }
            (Step::Perpetrators, A::Back) => {
                self.step = Step::Forms;
                Outcome::Continue
            }
            (Step::RefusalService, A::Back) => {
                self.step = Step::Perpetrators;
                Outcome::Continue
            }
            (Step::RefusalReason(_), A::Back) => {
                self.step = Step::RefusalService;
                Outcome::Continue
            }
            _ => Outcome::Ignored,
        }
    }

    /// The form as one message for the case topic.
    pub fn render(&self, localizer: &Localizer, locale: Locale) -> OutMessage {
        let t = |id: &str| localizer.text(locale, id, &Args::new());
        let button = |label: String, action: DocAction| Button {
            label,
            data: data(action),
        };
        let tick = |on: bool, label: String| {
            if on { format!("✓ {label}") } else { label }
        };
        let mut text = vec![t("doc-title")];
        let mut rows: Vec<Vec<Button>> = Vec::new();
        let summary = |ids: Vec<String>| {
            if ids.is_empty() {
                t("doc-none")
            } else {
                ids.iter().map(|id| t(id)).collect::<Vec<_>>().join(", ")
            }
        };
        let forms = summary(
            self.forms
                .iter()
                .map(|f| format!("doc-form-{}", f.as_str()))
                .collect(),
        );
        let perpetrators = summary(
            self.perpetrators
                .iter()
                .map(|p| format!("doc-perp-{}", p.as_str()))
                .collect(),
        );
        let refusals = if self.refusals.is_empty() {
            t("doc-none")
        } else {
            self.refusals
                .iter()
                .map(|(s, r)| {
                    format!(
                        "{} ({})",
                        t(&format!("doc-service-{}", s.code())),
                        t(&format!("doc-reason-{}", r.as_str()))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        text.push(format!(
            "{}: {forms}\n{}: {perpetrators}\n{}: {refusals}",
            t("doc-forms-short"),
            t("doc-perps-short"),
            t("doc-refusals-short")
        ));
        let nav = |back: bool| {
            let mut row = Vec::new();
            if back {
                row.push(button(t("doc-back"), DocAction::Back));
            }
            row.push(button(t("doc-next"), DocAction::Next));
            row
        };
        match self.step {
            Step::Forms => {
                text.push(t("doc-ask-forms"));
                for pair in Form::ALL.chunks(2) {
                    rows.push(
                        pair.iter()
                            .map(|f| {
                                let label = tick(
                                    self.forms.contains(f),
                                    t(&format!("doc-form-{}", f.as_str())),
                                );
                                button(label, DocAction::ToggleForm(*f))
                            })
                            .collect(),
                    );
                }
                rows.push(nav(false));
            }
            Step::Perpetrators => {
                text.push(t("doc-ask-perps"));
                for pair in Perpetrator::ALL.chunks(2) {
                    rows.push(
                        pair.iter()
                            .map(|p| {
                                let label = tick(
                                    self.perpetrators.contains(p),
                                    t(&format!("doc-perp-{}", p.as_str())),
                                );
                                button(label, DocAction::TogglePerpetrator(*p))
                            })
                            .collect(),
                    );
                }
                rows.push(nav(true));
            }
            Step::RefusalService => {
                text.push(t("doc-ask-refused"));
                for pair in ServiceType::ALL.chunks(2) {
                    rows.push(
                        pair.iter()
                            .map(|s| {
                                let label = t(&format!("doc-service-{}", s.code()));
                                button(label, DocAction::RefusedBy(*s))
                            })
                            .collect(),
                    );
                }
                rows.push(vec![button(t("doc-back"), DocAction::Back)]);
            }
            Step::RefusalReason(s) => {
                text.push(format!(
                    "{} — {}",
                    t(&format!("doc-service-{}", s.code())),
                    t("doc-ask-reason")
                ));
                for pair in RefusalReason::ALL.chunks(2) {
                    rows.push(
                        pair.iter()
                            .map(|r| {
                                let label = t(&format!("doc-reason-{}", r.as_str()));
                                button(label, DocAction::RefusedFor(*r))
                            })
                            .collect(),
                    );
                }
                rows.push(vec![button(t("doc-back"), DocAction::Back)]);
            }
            Step::Saved => {
                text.push(t("doc-saved"));
                return OutMessage {
                    text: text.join("\n\n"),
                    buttons: Vec::new(),
                    protect: false,
                    keyboard: None,
                };
            }
            Step::Discarded => {
                return OutMessage {
                    text: t("doc-discarded"),
                    buttons: Vec::new(),
                    protect: false,
                    keyboard: None,
                };
            }
        }
        rows.push(vec![
            button(t("doc-save"), DocAction::Save),
            button(t("doc-discard"), DocAction::Discard),
        ]);
        OutMessage {
            text: text.join("\n\n"),
            buttons: rows,
            protect: false,
            keyboard: None,
        }
    }
}

fn toggle<T: Ord>(set: &mut BTreeSet<T>, value: T) {
    if !set.remove(&value) {
        set.insert(value);
    }
}

/// Every message id the form uses, for `helpline check` and the locale tests.
pub fn message_ids() -> Vec<String> {
    let fixed = [
        "doc-title",
        "doc-none",
        "doc-forms-short",
        "doc-perps-short",
        "doc-refusals-short",
        "doc-ask-forms",
        "doc-ask-perps",
        "doc-ask-refused",
        "doc-ask-reason",
        "doc-back",
        "doc-next",
        "doc-save",
        "doc-discard",
        "doc-saved",
        "doc-discarded",
    ]
    .map(str::to_owned);
    let forms = Form::ALL.iter().map(|f| format!("doc-form-{}", f.as_str()));
    let perps = Perpetrator::ALL
        .iter()
        .map(|p| format!("doc-perp-{}", p.as_str()));
    let reasons = RefusalReason::ALL
        .iter()
        .map(|r| format!("doc-reason-{}", r.as_str()));
    let services = ServiceType::ALL
        .iter()
        .map(|s| format!("doc-service-{}", s.code()));
    fixed
        .into_iter()
        .chain(forms)
        .chain(perps)
        .chain(reasons)
        .chain(services)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_button_parses_back_to_its_action() {
        let mut actions = vec![
            DocAction::Next,
            DocAction::Back,
            DocAction::Save,
            DocAction::Discard,
        ];
        actions.extend(Form::ALL.iter().map(|f| DocAction::ToggleForm(*f)));
        actions.extend(
            Perpetrator::ALL
                .iter()
                .map(|p| DocAction::TogglePerpetrator(*p)),
        );
        actions.extend(ServiceType::ALL.iter().map(|s| DocAction::RefusedBy(*s)));
        actions.extend(RefusalReason::ALL.iter().map(|r| DocAction::RefusedFor(*r)));
        for a in actions {
            let d = data(a);
            assert!(d.len() <= 64, "{d}");
            assert_eq!(parse(&d), Some(a), "{d}");
        }
        assert_eq!(parse("doc.f.nonsense"), None);
        assert_eq!(parse("check.result.yes"), None);
    }

    #[test]
    fn a_walk_through_the_form_builds_the_record() {
        let mut form = DocForm::new(None, &[Form::Physical]);
        assert_eq!(
            form.apply(DocAction::ToggleForm(Form::DrugCoercion)),
            Outcome::Continue
        );
        form.apply(DocAction::Next);
        form.apply(DocAction::TogglePerpetrator(Perpetrator::Police));
        form.apply(DocAction::Next);
        form.apply(DocAction::RefusedBy(ServiceType::Shelter));
        form.apply(DocAction::RefusedFor(RefusalReason::Ost));
        let Outcome::Saved(record) = form.apply(DocAction::Save) else {
            panic!("saving hands back the record");
        };
        assert_eq!(record.forms_key(), "physical,drug_coercion");
        assert_eq!(record.perpetrators_key(), "police");
        assert_eq!(record.refusals_key(), "shelter:ost");
        // A second press stores nothing more.
        assert_eq!(form.apply(DocAction::Save), Outcome::Ignored);
    }

    #[test]
    fn presses_out_of_step_change_nothing() {
        let mut form = DocForm::new(None, &[]);
        let before = form.clone();
        assert_eq!(
            form.apply(DocAction::RefusedFor(RefusalReason::Hiv)),
            Outcome::Ignored
        );
        assert_eq!(form, before);
    }
}
