//! `helpline simulate`: the conversation core in a terminal. Bot messages are printed with
//! numbered buttons; she answers with a number, a `/command`, `@location LAT LON`, `@sticker`, or
//! free text. When stdin is not a terminal the lines are a script, echoed as they are replayed,
//! so tests and flow authors can replay a whole conversation.
//!
//! With a directory (`--directory deploy/demo/directory.json`), /services shows the same screens
//! as the bot; without one, the directory is empty and she gets the kind "nothing found" screen.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use crate::content::Content;
use crate::conversation::{Effect, Input, Reply, ReplyKeyboard, Session, World};
use crate::directory::{Catalog, Cities, Index, Settings};
use crate::domain::{CountryCode, Locale};

pub struct Options {
    pub locale: Option<Locale>,
    pub country: Option<CountryCode>,
    /// Show a prompt before each line (a person at a terminal).
    pub interactive: bool,
    /// The service directory's index; `None` is an empty directory.
    pub directory: Option<Arc<Index>>,
}

/// The index of an empty directory with the content's OST rules.
pub fn empty_directory(content: &Content) -> Index {
    Index::build(
        Catalog::default(),
        Cities::builtin(),
        Settings::for_countries(&content.countries),
    )
}

pub fn run(
    content: &Content,
    options: &Options,
    input: impl BufRead,
    mut out: impl Write,
) -> io::Result<()> {
    let mut session = Session::new(options.locale.unwrap_or(Locale::En));
    session.locale_chosen = options.locale.is_some();
    if let Some(country) = options.country.filter(|c| content.country(*c).is_some()) {
        session.country = Some(country);
        session.country_chosen = true;
    } else if let Some(country) = options.country {
        writeln!(
            out,
            "(no data for country {country}; continuing without one)"
        )?;
    }
    if options.interactive {
        writeln!(
            out,
            "helpline simulator: type /start, a button number, text, or Ctrl-D to leave."
        )?;
    }
    let empty;
    let directory = match &options.directory {
        Some(index) => index.as_ref(),
        None => {
            empty = empty_directory(content);
            &empty
        }
    };
    let mut buttons: Vec<String> = Vec::new();
    let mut lines = input.lines();
    loop {
        if options.interactive {
            write!(out, "you> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !options.interactive {
            writeln!(out, "you> {line}")?;
        }
        let Some(input) = parse_line(line, &buttons) else {
            writeln!(
                out,
                "(there is no button {line}; {} on screen)",
                buttons.len()
            )?;
            continue;
        };
        let world = World {
            directory,
            now: chrono::Utc::now(),
        };
        let reply = content.handle_with(&mut session, input, world);
        buttons = print_reply(&mut out, &reply)?;
    }
    Ok(())
}

fn parse_line(line: &str, buttons: &[String]) -> Option<Input> {
    if let Ok(n) = line.parse::<usize>() {
        return buttons
            .get(n.checked_sub(1)?)
            .map(|d| Input::Button(d.clone()));
    }
    if let Some(rest) = line.strip_prefix("@location") {
        let mut parts = rest.split_whitespace().map(str::parse::<f64>);
        if let (Some(Ok(latitude)), Some(Ok(longitude))) = (parts.next(), parts.next()) {
            return Some(Input::Location {
                latitude,
                longitude,
            });
        }
    }
    if line == "@sticker" {
        return Some(Input::Other);
    }
    Some(Input::from_text(line))
}

/// Prints the reply and returns the callback data of its buttons, numbered from 1.
fn print_reply(out: &mut impl Write, reply: &Reply) -> io::Result<Vec<String>> {
    let mut data = Vec::new();
    for message in &reply.messages {
        writeln!(out, "bot>")?;
        for line in message.text.lines() {
            writeln!(out, "  {line}")?;
        }
        if message.protect {
            writeln!(out, "  (sent protected: cannot be forwarded or saved)")?;
        }
        match &message.keyboard {
            Some(ReplyKeyboard::AskLocation { share, back }) => writeln!(
                out,
                "  (keyboard: {share} = type @location LAT LON; {back} = type anything)"
            )?,
            Some(ReplyKeyboard::Remove) => writeln!(out, "  (keyboard removed)")?,
            None => {}
        }
        for row in &message.buttons {
            let cells: Vec<String> = row
                .iter()
                .map(|b| {
                    data.push(b.data.clone());
                    format!("[{}] {}", data.len(), b.label)
                })
                .collect();
            writeln!(out, "  {}", cells.join("   "))?;
        }
    }
    match &reply.effect {
        Some(Effect::Forget) => writeln!(
            out,
            "(the bot would now delete this chat and erase everything stored)"
        )?,
        Some(Effect::Talk { urgent, .. }) => writeln!(
            out,
            "(the bot would now hand her to a consultant{})",
            if *urgent { ", marked urgent" } else { "" }
        )?,
        Some(Effect::FindServices) => {
            writeln!(out, "(the bot would now open the service directory)")?
        }
        Some(Effect::LocaleChanged(l)) => writeln!(out, "(language is now {l})")?,
        Some(Effect::CountCheck { forms, .. }) => writeln!(
            out,
            "(the bot would now add 1 to the anonymous count of each of {} form(s) of violence)",
            forms.len()
        )?,
        Some(Effect::CountServiceSearch { service, .. }) => writeln!(
            out,
            "(the bot would now add 1 to the anonymous count of searches for {})",
            service.code()
        )?,
        None => {}
    }
    Ok(data)
}
