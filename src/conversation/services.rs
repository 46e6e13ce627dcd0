//! /services: browsing the service directory, as a pure function of her [`Browse`] state, what
//! she did, a snapshot of the directory and the time: `(session, input, world) -> reply`.
//!
//! She picks a country and a city (or shares a location, reduced at once to the nearest known
//! city: the coordinates live only inside this call), a type and the filters that matter to her,
//! and gets short cards, nearest first, a few per page. Confidential shelters show a phone and
//! a city, never an address: the [`Card`] cannot hold one. Where OST is not legal, it is neither
//! offered nor shown, and the country's legal-risk note comes with harm reduction.
//!
//! Callback data is `svc:…`, short and untrusted: a forged or stale one gets a kind note and the
//! screen she is on. Every screen has a way back and the quick exit.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::directory::{
    Card, CityId, Filter, Index, NEAREST_CITY_MAX_KM, PublicLocation, Query, ServiceType,
};
use crate::domain::{CountryCode, Locale};
use crate::flows::Country;
use crate::i18n::Args;

use super::render::{Draft, Screen};
use super::{
    Button, Command, Effect, Input, OutMessage, Position, Reply, ReplyKeyboard, Session, global,
};

/// What the core needs from outside to show services: a snapshot of the directory and the time
/// ("open now", "verified N days ago", stale). Passed in, never read from a clock here.
#[derive(Clone, Copy)]
pub struct World<'a> {
    pub directory: &'a Index,
    pub now: DateTime<Utc>,
}

/// Where she is while browsing. Small, and only known places: never coordinates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Browse {
    pub stage: Stage,
    pub country: Option<CountryCode>,
    /// A known city id ([`CityId`]); re-checked whenever it is used.
    pub city: Option<String>,
    pub service_type: Option<ServiceType>,
    pub filters: BTreeSet<Filter>,
    pub page: u32,
}

/// The screen she is on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Her country's cities, and "share my location".
    #[default]
    Where,
    Countries,
    /// The keyboard with the location button is showing.
    AskLocation,
    Type,
    Filters,
    Results,
}

/// Cards on one page: short enough to read on a phone, well under Telegram's 4096 characters.
pub const PER_PAGE: usize = 3;

const PREFIX: &str = "svc:";

/// Messages that open a message she may see on her lock screen; `helpline check` holds them to
/// the discretion rule and requires them in every locale.
pub const SERVICES_OPENING_MESSAGES: &[&str] = &[
    "services-where",
    "services-country",
    "services-location-ask",
    "services-location-city",
    "services-location-far",
    "services-location-cancelled",
    "services-type",
    "services-filters",
    "services-results",
    "services-none",
];

/// The other messages of these screens, required in every locale.
pub const SERVICES_MESSAGES: &[&str] = &[
    "services-btn-location",
    "services-btn-send-location",
    "services-btn-back",
    "services-btn-country",
    "services-btn-any-type",
    "services-btn-show",
    "services-btn-more",
    "services-btn-previous",
    "services-btn-filters",
    "services-btn-new-search",
    "services-page",
    "services-open-now",
    "services-closed-now",
    "services-all-day",
    "services-verified",
    "services-never-verified",
    "services-stale",
    "services-phone-only",
    "services-km",
    "services-none-talk",
    "services-day-mon",
    "services-day-tue",
    "services-day-wed",
    "services-day-thu",
    "services-day-fri",
    "services-day-sat",
    "services-day-sun",
];

/// `services-type-<type>` and `services-filter-<filter>`: the buttons and the card lines.
pub fn term_messages() -> Vec<String> {
    let types = ServiceType::ALL
        .iter()
        .map(|t| format!("services-type-{}", t.code()));
    let filters = Filter::ALL
        .iter()
        .map(|f| format!("services-filter-{}", f.code()));
    types.chain(filters).collect()
}

fn data(parts: &[&str]) -> String {
    let mut d = String::from(PREFIX);
    d.push_str(&parts.join(":"));
    d
}

fn services_position() -> Option<Position> {
    Some(Position {
        flow: crate::domain::Id::parse("services").ok()?,
        step: crate::domain::Id::parse("start").ok()?,
    })
}

impl Content {
    /// One turn with the service directory at hand: the same as [`Content::handle`], except
    /// that /services opens the directory itself instead of leaving it to the adapter.
    pub fn handle_with(&self, s: &mut Session, input: Input, world: World<'_>) -> Reply {
        let asked = s
            .services
            .as_ref()
            .is_some_and(|b| b.stage == Stage::AskLocation);
        let browsing = s.services.is_some();
        let mut reply = match input {
            Input::Button(d) if d.starts_with(PREFIX) => self.services_button(s, &d, world),
            Input::Button(d) if d == global::RESUME && browsing => {
                self.services_screen(s, world, Screen::new())
            }
            Input::Location {
                latitude,
                longitude,
            } if browsing => self.services_location(s, latitude, longitude, world),
            Input::Text(_) | Input::Other if asked => {
                if let Some(b) = s.services.as_mut() {
                    b.stage = Stage::Where;
                }
                let mut reply = self.services_screen(s, world, Screen::new());
                reply
                    .messages
                    .insert(0, self.keyboard_off(s, "services-location-cancelled"));
                reply
            }
            Input::Text(_) | Input::Other if browsing => {
                self.services_screen(s, world, Screen::new().note("note-use-buttons"))
            }
            input => {
                let before = s.at.clone();
                let entering = input == Input::Command(Command::Services);
                let reply = self.handle(s, input);
                let here = s.at.is_some() && s.at == services_position();
                if reply.effect == Some(Effect::FindServices)
                    || (here && (entering || before != s.at))
                {
                    s.at = services_position();
                    s.services = Some(Browse {
                        country: s.country,
                        ..Browse::default()
                    });
                    self.services_screen(s, world, Screen::new())
                } else {
                    if !here {
                        s.services = None;
                    }
                    reply
                }
            }
        };
        let still_asking = s
            .services
            .as_ref()
            .is_some_and(|b| b.stage == Stage::AskLocation);
        if asked && !still_asking {
            let removed = reply
                .messages
                .iter()
                .any(|m| m.keyboard == Some(ReplyKeyboard::Remove));
            if reply.effect == Some(Effect::Forget) {
                // The quick exit leaves one neutral message; it must also take the keyboard away.
                if let Some(m) = reply.messages.first_mut() {
                    m.buttons.clear();
                    m.keyboard = Some(ReplyKeyboard::Remove);
                }
            } else if !removed {
                reply
                    .messages
                    .insert(0, self.keyboard_off(s, "services-location-cancelled"));
            }
        }
        reply
    }

    fn services_button(&self, s: &mut Session, data: &str, world: World<'_>) -> Reply {
        let stale = |this: &Content, s: &mut Session| {
            this.services_screen(s, world, Screen::new().note("note-stale"))
        };
        let Some(b) = s.services.as_mut() else {
            // A button of an old results message: start again from her country's cities.
            s.at = services_position();
            s.services = Some(Browse {
                country: s.country,
                ..Browse::default()
            });
            return stale(self, s);
        };
        let rest = &data[PREFIX.len()..];
        let (head, arg) = rest.split_once(':').unwrap_or((rest, ""));
        let cities = world.directory.cities();
        let mut count = None;
        match (head, arg) {
            ("where", "") => b.stage = Stage::Where,
            ("countries", "") => b.stage = Stage::Countries,
            ("loc", "") => b.stage = Stage::AskLocation,
            ("c", code) => match CountryCode::parse(&code.to_ascii_uppercase()) {
                Ok(cc) if self.country(cc).is_some() => {
                    *b = Browse {
                        country: Some(cc),
                        ..Browse::default()
                    };
                }
                _ => return stale(self, s),
            },
            ("city", id) => {
                let city = CityId::parse(id).ok().and_then(|id| cities.get(&id));
                match city {
                    Some(c) if Some(c.country) == b.country => {
                        b.city = Some(c.id.as_str().to_owned());
                        b.service_type = None;
                        b.filters.clear();
                        b.page = 0;
                        b.stage = Stage::Type;
                    }
                    _ => return stale(self, s),
                }
            }
            ("type", "") if b.city.is_some() => b.stage = Stage::Type,
            ("t", code) if b.city.is_some() => {
                let offered = self.types_offered(b.country);
                match ServiceType::parse(code) {
                    Some(t) if offered.contains(&t) => {
                        b.service_type = Some(t);
                        // Counted only with her standing consent; "any type" is not a search
                        // for anything in particular and is never counted.
                        if s.consented {
                            count = Some(Effect::CountServiceSearch {
                                country: b.country,
                                service: t,
                            });
                        }
                    }
                    None if code == "any" => b.service_type = None,
                    _ => return stale(self, s),
                }
                b.page = 0;
                b.stage = Stage::Filters;
            }
            ("filters", "") if b.city.is_some() => b.stage = Stage::Filters,
            ("f", code) if b.city.is_some() && b.stage == Stage::Filters => {
                let offered = self.filters_offered(b.country);
                match Filter::parse(code) {
                    Some(f) if offered.contains(&f) => {
                        if !b.filters.remove(&f) {
                            b.filters.insert(f);
                        }
                    }
                    _ => return stale(self, s),
                }
            }
            ("go", "") if b.city.is_some() => {
                b.page = 0;
                b.stage = Stage::Results;
            }
            ("p", n) if b.city.is_some() && b.stage == Stage::Results => match n.parse::<u32>() {
                Ok(n) if n < 1000 => b.page = n,
                _ => return stale(self, s),
            },
            _ => return stale(self, s),
        }
        s.at = services_position();
        let mut reply = self.services_screen(s, world, Screen::new());
        if count.is_some() {
            reply.effect = count;
        }
        reply
    }

    /// Her shared location, reduced at once to the nearest known city. The coordinates go no
    /// further than this function: not into her session, not into a log line.
    fn services_location(
        &self,
        s: &mut Session,
        latitude: f64,
        longitude: f64,
        world: World<'_>,
    ) -> Reply {
        let nearest = world
            .directory
            .cities()
            .nearest(latitude, longitude, NEAREST_CITY_MAX_KM)
            .map(|c| {
                (
                    c.id.as_str().to_owned(),
                    c.country,
                    c.name(s.locale).to_owned(),
                )
            });
        let Some(b) = s.services.as_mut() else {
            return self.services_screen(s, world, Screen::new());
        };
        match nearest {
            Some((city, country, name)) => {
                *b = Browse {
                    stage: Stage::Type,
                    country: Some(country),
                    city: Some(city),
                    ..Browse::default()
                };
                let mut d = Draft::new(self, s);
                let args = Args::new().text("city", name);
                let text = d.t_with("services-location-city", &args);
                d.paragraphs.push(text);
                let first = OutMessage {
                    text: d.paragraphs.join("\n\n"),
                    buttons: Vec::new(),
                    protect: false,
                    keyboard: Some(ReplyKeyboard::Remove),
                };
                let mut reply = self.services_screen(s, world, Screen::new());
                reply.messages.insert(0, first);
                reply
            }
            None => {
                b.stage = Stage::Where;
                let mut reply = self.services_screen(s, world, Screen::new());
                reply
                    .messages
                    .insert(0, self.keyboard_off(s, "services-location-far"));
                reply
            }
        }
    }

    fn keyboard_off(&self, s: &Session, id: &str) -> OutMessage {
        let d = Draft::new(self, s);
        OutMessage {
            text: d.t(id),
            buttons: Vec::new(),
            protect: false,
            keyboard: Some(ReplyKeyboard::Remove),
        }
    }

    fn types_offered(&self, country: Option<CountryCode>) -> Vec<ServiceType> {
        let ost = country
            .and_then(|c| self.country(c))
            .is_some_and(|c| c.ost_legal);
        ServiceType::ALL
            .iter()
            .copied()
            .filter(|t| ost || *t != ServiceType::Ost)
            .collect()
    }

    fn filters_offered(&self, country: Option<CountryCode>) -> Vec<Filter> {
        let ost = country
            .and_then(|c| self.country(c))
            .is_some_and(|c| c.ost_legal);
        Filter::ALL
            .iter()
            .copied()
            .filter(|f| ost || *f != Filter::AcceptsOst)
            .collect()
    }

    /// The screen of her current stage.
    fn services_screen(&self, s: &mut Session, world: World<'_>, screen: Screen) -> Reply {
        let Some(mut b) = s.services.clone() else {
            return self.current(s, screen);
        };
        let cities = world.directory.cities();
        let city = b
            .city
            .as_deref()
            .and_then(|id| CityId::parse(id).ok())
            .and_then(|id| cities.get(&id));
        // Screens past the city need a known city; without her country, ask it first.
        if city.is_none() && matches!(b.stage, Stage::Type | Stage::Filters | Stage::Results) {
            b.stage = Stage::Where;
            b.city = None;
        }
        if b.country.is_none() && b.stage == Stage::Where {
            b.stage = Stage::Countries;
        }
        let country = b.country.and_then(|c| self.country(c));
        let mut d = Draft::new(self, s);
        if let Some(c) = country {
            d.args = d.args.clone().text(
                "country",
                self.localizer.text(s.locale, &c.name, &Args::new()),
            );
        }
        if let Some(c) = city {
            d.args = d.args.clone().text("city", c.name(s.locale).to_owned());
        }
        for note in screen.notes() {
            d.say(note);
        }
        let back_menu = |d: &Draft<'_>| d.button("btn-menu", global::MENU);
        let message = match b.stage {
            Stage::Where => {
                d.say("services-where");
                let buttons: Vec<Button> = b
                    .country
                    .map(|cc| {
                        cities
                            .in_country(cc)
                            .map(|c| Button {
                                label: c.name(s.locale).to_owned(),
                                data: data(&["city", c.id.as_str()]),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                d.pairs(buttons);
                let loc = d.button("services-btn-location", data(&["loc"]));
                d.row(vec![loc]);
                let other = d.button("services-btn-country", data(&["countries"]));
                let menu = back_menu(&d);
                d.row(vec![other, menu]);
                d.finish(false)
            }
            Stage::Countries => {
                d.say("services-country");
                let buttons: Vec<Button> = self
                    .countries
                    .iter()
                    .map(|c| d.button(&c.name, data(&["c", &c.code.as_str().to_ascii_lowercase()])))
                    .collect();
                d.pairs(buttons);
                let loc = d.button("services-btn-location", data(&["loc"]));
                d.row(vec![loc]);
                let menu = back_menu(&d);
                d.row(vec![menu]);
                d.finish(false)
            }
            Stage::AskLocation => OutMessage {
                text: d
                    .paragraphs
                    .iter()
                    .cloned()
                    .chain([d.t("services-location-ask")])
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                buttons: Vec::new(),
                protect: false,
                keyboard: Some(ReplyKeyboard::AskLocation {
                    share: d.t("services-btn-send-location"),
                    back: d.t("services-btn-back"),
                }),
            },
            Stage::Type => {
                d.say("services-type");
                let types = self.types_offered(b.country);
                let mut buttons: Vec<Button> = types
                    .iter()
                    .map(|t| {
                        d.button(
                            &format!("services-type-{}", t.code()),
                            data(&["t", t.code()]),
                        )
                    })
                    .collect();
                buttons.push(d.button("services-btn-any-type", data(&["t", "any"])));
                d.pairs(buttons);
                if types.contains(&ServiceType::HarmReduction) {
                    legal_note(&mut d, country);
                }
                let back = d.button("services-btn-back", data(&["where"]));
                let menu = back_menu(&d);
                d.row(vec![back, menu]);
                d.finish(false)
            }
            Stage::Filters => {
                d.say("services-filters");
                let buttons: Vec<Button> = self
                    .filters_offered(b.country)
                    .into_iter()
                    .map(|f| {
                        let label = d.t(&format!("services-filter-{}", f.code()));
                        let label = if b.filters.contains(&f) {
                            format!("✓ {label}")
                        } else {
                            label
                        };
                        Button {
                            label,
                            data: data(&["f", f.code()]),
                        }
                    })
                    .collect();
                // One a row: the labels are long.
                for button in buttons {
                    d.row(vec![button]);
                }
                let show = d.button("services-btn-show", data(&["go"]));
                d.row(vec![show]);
                let back = d.button("services-btn-back", data(&["type"]));
                let menu = back_menu(&d);
                d.row(vec![back, menu]);
                d.finish(false)
            }
            Stage::Results => {
                let Some(city) = city else {
                    // Unreachable: checked above.
                    return self.current(s, Screen::new());
                };
                self.results(s, &mut b, &mut d, city.id.clone(), country, world);
                d.finish(false)
            }
        };
        s.services = Some(b);
        Reply {
            messages: vec![message],
            effect: None,
        }
    }

    fn results(
        &self,
        s: &Session,
        b: &mut Browse,
        d: &mut Draft<'_>,
        city: CityId,
        country: Option<&Country>,
        world: World<'_>,
    ) {
        let mut query = Query::new(city, s.locale);
        query.service_type = b.service_type;
        query.filters = b.filters.iter().copied().collect();
        let mut page = world
            .directory
            .search(&query.clone().page(b.page as usize, PER_PAGE), world.now);
        if let Ok(p) = &page
            && p.cards.is_empty()
            && p.pages > 0
        {
            // A page that no longer exists (the directory shrank): the last one.
            b.page = u32::try_from(p.pages - 1).unwrap_or(0);
            page = world
                .directory
                .search(&query.page(b.page as usize, PER_PAGE), world.now);
        }
        let page = match page {
            Ok(p) if p.total > 0 => p,
            _ => {
                // Nothing: say so kindly, and what is always there.
                d.say("services-none");
                self.hotlines_of(country, d);
                let talk = d.button("services-none-talk", global::TALK);
                d.row(vec![talk]);
                let filters = d.button("services-btn-filters", data(&["filters"]));
                let again = d.button("services-btn-new-search", data(&["where"]));
                d.row(vec![filters, again]);
                let menu = d.button("btn-menu", global::MENU);
                d.row(vec![menu]);
                return;
            }
        };
        d.protect = true;
        let args = d
            .args
            .clone()
            .number("count", i64::try_from(page.total).unwrap_or(i64::MAX));
        let header = d.t_with("services-results", &args);
        d.paragraphs.push(header);
        if page.pages > 1 {
            let args = Args::new()
                .number("page", i64::from(b.page) + 1)
                .number("pages", i64::try_from(page.pages).unwrap_or(i64::MAX));
            let text = d.t_with("services-page", &args);
            d.join_last(&text);
        }
        for card in &page.cards {
            let text = self.card_text(d, card);
            d.paragraphs.push(text);
        }
        let harm_reduction = b.service_type == Some(ServiceType::HarmReduction)
            || page
                .cards
                .iter()
                .any(|c| c.types.contains(&ServiceType::HarmReduction));
        if harm_reduction {
            legal_note(d, country);
        }
        let mut nav = Vec::new();
        if b.page > 0 {
            nav.push(d.button(
                "services-btn-previous",
                data(&["p", &(b.page - 1).to_string()]),
            ));
        }
        if (b.page as usize) + 1 < page.pages {
            nav.push(d.button("services-btn-more", data(&["p", &(b.page + 1).to_string()])));
        }
        d.row(nav);
        let filters = d.button("services-btn-filters", data(&["filters"]));
        let again = d.button("services-btn-new-search", data(&["where"]));
        d.row(vec![filters, again]);
        let menu = d.button("btn-menu", global::MENU);
        d.row(vec![menu]);
    }

    /// One short card. Listing text is put in as it is: messages are plain text (no parse
    /// mode), so `<b>` or `*` in a listing arrives literally.
    fn card_text(&self, d: &Draft<'_>, card: &Card) -> String {
        let mut lines = vec![format!("▪ {}", card.name)];
        for phone in &card.phones {
            match &phone.description {
                Some(desc) if !desc.is_empty() => {
                    lines.push(format!("☎ {} ({desc})", phone.number.as_str()))
                }
                _ => lines.push(format!("☎ {}", phone.number.as_str())),
            }
        }
        if !card.hours.is_empty() {
            let hours: Vec<String> = card
                .hours
                .iter()
                .map(|h| {
                    let days = day_ranges(d, &h.days);
                    let time = if h.all_day {
                        d.t("services-all-day")
                    } else {
                        format!("{}–{}", h.opens.format("%H:%M"), h.closes.format("%H:%M"))
                    };
                    match &h.note {
                        Some(note) if !note.is_empty() => format!("{days} {time} ({note})"),
                        _ => format!("{days} {time}"),
                    }
                })
                .collect();
            let mut line = format!("🕘 {}", hours.join("; "));
            match card.open_now {
                Some(true) => line.push_str(&format!(" · {}", d.t("services-open-now"))),
                Some(false) => line.push_str(&format!(" · {}", d.t("services-closed-now"))),
                None => {}
            }
            lines.push(line);
        }
        if !card.languages.is_empty() {
            let languages: Vec<String> = card
                .languages
                .iter()
                .map(|l| match Locale::parse(l.as_str()) {
                    Ok(locale) => self.localizer.text(locale, "lang-name", &Args::new()),
                    Err(_) => l.as_str().to_owned(),
                })
                .collect();
            lines.push(format!("🗣 {}", languages.join(", ")));
        }
        if !card.filters.is_empty() {
            let filters: Vec<String> = card
                .filters
                .iter()
                .map(|f| d.t(&format!("services-filter-{}", f.code())))
                .collect();
            lines.push(format!("✔ {}", filters.join(", ")));
        }
        let km = if card.distance_km > 0 {
            let args = Args::new().number("km", i64::from(card.distance_km));
            format!(" · {}", d.t_with("services-km", &args))
        } else {
            String::new()
        };
        match &card.location {
            PublicLocation::PhoneOnly { city_name, .. } => {
                lines.push(format!(
                    "📍 {city_name}{km} · {}",
                    d.t("services-phone-only")
                ));
            }
            PublicLocation::Address {
                city_name, street, ..
            } => match street {
                Some(street) if !street.is_empty() => {
                    lines.push(format!("📍 {city_name}, {street}{km}"))
                }
                _ => lines.push(format!("📍 {city_name}{km}")),
            },
        }
        match card.days_since_verified {
            Some(days) => {
                let args = Args::new().number("days", days);
                lines.push(d.t_with("services-verified", &args));
            }
            None => lines.push(d.t("services-never-verified")),
        }
        if card.stale {
            lines.push(format!("⚠ {}", d.t("services-stale")));
        }
        lines.join("\n")
    }
}

/// The country's legal-risk note (Russia), wherever harm reduction shows.
fn legal_note(d: &mut Draft<'_>, country: Option<&Country>) {
    if let Some(note) = country.and_then(|c| c.harm_reduction_note.as_deref()) {
        d.say(note);
    }
}

/// `Mon–Fri, Sun` in her language: runs of three or more days are shown as a range.
fn day_ranges(d: &Draft<'_>, days: &[Weekday]) -> String {
    let mut sorted: Vec<u32> = days.iter().map(|w| w.num_days_from_monday()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        let first = weekday(sorted[i]);
        let last = weekday(sorted[j]);
        if j - i >= 2 {
            out.push(format!("{}–{}", day(d, first), day(d, last)));
        } else {
            out.extend(sorted[i..=j].iter().map(|n| day(d, weekday(*n))));
        }
        i = j + 1;
    }
    out.join(", ")
}

fn weekday(n: u32) -> Weekday {
    Weekday::try_from(u8::try_from(n).unwrap_or(0)).unwrap_or(Weekday::Mon)
}

fn day(d: &Draft<'_>, w: Weekday) -> String {
    let code = match w {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    };
    d.t(&format!("services-day-{code}"))
}
