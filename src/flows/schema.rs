//! The shape of `flows/*.toml`, as written by flow authors. Unknown fields are rejected so that a
//! typo (`promt = …`) is an error at `helpline check`, not a silently missing screen.

use serde::Deserialize;
use toml::Spanned;

use crate::domain::{Form, Id, PlanItem, RedFlag};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowFile {
    pub id: Spanned<Id>,
    /// The first step; defaults to the first one in the file.
    pub start: Option<Spanned<Id>>,
    pub steps: Vec<StepDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub id: Spanned<Id>,
    #[serde(default)]
    pub kind: StepKind,
    /// The Fluent message shown for this step.
    pub prompt: Spanned<String>,
    #[serde(default)]
    pub choices: Vec<ChoiceDef>,
    /// Where "yes", "no", "skip" and "next" lead. Defaults to the following step in the file; the
    /// last step of a file has no default.
    pub next: Option<Spanned<Id>>,
    /// Question steps: a "yes" records this form of violence.
    pub form: Option<Form>,
    /// Question steps: a "yes" records this red flag (and brings emergency numbers at once).
    pub red_flag: Option<RedFlag>,
    /// Plan steps: the item this step helps her prepare.
    pub item: Option<PlanItem>,
    /// Shown only where her country has this feature (e.g. legal opioid substitution therapy).
    pub only_if: Option<Feature>,
    /// Harm-reduction content: carries the country's legal-risk note where there is one.
    #[serde(default)]
    pub harm_reduction: bool,
    /// Language and country steps: passed over when the choice was already made (deep link).
    #[serde(default)]
    pub skip_if_set: bool,
    /// Ends the flow: leaving this step returns her to the menu and forgets the flow's answers.
    #[serde(default)]
    pub last: bool,
}

#[derive(Debug, Default, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A message with the author's choices (or a single "next" button when there are none).
    #[default]
    Info,
    /// Yes / no / skip; "yes" records `form` and `red_flag`.
    Question,
    /// A safety-plan item: "I have this" / "I'll work on it" / skip.
    Plan,
    /// Choose a language from every shipped locale.
    Language,
    /// Choose a country from the country data.
    Country,
    /// The country's emergency numbers and hotlines.
    Sos,
    /// The forms she described, that it is not her fault, and what next.
    CheckResult,
    /// Her whole plan in one message, sent with protect_content.
    PlanResult,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef {
    pub id: Spanned<Id>,
    pub label: Spanned<String>,
    pub next: Option<Spanned<Id>>,
    /// Start another flow.
    pub flow: Option<Spanned<Id>>,
    pub action: Option<Action>,
}

/// What a choice does besides moving to a step.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Back to the main menu.
    Menu,
    /// Emergency numbers, keeping her place.
    Sos,
    /// Hand-off to a peer consultant.
    Talk,
    /// The service directory.
    Services,
    /// Quick exit: delete the chat and everything stored.
    Forget,
    /// Leave the current flow, keeping nothing of it.
    Stop,
    /// Send everything without a notification sound.
    SilentOn,
    SilentOff,
}

/// Country features a step can depend on.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    OstLegal,
}
