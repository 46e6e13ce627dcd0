//! The state machine: which screen comes next, and what it records.

use crate::content::{Content, OVERLAY_FLOWS};
use crate::domain::{CountryCode, Locale};
use crate::flows::{Action, StepKind};

use super::render::Screen;
use super::{Command, Effect, Input, OutMessage, PlanMark, Position, Reply, Session, global};

/// Message ids the engine puts at the very top of a message, where a lock-screen preview shows
/// them; `helpline check` holds them to the discretion rule like every prompt.
pub const OPENING_MESSAGES: &[&str] = &[
    "note-stale",
    "note-use-buttons",
    "note-location-not-needed",
    "note-unknown-command",
    "stop-done",
    "forget-done",
    "red-flag-banner",
    "red-flag-any-country",
    "talk-fallback",
    "services-fallback",
    "error-try-again",
    "consent-ask",
    "consent-thanks",
    "consent-declined",
];

/// The other message ids the engine uses itself, besides those named in flow files. `helpline
/// check` verifies that these and [`OPENING_MESSAGES`] exist in every locale.
pub const ENGINE_MESSAGES: &[&str] = &[
    "btn-yes",
    "btn-no",
    "btn-skip",
    "btn-stop",
    "btn-have",
    "btn-todo",
    "btn-next",
    "btn-menu",
    "btn-sos",
    "btn-exit",
    "btn-talk-now",
    "btn-resume",
    "btn-other-country",
    "btn-start-again",
    "lang-name",
    "sos-line",
    "sos-line-free",
    "sos-no-country",
    "check-result-forms",
    "check-result-none",
    "check-result-not-your-fault",
    "check-result-red-flags",
    "plan-result-empty",
    "plan-result-summary",
    "plan-result-ready",
    "plan-result-todo",
    "plan-result-footer",
    "hotlines-header",
    "consent-yes",
    "consent-no",
];

/// Message ids the engine builds from domain names: `form-<form>`, `plan-item-<item>`.
pub fn derived_messages() -> Vec<String> {
    let forms = crate::domain::Form::ALL
        .iter()
        .map(|f| format!("form-{}", f.as_str()));
    let items = crate::domain::PlanItem::ALL
        .iter()
        .map(|i| format!("plan-item-{}", i.as_str()));
    forms
        .chain(items)
        .chain(super::services::term_messages())
        .collect()
}

/// The choices of the consent question under a /check result (callback `check.result.<choice>`).
pub(crate) const CONSENT_YES: &str = "count_yes";
pub(crate) const CONSENT_NO: &str = "count_no";

/// Loop guard for steps that are passed over (language already chosen, OST where it is illegal).
const MAX_SKIPS: usize = 64;

impl Content {
    /// One turn of the conversation. Never fails: whatever arrives, she gets a screen she can act on.
    pub fn handle(&self, s: &mut Session, input: Input) -> Reply {
        match input {
            Input::Command(c) => self.command(s, c),
            Input::Button(data) => self.button(s, &data),
            Input::Text(_) | Input::Other if s.at.is_none() && !s.locale_chosen => {
                self.command(s, Command::Start(None))
            }
            Input::Text(_) | Input::Other => {
                self.current(s, Screen::new().note("note-use-buttons"))
            }
            Input::Location { .. } => {
                self.current(s, Screen::new().note("note-location-not-needed"))
            }
        }
    }

    fn command(&self, s: &mut Session, command: Command) -> Reply {
        match command {
            Command::Start(payload) => {
                if let Some(p) = payload {
                    self.apply_deep_link(s, &p);
                }
                self.enter_flow(s, "onboarding", Screen::new())
            }
            Command::Check => self.enter_flow(s, "check", Screen::new()),
            Command::Plan => self.enter_flow(s, "plan", Screen::new()),
            Command::Services => self.enter_flow(s, "services", Screen::new()),
            Command::Sos => self.enter_flow(s, "sos", Screen::new()),
            Command::Talk => self.enter_flow(s, "talk", Screen::new()),
            Command::Language => self.enter_flow(s, "language", Screen::new()),
            Command::Help => self.enter_flow(s, "help", Screen::new()),
            Command::Menu => self.enter_flow(s, "menu", Screen::new()),
            Command::Forget => self.forget(s),
            Command::Stop => self.stop(s),
            Command::Unknown => self.current(s, Screen::new().note("note-unknown-command")),
        }
    }

    /// A deep link like `uk_UA`, `kk` or `RS` preselects language and country.
    fn apply_deep_link(&self, s: &mut Session, payload: &str) {
        for token in payload.split(['_', '-', ' ']) {
            if token.len() != 2 {
                continue;
            }
            if token.bytes().all(|b| b.is_ascii_lowercase()) {
                if let Ok(locale) = Locale::parse(token) {
                    s.locale = locale;
                    s.locale_chosen = true;
                }
            } else if let Ok(code) = CountryCode::parse(token)
                && self.country(code).is_some()
            {
                s.country = Some(code);
                s.country_chosen = true;
            }
        }
    }

    fn button(&self, s: &mut Session, data: &str) -> Reply {
        match data {
            global::SOS => return self.enter_flow(s, "sos", Screen::new()),
            global::EXIT => return self.forget(s),
            global::MENU => return self.enter_flow(s, "menu", Screen::new()),
            global::TALK => return self.talk(s),
            global::RESUME => return self.current(s, Screen::new()),
            global::STOP => return self.stop(s),
            _ => {}
        }
        let mut parts = data.splitn(3, '.');
        let (Some(flow_id), Some(step_id), Some(choice)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return self.current(s, Screen::new().note("note-stale"));
        };
        let Some(flow_i) = self.flow_index(flow_id) else {
            return self.current(s, Screen::new().note("note-stale"));
        };
        let flow = &self.flows[flow_i];
        let Some(step_i) = flow.step_index(step_id) else {
            return self.current(s, Screen::new().note("note-stale"));
        };
        let here =
            s.at.as_ref()
                .is_some_and(|p| p.flow == flow.id && p.step == flow.steps[step_i].id);
        let always_live = flow_id == "menu" || OVERLAY_FLOWS.contains(&flow_id);
        if !here && !always_live {
            return self.current(s, Screen::new().note("note-stale"));
        }
        self.choose(s, flow_i, step_i, choice)
    }

    fn choose(&self, s: &mut Session, flow_i: usize, step_i: usize, choice: &str) -> Reply {
        let flow = &self.flows[flow_i];
        let step = &flow.steps[step_i];
        let mut screen = Screen::new();
        match (step.kind, choice) {
            (StepKind::Question, "yes") => {
                if let Some(form) = step.form {
                    s.forms.insert(form);
                }
                if let Some(flag) = step.red_flag {
                    s.red_flags.insert(flag);
                    s.urgent = true;
                    screen = screen.red_flag();
                }
                return self.goto(s, flow_i, step.next, screen);
            }
            (StepKind::Question, "no" | "skip") | (StepKind::Plan, "skip") => {
                return self.goto(s, flow_i, step.next, screen);
            }
            (StepKind::Plan, "have" | "todo") => {
                if let Some(item) = step.item {
                    let mark = if choice == "have" {
                        PlanMark::Ready
                    } else {
                        PlanMark::ToDo
                    };
                    s.plan.insert(item, mark);
                }
                return self.goto(s, flow_i, step.next, screen);
            }
            (StepKind::Language, code) => {
                let Some(locale) = Locale::ALL.into_iter().find(|l| l.code() == code) else {
                    return self.current(s, screen.note("note-stale"));
                };
                s.locale = locale;
                s.locale_chosen = true;
                let mut reply = self.goto(s, flow_i, step.next, screen);
                reply.effect = Some(Effect::LocaleChanged(locale));
                return reply;
            }
            (StepKind::Country | StepKind::Sos, code)
                if step.choices.iter().all(|c| c.id.as_str() != code) =>
            {
                if !self.set_country(s, code) {
                    return self.current(s, screen.note("note-stale"));
                }
                if step.kind == StepKind::Sos {
                    return self.reply(s, self.render_step(s, flow_i, step_i, screen));
                }
                return self.goto(s, flow_i, step.next, screen);
            }
            (StepKind::CheckResult, CONSENT_YES) => {
                if s.counted || s.forms.is_empty() {
                    return self.current(s, screen.note("note-stale"));
                }
                s.counted = true;
                s.consented = true;
                return Reply {
                    messages: vec![self.render_consent_answer(s, "consent-thanks")],
                    effect: Some(Effect::CountCheck {
                        country: s.country,
                        forms: s.forms.iter().copied().collect(),
                    }),
                };
            }
            (StepKind::CheckResult, CONSENT_NO) => {
                s.consented = false;
                return self.reply(s, self.render_consent_answer(s, "consent-declined"));
            }
            (StepKind::Info, "next") if step.choices.is_empty() => {
                return self.goto(s, flow_i, step.next, screen);
            }
            _ => {}
        }

        let Some(c) = step.choices.iter().find(|c| c.id.as_str() == choice) else {
            return self.current(s, screen.note("note-stale"));
        };
        match c.action {
            Some(Action::Menu) => return self.enter_flow(s, "menu", screen),
            Some(Action::Sos) => return self.enter_flow(s, "sos", screen),
            Some(Action::Talk) => return self.talk(s),
            Some(Action::Services) => return self.services(s),
            Some(Action::Forget) => return self.forget(s),
            Some(Action::Stop) => return self.stop(s),
            Some(Action::SilentOn) => s.silent = true,
            Some(Action::SilentOff) => s.silent = false,
            None => {}
        }
        if let Some(target) = c.flow {
            let id = self.flows[target].id.as_str().to_owned();
            return self.enter_flow(s, &id, screen);
        }
        if c.next.is_some() {
            return self.goto(s, flow_i, c.next, screen);
        }
        // A setting changed in place: show the same step again.
        self.reply(s, self.render_step(s, flow_i, step_i, screen))
    }

    fn set_country(&self, s: &mut Session, code: &str) -> bool {
        if code == "other" {
            s.country = None;
            s.country_chosen = true;
            return true;
        }
        match CountryCode::parse(&code.to_ascii_uppercase()) {
            Ok(cc) if self.country(cc).is_some() => {
                s.country = Some(cc);
                s.country_chosen = true;
                true
            }
            _ => false,
        }
    }

    /// Enters a flow at its start. Overlay flows (SOS, help) show on top of her place without
    /// moving her; any other flow ends the one in progress and forgets its answers.
    pub(crate) fn enter_flow(&self, s: &mut Session, id: &str, screen: Screen) -> Reply {
        let Some(flow_i) = self.flow_index(id) else {
            // Only possible with content that skipped `helpline check`.
            tracing::error!(flow = id, "flow missing");
            return self.reply(s, self.render_menu_fallback(s, screen));
        };
        let start = self.flows[flow_i].start;
        if OVERLAY_FLOWS.contains(&id) {
            return self.reply(s, self.render_step(s, flow_i, start, screen));
        }
        s.clear_answers();
        s.at = None;
        self.goto(s, flow_i, Some(start), screen)
    }

    /// Moves to a step of the same flow, passing over steps that do not apply to her; past the
    /// end of the flow she is back at the menu.
    fn goto(&self, s: &mut Session, flow_i: usize, step: Option<usize>, screen: Screen) -> Reply {
        let flow = &self.flows[flow_i];
        let mut next = step;
        for _ in 0..MAX_SKIPS {
            let Some(i) = next else { break };
            let step = &flow.steps[i];
            if self.passes_over(s, step) {
                next = step.next;
                continue;
            }
            if OVERLAY_FLOWS.contains(&flow.id.as_str()) {
                return self.reply(s, self.render_step(s, flow_i, i, screen));
            }
            s.at = Some(Position {
                flow: flow.id.clone(),
                step: step.id.clone(),
            });
            let message = self.render_step(s, flow_i, i, screen);
            if step.kind == StepKind::PlanResult {
                // The plan is hers to keep in the chat, not ours to store.
                s.plan.clear();
            }
            let mut reply = self.reply(s, message);
            if step.kind == StepKind::CheckResult && !s.forms.is_empty() && !s.counted {
                // Asked once, under the result; not answering is "no".
                reply
                    .messages
                    .push(self.render_consent_ask(s, flow.id.as_str(), step.id.as_str()));
            }
            return reply;
        }
        if flow.id.as_str() == "menu" {
            s.at = None;
            return self.reply(s, self.render_menu_fallback(s, screen));
        }
        self.enter_flow(s, "menu", screen)
    }

    fn passes_over(&self, s: &Session, step: &crate::flows::Step) -> bool {
        if step.skip_if_set {
            let set = match step.kind {
                StepKind::Language => s.locale_chosen,
                StepKind::Country => s.country_chosen,
                _ => false,
            };
            if set {
                return true;
            }
        }
        match step.only_if {
            Some(crate::flows::Feature::OstLegal) => !s
                .country
                .and_then(|c| self.country(c))
                .is_none_or(|c| c.ost_legal),
            None => false,
        }
    }

    /// Re-shows where she is (or the menu), with whatever note the screen carries.
    pub(crate) fn current(&self, s: &mut Session, screen: Screen) -> Reply {
        if let Some((flow_i, step_i)) = self.position(s) {
            return self.reply(s, self.render_step(s, flow_i, step_i, screen));
        }
        s.at = None;
        self.enter_flow(s, "menu", screen)
    }

    fn position(&self, s: &Session) -> Option<(usize, usize)> {
        let at = s.at.as_ref()?;
        let flow_i = self.flow_index(at.flow.as_str())?;
        let step_i = self.flows[flow_i].step_index(at.step.as_str())?;
        Some((flow_i, step_i))
    }

    fn stop(&self, s: &mut Session) -> Reply {
        s.clear_answers();
        s.urgent = false;
        s.at = None;
        self.enter_flow(s, "menu", Screen::new().note("stop-done"))
    }

    fn forget(&self, s: &mut Session) -> Reply {
        let message = self.render_forget(s);
        *s = Session::new(s.locale);
        Reply {
            messages: vec![message],
            effect: Some(Effect::Forget),
        }
    }

    fn talk(&self, s: &mut Session) -> Reply {
        let message = self.render_fallback(s, "talk-fallback");
        Reply {
            messages: vec![message],
            effect: Some(Effect::Talk {
                urgent: s.urgent,
                forms: s.forms.iter().copied().collect(),
            }),
        }
    }

    fn services(&self, s: &mut Session) -> Reply {
        let message = self.render_fallback(s, "services-fallback");
        Reply {
            messages: vec![message],
            effect: Some(Effect::FindServices),
        }
    }

    fn reply(&self, _s: &Session, message: OutMessage) -> Reply {
        Reply {
            messages: vec![message],
            effect: None,
        }
    }
}
