//! Turning a step into the words and buttons she sees, in her language.

use crate::content::{Content, OVERLAY_FLOWS};
use crate::domain::Locale;
use crate::flows::{Country, Line, StepKind, callback_data};
use crate::i18n::Args;

use super::{Button, OutMessage, PlanMark, Session, global};

/// What a turn adds around the step it shows: short notes on top, and the red-flag banner.
#[derive(Default)]
pub(crate) struct Screen {
    notes: Vec<&'static str>,
    red_flag: bool,
}

impl Screen {
    pub(crate) fn new() -> Screen {
        Screen::default()
    }

    pub(crate) fn note(mut self, id: &'static str) -> Screen {
        self.notes.push(id);
        self
    }

    pub(crate) fn notes(&self) -> &[&'static str] {
        &self.notes
    }

    pub(crate) fn red_flag(mut self) -> Screen {
        self.red_flag = true;
        self
    }
}

/// Builds one message: paragraphs of text and rows of buttons.
pub(super) struct Draft<'a> {
    content: &'a Content,
    locale: Locale,
    pub(super) args: Args,
    pub(super) paragraphs: Vec<String>,
    pub(super) rows: Vec<Vec<Button>>,
    pub(super) protect: bool,
}

impl<'a> Draft<'a> {
    pub(super) fn new(content: &'a Content, s: &Session) -> Draft<'a> {
        let country = s
            .country
            .and_then(|c| content.country(c))
            .map(|c| content.localizer.text(s.locale, &c.name, &Args::new()))
            .unwrap_or_else(|| "—".to_owned());
        let args = Args::new()
            .text("silent", if s.silent { "on" } else { "off" })
            .text("country", country);
        Draft {
            content,
            locale: s.locale,
            args,
            paragraphs: Vec::new(),
            rows: Vec::new(),
            protect: false,
        }
    }

    pub(super) fn t(&self, id: &str) -> String {
        self.content.localizer.text(self.locale, id, &self.args)
    }

    pub(super) fn t_with(&self, id: &str, args: &Args) -> String {
        self.content.localizer.text(self.locale, id, args)
    }

    pub(super) fn say(&mut self, id: &str) {
        let text = self.t(id);
        self.paragraphs.push(text);
    }

    /// Continues the last paragraph on the next line (a header and its list).
    pub(super) fn join_last(&mut self, text: &str) {
        match self.paragraphs.last_mut() {
            Some(last) => {
                last.push('\n');
                last.push_str(text);
            }
            None => self.paragraphs.push(text.to_owned()),
        }
    }

    pub(super) fn button(&self, label_id: &str, data: impl Into<String>) -> Button {
        Button {
            label: self.t(label_id),
            data: data.into(),
        }
    }

    pub(super) fn row(&mut self, buttons: Vec<Button>) {
        if !buttons.is_empty() {
            self.rows.push(buttons);
        }
    }

    /// Two answers side by side, then "skip" and "stop": every question can be passed or left.
    fn answers(&mut self, answers: [(&str, String); 2], skip: String) {
        let row = answers
            .into_iter()
            .map(|(label, data)| self.button(label, data))
            .collect();
        self.row(row);
        let skip = self.button("btn-skip", skip);
        let stop = self.button("btn-stop", global::STOP);
        self.row(vec![skip, stop]);
    }

    /// Rows of two, for long lists like languages and countries.
    pub(super) fn pairs(&mut self, buttons: Vec<Button>) {
        let mut buttons = buttons.into_iter();
        loop {
            let row: Vec<Button> = buttons.by_ref().take(2).collect();
            if row.is_empty() {
                break;
            }
            self.rows.push(row);
        }
    }

    fn line_text(&self, line: &Line) -> String {
        let args = Args::new()
            .text("number", line.number.as_str())
            .text("name", self.t(&line.name))
            .text("hours", self.t(&line.hours));
        let id = if line.free {
            "sos-line-free"
        } else {
            "sos-line"
        };
        let mut text = self.t_with(id, &args);
        for note in &line.notes {
            text.push_str("\n   ");
            text.push_str(&self.t(note));
        }
        text
    }

    /// Emergency numbers for the red-flag banner: hers, or every country's when she has none.
    fn banner(&mut self, country: Option<&Country>) {
        match country {
            Some(c) => {
                let numbers: Vec<String> = c.emergency().map(|l| self.line_text(l)).collect();
                let args = self.args.clone().text("numbers", numbers.join("\n"));
                let text = self.t_with("red-flag-banner", &args);
                self.paragraphs.push(text);
            }
            None => {
                let numbers = every_country_emergency(self.content);
                let args = self.args.clone().text("numbers", numbers);
                let text = self.t_with("red-flag-any-country", &args);
                self.paragraphs.push(text);
            }
        }
        self.protect = true;
        let talk = self.button("btn-talk-now", global::TALK);
        self.row(vec![talk]);
    }

    pub(super) fn finish(mut self, exit_only: bool) -> OutMessage {
        let mut last = Vec::new();
        if !exit_only {
            last.push(self.button("btn-sos", global::SOS));
        }
        last.push(self.button("btn-exit", global::EXIT));
        self.rows.push(last);
        OutMessage {
            text: self.paragraphs.join("\n\n"),
            buttons: self.rows,
            protect: self.protect,
            keyboard: None,
        }
    }
}

/// `UA 102, 103 · RS 192, 194 …`: the fallback when her country is unknown.
fn every_country_emergency(content: &Content) -> String {
    content
        .countries
        .iter()
        .map(|c| {
            let numbers: Vec<&str> = c.emergency().map(|l| l.number.as_str()).collect();
            format!("{} {}", c.code, numbers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

impl Content {
    pub(crate) fn render_step(
        &self,
        s: &Session,
        flow_i: usize,
        step_i: usize,
        screen: Screen,
    ) -> OutMessage {
        let flow = &self.flows[flow_i];
        let step = &flow.steps[step_i];
        let country = s.country.and_then(|c| self.country(c));
        let mut d = Draft::new(self, s);
        if screen.red_flag {
            d.banner(country);
        }
        for note in &screen.notes {
            d.say(note);
        }
        // The SOS header names her country; without one, the list of every country's numbers
        // below speaks for itself.
        if !(step.kind == StepKind::Sos && country.is_none()) {
            d.say(&step.prompt);
        }
        let data = |choice: &str| callback_data(flow.id.as_str(), step.id.as_str(), choice);

        match step.kind {
            StepKind::Question => d.answers(
                [("btn-yes", data("yes")), ("btn-no", data("no"))],
                data("skip"),
            ),
            StepKind::Plan => d.answers(
                [("btn-have", data("have")), ("btn-todo", data("todo"))],
                data("skip"),
            ),
            StepKind::Language => {
                let buttons = Locale::ALL
                    .iter()
                    .map(|l| Button {
                        label: self.localizer.text(*l, "lang-name", &Args::new()),
                        data: data(l.code()),
                    })
                    .collect();
                d.pairs(buttons);
            }
            StepKind::Country => {
                let buttons = self.country_buttons(&d, &data);
                d.pairs(buttons);
            }
            StepKind::Sos => {
                d.protect = true;
                match country {
                    Some(c) => {
                        let lines: Vec<String> = c.lines.iter().map(|l| d.line_text(l)).collect();
                        d.join_last(&lines.join("\n"));
                    }
                    None => {
                        let args = d
                            .args
                            .clone()
                            .text("numbers", every_country_emergency(self));
                        let text = d.t_with("sos-no-country", &args);
                        d.paragraphs.push(text);
                        let buttons = self.country_buttons(&d, &data);
                        d.pairs(buttons);
                    }
                }
            }
            StepKind::CheckResult => self.check_result(s, &mut d, country),
            StepKind::PlanResult => self.plan_result(s, &mut d),
            StepKind::Info => {
                if step.choices.is_empty() {
                    let next = if step.next.is_some() {
                        d.button("btn-next", data("next"))
                    } else {
                        d.button("btn-menu", global::MENU)
                    };
                    d.row(vec![next]);
                }
            }
        }
        if step.harm_reduction
            && let Some(note) = country.and_then(|c| c.harm_reduction_note.as_deref())
        {
            d.say(note);
        }
        for choice in &step.choices {
            let b = d.button(&choice.label, data(choice.id.as_str()));
            d.row(vec![b]);
        }
        let overlay = OVERLAY_FLOWS.contains(&flow.id.as_str());
        if overlay && s.at.is_some() {
            let resume = d.button("btn-resume", global::RESUME);
            d.row(vec![resume]);
        }
        d.finish(step.kind == StepKind::Sos)
    }

    fn country_buttons(&self, d: &Draft<'_>, data: &dyn Fn(&str) -> String) -> Vec<Button> {
        let mut buttons: Vec<Button> = self
            .countries
            .iter()
            .map(|c| d.button(&c.name, data(&c.code.as_str().to_ascii_lowercase())))
            .collect();
        buttons.push(d.button("btn-other-country", data("other")));
        buttons
    }

    fn check_result(&self, s: &Session, d: &mut Draft<'_>, country: Option<&Country>) {
        d.protect = true;
        if s.forms.is_empty() {
            d.say("check-result-none");
        } else {
            let forms: Vec<String> = s
                .forms
                .iter()
                .map(|f| format!("• {}", d.t(&format!("form-{}", f.as_str()))))
                .collect();
            let args = d.args.clone().text("forms", forms.join("\n"));
            let text = d.t_with("check-result-forms", &args);
            d.paragraphs.push(text);
            d.say("check-result-not-your-fault");
        }
        if !s.red_flags.is_empty() {
            d.say("check-result-red-flags");
            d.banner(country);
        }
    }

    fn plan_result(&self, s: &Session, d: &mut Draft<'_>) {
        d.protect = true;
        if s.plan.is_empty() {
            d.say("plan-result-empty");
            return;
        }
        let ready = s.plan.values().filter(|m| **m == PlanMark::Ready).count();
        if ready > 0 {
            let args = d
                .args
                .clone()
                .number("count", i64::try_from(ready).unwrap_or(i64::MAX));
            let text = d.t_with("plan-result-summary", &args);
            d.paragraphs.push(text);
        }
        for (mark, header) in [
            (PlanMark::Ready, "plan-result-ready"),
            (PlanMark::ToDo, "plan-result-todo"),
        ] {
            let items: Vec<String> = s
                .plan
                .iter()
                .filter(|(_, m)| **m == mark)
                .map(|(item, _)| format!("• {}", d.t(&format!("plan-item-{}", item.as_str()))))
                .collect();
            if !items.is_empty() {
                let text = format!("{}\n{}", d.t(header), items.join("\n"));
                d.paragraphs.push(text);
            }
        }
        d.say("plan-result-footer");
    }

    /// The honest answer when the adapter cannot hand her over or search services: the hotlines
    /// of her country, and a way back.
    pub(crate) fn render_fallback(&self, s: &Session, id: &str) -> OutMessage {
        let mut d = Draft::new(self, s);
        d.say(id);
        self.hotlines(s, &mut d);
        let menu = d.button("btn-menu", global::MENU);
        d.row(vec![menu]);
        d.finish(false)
    }

    fn hotlines(&self, s: &Session, d: &mut Draft<'_>) {
        self.hotlines_of(s.country.and_then(|c| self.country(c)), d);
    }

    /// A country's hotlines and emergency numbers (every country's emergency numbers without one).
    pub(super) fn hotlines_of(&self, country: Option<&Country>, d: &mut Draft<'_>) {
        d.protect = true;
        match country {
            Some(c) => {
                let lines: Vec<String> = c
                    .hotlines()
                    .chain(c.emergency())
                    .map(|l| d.line_text(l))
                    .collect();
                d.say("hotlines-header");
                d.join_last(&lines.join("\n"));
            }
            None => {
                let args = d
                    .args
                    .clone()
                    .text("numbers", every_country_emergency(self));
                let text = d.t_with("sos-no-country", &args);
                d.paragraphs.push(text);
            }
        }
    }

    /// The question under a /check result: may her answers be counted anonymously? Its own
    /// message, unprotected, so her answer replaces it in place.
    pub(crate) fn render_consent_ask(&self, s: &Session, flow: &str, step: &str) -> OutMessage {
        let mut d = Draft::new(self, s);
        d.say("consent-ask");
        let yes = d.button(
            "consent-yes",
            callback_data(flow, step, super::engine::CONSENT_YES),
        );
        let no = d.button(
            "consent-no",
            callback_data(flow, step, super::engine::CONSENT_NO),
        );
        d.row(vec![yes, no]);
        d.finish(false)
    }

    /// Her answer to the consent question, acknowledged, with a way back to the menu.
    pub(crate) fn render_consent_answer(&self, s: &Session, id: &str) -> OutMessage {
        let mut d = Draft::new(self, s);
        d.say(id);
        let menu = d.button("btn-menu", global::MENU);
        d.row(vec![menu]);
        d.finish(false)
    }

    pub(crate) fn render_forget(&self, s: &Session) -> OutMessage {
        let mut d = Draft::new(self, s);
        d.say("forget-done");
        OutMessage {
            text: d.paragraphs.join("\n\n"),
            buttons: vec![vec![d.button("btn-start-again", global::MENU)]],
            protect: false,
            keyboard: None,
        }
    }

    /// Only reached when the menu flow itself is missing, which `helpline check` prevents.
    pub(crate) fn render_menu_fallback(&self, s: &Session, screen: Screen) -> OutMessage {
        let mut d = Draft::new(self, s);
        for note in &screen.notes {
            d.say(note);
        }
        d.say("btn-menu");
        d.finish(false)
    }
}
