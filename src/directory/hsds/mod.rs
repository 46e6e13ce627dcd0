//! Open Referral HSDS 3.0 import and export: JSON here, the tabular CSV package in [`csv`].
//!
//! The JSON document holds three lists, as HSDS's objects do:
//! `organizations`, `locations` (with `addresses` and `attributes`) and `services` (with `phones`,
//! `schedules`, `languages`, `attributes` and `service_at_locations`), plus `taxonomy_terms`
//! (our taxonomy `helpline`). Extensions, ignored by other HSDS readers: `translations`
//! (`[{locale, name, description}]`) on organizations and services, and `country` + `city` on a
//! location without an address (a confidential one).
//!
//! Reading collects every problem, each naming its place (`services[3].phones[0].number: …`, or
//! `phones.csv:12: column number: …` for CSV), and yields a [`Catalog`] only when there is none.
//! Fields we do not use are ignored and listed as warnings. A confidential location with an
//! address or coordinates is an error: the directory never holds them, so it cannot leak them.

pub mod csv;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use serde_json::{Map, Value, json};

use super::cities::Cities;
use super::model::{
    Address, Attribute, CONFIDENTIAL_TERM, Catalog, GeoPoint, Language, LanguageCode, Location,
    MAX_CHILDREN, MAX_DESCRIPTION, MAX_NAME, MAX_SHORT, Organization, Phone, Placement, RecordId,
    Schedule, Service, ServiceAtLocation, ServiceTerm, Status, TAXONOMY, Text, check_text,
    format_time, parse_time, parse_weekday, weekday_code,
};
use crate::domain::{CountryCode, Locale, PhoneNumber};

/// Most problems reported for one file; past that the file is probably not HSDS at all.
pub const MAX_PROBLEMS: usize = 200;

/// One thing wrong with an import file, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `services[3].phones[0].number` (JSON) or `phones.csv:12: column number` (CSV).
    pub at: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// A file was refused; nothing was changed. Every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A file read without problems.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub catalog: Catalog,
    /// Fields present in the file that the directory does not keep (`services[].fees`), once
    /// each: they will not be in an export.
    pub ignored: BTreeSet<String>,
}

/// One step of a path into the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) type Path = Vec<Seg>;

pub(crate) fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The same path with indexes removed (`services[].fees`), for warnings.
fn generic_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(_) => out.push_str("[]"),
        }
    }
    out
}

fn child(path: &[Seg], key: &str) -> Path {
    let mut p = path.to_vec();
    p.push(Seg::Key(key.to_owned()));
    p
}

fn item(path: &[Seg], i: usize) -> Path {
    let mut p = path.to_vec();
    p.push(Seg::Index(i));
    p
}

/// Reads a JSON document.
pub fn read_json(text: &str, cities: &Cities) -> Result<Parsed, Problems> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Problems(vec![Problem {
            at: format!("line {}, column {}", e.line(), e.column()),
            message: format!("not valid JSON ({})", e.classify_kind()),
        }])
    })?;
    read_value(&value, cities).map_err(|problems| {
        Problems(
            problems
                .into_iter()
                .map(|(path, message)| Problem {
                    at: render_path(&path),
                    message,
                })
                .collect(),
        )
    })
}

trait Classify {
    fn classify_kind(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    fn classify_kind(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "could not be read",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "the file ends too early",
        }
    }
}

/// Reads a document already parsed into JSON values (the CSV reader builds one too), returning
/// problems by path.
pub(crate) fn read_value(value: &Value, cities: &Cities) -> Result<Parsed, Vec<(Path, String)>> {
    let mut r = Reader {
        problems: Vec::new(),
        ignored: BTreeSet::new(),
        cities,
    };
    let catalog = r.document(value);
    if r.problems.is_empty() {
        Ok(Parsed {
            catalog,
            ignored: r.ignored,
        })
    } else {
        r.problems.truncate(MAX_PROBLEMS);
        Err(r.problems)
    }
}

struct Reader<'c> {
    problems: Vec<(Path, String)>,
    ignored: BTreeSet<String>,
    cities: &'c Cities,
}

/// An object being read, with its path and the fields it may have.
struct Obj<'v> {
    map: &'v Map<String, Value>,
    path: Path,
}

const ORGANIZATION_FIELDS: &[&str] = &["id", "name", "description", "website", "translations"];
const SERVICE_FIELDS: &[&str] = &[
    "id",
    "organization_id",
    "name",
    "description",
    "status",
    "assured_date",
    "url",
    "email",
    "translations",
    "phones",
    "schedules",
    "languages",
    "attributes",
    "service_at_locations",
];
const LOCATION_FIELDS: &[&str] = &[
    "id",
    "organization_id",
    "name",
    "location_type",
    "latitude",
    "longitude",
    "addresses",
    "attributes",
    "country",
    "city",
];
const ADDRESS_FIELDS: &[&str] = &[
    "id",
    "location_id",
    "address_1",
    "city",
    "state_province",
    "postal_code",
    "country",
    "address_type",
];
const PHONE_FIELDS: &[&str] = &["id", "service_id", "number", "description"];
const SCHEDULE_FIELDS: &[&str] = &[
    "id",
    "service_id",
    "freq",
    "interval",
    "byday",
    "opens_at",
    "closes_at",
    "description",
];
const LANGUAGE_FIELDS: &[&str] = &["id", "service_id", "code", "name"];
const ATTRIBUTE_FIELDS: &[&str] = &[
    "id",
    "link_id",
    "link_type",
    "link_entity",
    "taxonomy_term_id",
    "taxonomy_term",
];
const AT_LOCATION_FIELDS: &[&str] = &["id", "service_id", "location_id"];
const TRANSLATION_FIELDS: &[&str] = &["locale", "name", "description", "link_entity", "link_id"];
const TERM_FIELDS: &[&str] = &["id", "code", "name", "description", "taxonomy"];

impl<'c> Reader<'c> {
    fn problem(&mut self, path: Path, message: impl Into<String>) {
        self.problems.push((path, message.into()));
    }

    fn object<'v>(&mut self, value: &'v Value, path: Path, fields: &[&str]) -> Option<Obj<'v>> {
        let Some(map) = value.as_object() else {
            self.problem(path, "must be an object");
            return None;
        };
        for key in map.keys() {
            if !fields.contains(&key.as_str()) {
                self.ignored.insert(generic_path(&child(&path, key)));
            }
        }
        Some(Obj { map, path })
    }

    fn list<'v>(&mut self, o: &Obj<'v>, key: &str, fields: &[&str]) -> Vec<Obj<'v>> {
        let path = child(&o.path, key);
        match o.map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                if items.len() > MAX_CHILDREN
                    && key != "services"
                    && key != "organizations"
                    && key != "locations"
                {
                    self.problem(
                        path.clone(),
                        format!(
                            "has {} entries, at most {MAX_CHILDREN} are allowed",
                            items.len()
                        ),
                    );
                }
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| self.object(v, item(&path, i), fields))
                    .collect()
            }
            Some(_) => {
                self.problem(path, "must be a list");
                Vec::new()
            }
        }
    }

    /// A string field; `None` when absent, null or (with a problem) not a string.
    fn opt_str<'v>(&mut self, o: &Obj<'v>, key: &str) -> Option<&'v str> {
        match o.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.problem(child(&o.path, key), "must be a string");
                None
            }
        }
    }

    fn str<'v>(&mut self, o: &Obj<'v>, key: &str) -> Option<&'v str> {
        let value = self.opt_str(o, key);
        if value.is_none() && !matches!(o.map.get(key), Some(v) if !v.is_null()) {
            self.problem(child(&o.path, key), "is required");
        }
        value
    }

    /// A text field with its length rule; empty strings count as absent.
    fn text(&mut self, o: &Obj<'_>, key: &str, max: usize, multiline: bool) -> Option<String> {
        let value = self.opt_str(o, key)?;
        if let Err(e) = check_text(value, max, multiline) {
            self.problem(child(&o.path, key), e);
            return None;
        }
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn name(&mut self, o: &Obj<'_>, key: &str) -> Option<String> {
        let present = self.str(o, key).is_some();
        let value = self.text(o, key, MAX_NAME, false);
        if present
            && value.as_deref().is_none_or(|v| v.trim().is_empty())
            && !self.has_problem_at(&child(&o.path, key))
        {
            self.problem(child(&o.path, key), "is empty");
        }
        value.filter(|v| !v.trim().is_empty())
    }

    fn has_problem_at(&self, path: &[Seg]) -> bool {
        self.problems.iter().any(|(p, _)| p == path)
    }

    fn id(&mut self, o: &Obj<'_>, key: &str) -> Option<RecordId> {
        let value = self.str(o, key)?;
        RecordId::parse(value)
            .map_err(|e| self.problem(child(&o.path, key), e))
            .ok()
    }

    fn opt_id(&mut self, o: &Obj<'_>, key: &str) -> Option<RecordId> {
        let value = self.opt_str(o, key).filter(|v| !v.is_empty())?;
        RecordId::parse(value)
            .map_err(|e| self.problem(child(&o.path, key), e))
            .ok()
    }

    fn number(&mut self, o: &Obj<'_>, key: &str) -> Option<f64> {
        match o.map.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(_) => {
                self.problem(child(&o.path, key), "must be a number");
                None
            }
        }
    }

    fn unique(
        &mut self,
        seen: &mut HashSet<RecordId>,
        id: &Option<RecordId>,
        o: &Obj<'_>,
        what: &str,
    ) {
        if let Some(id) = id
            && !seen.insert(id.clone())
        {
            self.problem(
                child(&o.path, "id"),
                format!("another {what} already has the id {:?}", id.as_str()),
            );
        }
    }

    fn translations(
        &mut self,
        o: &Obj<'_>,
        name: &mut Text,
        description: &mut Text,
        max_name: usize,
    ) {
        for t in self.list(o, "translations", TRANSLATION_FIELDS) {
            let Some(code) = self.str(&t, "locale") else {
                continue;
            };
            let locale = match Locale::parse(code) {
                Ok(l) if l.code() == code => l,
                _ => {
                    self.problem(
                        child(&t.path, "locale"),
                        format!(
                            "unknown locale {:?}: expected one of en, uk, ru, kk, sr, mk, sq",
                            code.chars().take(16).collect::<String>()
                        ),
                    );
                    continue;
                }
            };
            if name.translations.contains_key(&locale)
                || description.translations.contains_key(&locale)
            {
                self.problem(
                    child(&t.path, "locale"),
                    format!("{locale} is translated twice"),
                );
            }
            if let Some(n) = self.text(&t, "name", max_name, false) {
                name.translations.insert(locale, n);
            }
            if let Some(d) = self.text(&t, "description", MAX_DESCRIPTION, true) {
                description.translations.insert(locale, d);
            }
        }
    }

    fn document(&mut self, value: &Value) -> Catalog {
        let Some(root) = self.object(
            value,
            Vec::new(),
            &["organizations", "services", "locations", "taxonomy_terms"],
        ) else {
            return Catalog::default();
        };
        let terms = self.taxonomy_terms(&root);

        let mut catalog = Catalog::default();
        let mut seen = HashSet::new();
        for o in self.list(&root, "organizations", ORGANIZATION_FIELDS) {
            let id = self.id(&o, "id");
            self.unique(&mut seen, &id, &o, "organization");
            let name = self.name(&o, "name");
            let mut name = Text::plain(name.clone().unwrap_or_default());
            let mut description = Text::plain(
                self.text(&o, "description", MAX_DESCRIPTION, true)
                    .unwrap_or_default(),
            );
            self.translations(&o, &mut name, &mut description, MAX_NAME);
            let website = self.text(&o, "website", MAX_SHORT, false);
            if let Some(id) = id {
                catalog.organizations.push(Organization {
                    id,
                    name,
                    description,
                    website,
                });
            }
        }
        let organizations: HashSet<RecordId> =
            catalog.organizations.iter().map(|o| o.id.clone()).collect();

        let mut seen = HashSet::new();
        let locations_list = self.list(&root, "locations", LOCATION_FIELDS);
        for o in &locations_list {
            let id = self.id(o, "id");
            self.unique(&mut seen, &id, o, "location");
            if let Some(location) = self.location(o, id, &organizations, &terms) {
                catalog.locations.push(location);
            }
        }
        let locations: HashMap<RecordId, bool> = catalog
            .locations
            .iter()
            .map(|l| (l.id.clone(), l.is_confidential()))
            .collect();

        let mut seen = Seen::default();
        for o in self.list(&root, "services", SERVICE_FIELDS) {
            if let Some(service) = self.service(&o, &organizations, &locations, &terms, &mut seen) {
                catalog.services.push(service);
            }
        }
        catalog
    }

    /// The file's taxonomy terms: id → code. Every code must be one of ours.
    fn taxonomy_terms(&mut self, root: &Obj<'_>) -> HashMap<String, String> {
        let mut terms = HashMap::new();
        for t in self.list(root, "taxonomy_terms", TERM_FIELDS) {
            let id = self.str(&t, "id");
            let code = self.str(&t, "code");
            if let Some(taxonomy) = self.opt_str(&t, "taxonomy")
                && taxonomy != TAXONOMY
            {
                self.problem(
                    child(&t.path, "taxonomy"),
                    format!(
                        "unknown taxonomy {:?}: terms must be from {TAXONOMY:?}",
                        taxonomy.chars().take(40).collect::<String>()
                    ),
                );
            }
            if let Some(code) = code {
                if ServiceTerm::parse(code).is_none() && code != CONFIDENTIAL_TERM {
                    self.problem(child(&t.path, "code"), unknown_term(code));
                } else if let Some(id) = id {
                    terms.insert(id.to_owned(), code.to_owned());
                }
            }
        }
        terms
    }

    /// An attribute's term code, from `taxonomy_term_id` (a term of the file, or our code itself)
    /// or an embedded `taxonomy_term`.
    fn term_code(&mut self, a: &Obj<'_>, terms: &HashMap<String, String>) -> Option<String> {
        if let Some(id) = self
            .opt_str(a, "taxonomy_term_id")
            .filter(|s| !s.is_empty())
        {
            let code = terms.get(id).cloned().unwrap_or_else(|| id.to_owned());
            if ServiceTerm::parse(&code).is_none() && code != CONFIDENTIAL_TERM {
                self.problem(child(&a.path, "taxonomy_term_id"), unknown_term(&code));
                return None;
            }
            return Some(code);
        }
        if let Some(value) = a.map.get("taxonomy_term") {
            let t = self.object(value, child(&a.path, "taxonomy_term"), TERM_FIELDS)?;
            let code = self.str(&t, "code")?;
            if ServiceTerm::parse(code).is_none() && code != CONFIDENTIAL_TERM {
                self.problem(child(&t.path, "code"), unknown_term(code));
                return None;
            }
            return Some(code.to_owned());
        }
        self.problem(child(&a.path, "taxonomy_term_id"), "is required");
        None
    }

    fn location(
        &mut self,
        o: &Obj<'_>,
        id: Option<RecordId>,
        organizations: &HashSet<RecordId>,
        terms: &HashMap<String, String>,
    ) -> Option<Location> {
        let organization_id = self.opt_id(o, "organization_id");
        if let Some(org) = &organization_id
            && !organizations.contains(org)
        {
            self.problem(
                child(&o.path, "organization_id"),
                format!("no organization with id {:?} in this file", org.as_str()),
            );
        }
        let name = self.text(o, "name", MAX_NAME, false);
        let mut confidential = false;
        for a in self.list(o, "attributes", ATTRIBUTE_FIELDS) {
            self.id(&a, "id");
            match self.term_code(&a, terms).as_deref() {
                Some(CONFIDENTIAL_TERM) => confidential = true,
                Some(other) => self.problem(
                    child(&a.path, "taxonomy_term_id"),
                    format!("{other:?} describes a service, not a location; the only location term is {CONFIDENTIAL_TERM:?}"),
                ),
                None => {}
            }
        }
        let location_type = self.opt_str(o, "location_type");
        let latitude = self.number(o, "latitude");
        let longitude = self.number(o, "longitude");
        let addresses = self.list(o, "addresses", ADDRESS_FIELDS);

        if confidential {
            if location_type.is_some_and(|t| t != "virtual") {
                self.problem(
                    child(&o.path, "location_type"),
                    "a confidential location is \"virtual\": it is reached by phone only",
                );
            }
            for key in ["latitude", "longitude"] {
                if o.map.get(key).is_some_and(|v| !v.is_null()) {
                    self.problem(child(&o.path, key), "a confidential location must not have coordinates: the directory never stores, shows or exports where a confidential shelter is");
                }
            }
            if !addresses.is_empty() {
                self.problem(child(&o.path, "addresses"), "a confidential location must not have an address: the directory never stores, shows or exports where a confidential shelter is; give its country and city only");
            }
            let (country, city) = self.country_and_city(o)?;
            return Some(Location {
                id: id?,
                organization_id,
                name,
                country,
                city,
                placement: Placement::Confidential,
            });
        }

        if let Some(t) = location_type
            && t != "physical"
        {
            self.problem(
                child(&o.path, "location_type"),
                format!(
                    "must be \"physical\" (or \"virtual\" with the {CONFIDENTIAL_TERM:?} attribute)"
                ),
            );
        }
        let point = match (latitude, longitude) {
            (Some(lat), Some(lon)) => GeoPoint::new(lat, lon)
                .map_err(|e| self.problem(child(&o.path, "latitude"), e))
                .ok(),
            (None, None) => None,
            (Some(_), None) => {
                if !self.has_problem_at(&child(&o.path, "longitude")) {
                    self.problem(child(&o.path, "longitude"), "is required with latitude");
                }
                None
            }
            (None, Some(_)) => {
                if !self.has_problem_at(&child(&o.path, "latitude")) {
                    self.problem(child(&o.path, "latitude"), "is required with longitude");
                }
                None
            }
        };
        if addresses.len() > 1 {
            self.problem(
                child(&o.path, "addresses"),
                "at most one address per location",
            );
        }
        let (address, country, city) = match addresses.first() {
            Some(a) => {
                self.opt_id(a, "id");
                if let Some(t) = self.opt_str(a, "address_type")
                    && t != "physical"
                {
                    self.problem(child(&a.path, "address_type"), "must be \"physical\"");
                }
                let street = self.text(a, "address_1", MAX_SHORT, false);
                if street.is_none() && !self.has_problem_at(&child(&a.path, "address_1")) {
                    self.problem(child(&a.path, "address_1"), "is required");
                }
                let postal_code = self.text(a, "postal_code", 20, false);
                self.text(a, "state_province", MAX_SHORT, false);
                let (country, city) = self.country_and_city(a)?;
                for key in ["country", "city"] {
                    if o.map.get(key).is_some_and(|v| !v.is_null()) {
                        self.problem(
                            child(&o.path, key),
                            "give the country and city in the address only",
                        );
                    }
                }
                (
                    street.map(|street| Address {
                        street,
                        postal_code,
                    }),
                    country,
                    city,
                )
            }
            None => {
                let (country, city) = self.country_and_city(o)?;
                (None, country, city)
            }
        };
        Some(Location {
            id: id?,
            organization_id,
            name,
            country,
            city,
            placement: Placement::Public { address, point },
        })
    }

    fn country_and_city(&mut self, o: &Obj<'_>) -> Option<(CountryCode, super::cities::CityId)> {
        let country = self.str(o, "country");
        let city = self.str(o, "city");
        let country = match CountryCode::parse(country?) {
            Ok(c) => c,
            Err(e) => {
                self.problem(child(&o.path, "country"), e.to_string());
                return None;
            }
        };
        let city_name = city?;
        match self.cities.find(country, city_name) {
            Some(c) => Some((country, c.id.clone())),
            None => {
                let known: Vec<&str> = self
                    .cities
                    .in_country(country)
                    .map(|c| c.export_name())
                    .collect();
                let message = if known.is_empty() {
                    format!("no known cities in {country}; add them to the list of cities first")
                } else {
                    format!(
                        "{:?} is not a known city in {country} (known: {})",
                        city_name.chars().take(60).collect::<String>(),
                        known.join(", ")
                    )
                };
                self.problem(child(&o.path, "city"), message);
                None
            }
        }
    }

    fn service(
        &mut self,
        o: &Obj<'_>,
        organizations: &HashSet<RecordId>,
        locations: &HashMap<RecordId, bool>,
        terms: &HashMap<String, String>,
        seen: &mut Seen,
    ) -> Option<Service> {
        let id = self.id(o, "id");
        self.unique(&mut seen.services, &id, o, "service");
        let organization_id = self.id(o, "organization_id");
        if let Some(org) = &organization_id
            && !organizations.contains(org)
        {
            self.problem(
                child(&o.path, "organization_id"),
                format!("no organization with id {:?} in this file", org.as_str()),
            );
        }
        let name = self.name(o, "name");
        let mut name = Text::plain(name.unwrap_or_default());
        let mut description = Text::plain(
            self.text(o, "description", MAX_DESCRIPTION, true)
                .unwrap_or_default(),
        );
        self.translations(o, &mut name, &mut description, MAX_NAME);
        let status = match self.str(o, "status") {
            Some(s) => Status::parse(s).or_else(|| {
                self.problem(
                    child(&o.path, "status"),
                    "must be \"active\" or \"inactive\"",
                );
                None
            }),
            None => None,
        };
        let assured_date = self
            .opt_str(o, "assured_date")
            .filter(|s| !s.is_empty())
            .and_then(|s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| {
                        self.problem(child(&o.path, "assured_date"), "must be a date YYYY-MM-DD")
                    })
                    .ok()
            });
        let url = self.text(o, "url", MAX_SHORT, false);
        let email = self.text(o, "email", MAX_SHORT, false);

        let mut phones = Vec::new();
        for p in self.list(o, "phones", PHONE_FIELDS) {
            let id = self.id(&p, "id");
            self.unique(&mut seen.phones, &id, &p, "phone");
            let number = self.str(&p, "number").and_then(|n| {
                PhoneNumber::parse(n)
                    .map_err(|e| self.problem(child(&p.path, "number"), e.to_string()))
                    .ok()
            });
            let description = self.text(&p, "description", MAX_SHORT, false);
            if let (Some(id), Some(number)) = (id, number) {
                phones.push(Phone {
                    id,
                    number,
                    description,
                });
            }
        }

        let mut schedules = Vec::new();
        for s in self.list(o, "schedules", SCHEDULE_FIELDS) {
            let id = self.id(&s, "id");
            self.unique(&mut seen.schedules, &id, &s, "schedule");
            if let Some(freq) = self.opt_str(&s, "freq")
                && freq != "WEEKLY"
            {
                self.problem(
                    child(&s.path, "freq"),
                    "only \"WEEKLY\" schedules are supported",
                );
            }
            if let Some(interval) = s.map.get("interval")
                && !interval.is_null()
                && interval.as_f64() != Some(1.0)
                && interval.as_str() != Some("1")
            {
                self.problem(
                    child(&s.path, "interval"),
                    "only weekly hours (interval 1) are supported",
                );
            }
            let days = self.str(&s, "byday").and_then(|byday| {
                let mut days = Vec::new();
                for code in byday.split(',').map(str::trim) {
                    match parse_weekday(code) {
                        Some(d) if !days.contains(&d) => days.push(d),
                        Some(_) => {}
                        None => {
                            self.problem(child(&s.path, "byday"), "must be days separated by commas, each one of MO, TU, WE, TH, FR, SA, SU");
                            return None;
                        }
                    }
                }
                Some(days)
            });
            let mut time = |key: &str| {
                self.str(&s, key).and_then(|t| {
                    parse_time(t)
                        .map_err(|e| self.problem(child(&s.path, key), e))
                        .ok()
                })
            };
            let opens = time("opens_at");
            let closes = time("closes_at");
            let description = self.text(&s, "description", MAX_SHORT, false);
            if let (Some(id), Some(days), Some(opens), Some(closes)) = (id, days, opens, closes) {
                schedules.push(Schedule {
                    id,
                    days,
                    opens,
                    closes,
                    description,
                });
            }
        }

        let mut languages = Vec::new();
        for l in self.list(o, "languages", LANGUAGE_FIELDS) {
            let id = self.id(&l, "id");
            self.unique(&mut seen.languages, &id, &l, "language");
            let code = self.str(&l, "code").and_then(|c| {
                LanguageCode::parse(c)
                    .map_err(|e| self.problem(child(&l.path, "code"), e))
                    .ok()
            });
            let name = self.text(&l, "name", MAX_SHORT, false);
            if let (Some(id), Some(code)) = (id, code) {
                languages.push(Language { id, code, name });
            }
        }

        let mut attributes: Vec<Attribute> = Vec::new();
        for a in self.list(o, "attributes", ATTRIBUTE_FIELDS) {
            let id = self.id(&a, "id");
            self.unique(&mut seen.attributes, &id, &a, "attribute");
            let term = match self.term_code(&a, terms) {
                Some(code) if code == CONFIDENTIAL_TERM => {
                    self.problem(
                        child(&a.path, "taxonomy_term_id"),
                        "\"confidential\" describes a location: put it on the location",
                    );
                    None
                }
                Some(code) => ServiceTerm::parse(&code),
                None => None,
            };
            if let Some(term) = term
                && attributes.iter().any(|x| x.term == term)
            {
                self.problem(
                    child(&a.path, "taxonomy_term_id"),
                    format!("{:?} is given twice", term.code()),
                );
                continue;
            }
            if let (Some(id), Some(term)) = (id, term) {
                attributes.push(Attribute { id, term });
            }
        }

        let mut at_locations = Vec::new();
        let mut confidential = false;
        let list = self.list(o, "service_at_locations", AT_LOCATION_FIELDS);
        if list.is_empty() {
            self.problem(
                child(&o.path, "service_at_locations"),
                "a service needs at least one location, or it can never be found",
            );
        }
        for a in list {
            let id = self.id(&a, "id");
            self.unique(&mut seen.at_locations, &id, &a, "service_at_location");
            let location_id = self.id(&a, "location_id");
            if let Some(l) = &location_id {
                match locations.get(l) {
                    Some(c) => confidential |= c,
                    None => self.problem(
                        child(&a.path, "location_id"),
                        format!("no location with id {:?} in this file", l.as_str()),
                    ),
                }
                if at_locations
                    .iter()
                    .any(|x: &ServiceAtLocation| &x.location_id == l)
                {
                    self.problem(
                        child(&a.path, "location_id"),
                        "the service is already at this location",
                    );
                }
            }
            if let (Some(id), Some(location_id)) = (id, location_id) {
                at_locations.push(ServiceAtLocation { id, location_id });
            }
        }
        if confidential
            && phones.is_empty()
            && !self
                .problems
                .iter()
                .any(|(p, _)| p.starts_with(&child(&o.path, "phones")))
        {
            self.problem(child(&o.path, "phones"), "a service at a confidential location is reached by phone only: give at least one number");
        }

        Some(Service {
            id: id?,
            organization_id: organization_id?,
            name,
            description,
            status: status?,
            assured_date,
            url,
            email,
            phones,
            schedules,
            languages,
            attributes,
            at_locations,
        })
    }
}

#[derive(Default)]
struct Seen {
    services: HashSet<RecordId>,
    phones: HashSet<RecordId>,
    schedules: HashSet<RecordId>,
    languages: HashSet<RecordId>,
    attributes: HashSet<RecordId>,
    at_locations: HashSet<RecordId>,
}

fn unknown_term(code: &str) -> String {
    let known: Vec<&str> = ServiceTerm::all()
        .map(ServiceTerm::code)
        .chain([CONFIDENTIAL_TERM])
        .collect();
    format!(
        "unknown taxonomy term {:?} (known: {})",
        code.chars().take(60).collect::<String>(),
        known.join(", ")
    )
}

/// Ids HSDS needs but the directory derives rather than stores: a location's address and its
/// confidential attribute. Stable, so an export imports back unchanged.
pub(crate) fn address_id(location: &RecordId) -> String {
    format!("{location}-address")
}

pub(crate) fn confidential_attribute_id(location: &RecordId) -> String {
    format!("{location}-confidential")
}

fn translations(name: &Text, description: &Text) -> Vec<Value> {
    let locales: BTreeSet<Locale> = name
        .translations
        .keys()
        .chain(description.translations.keys())
        .copied()
        .collect();
    locales
        .into_iter()
        .map(|l| {
            let mut t = Map::new();
            t.insert("locale".into(), json!(l.code()));
            if let Some(n) = name.translations.get(&l) {
                t.insert("name".into(), json!(n));
            }
            if let Some(d) = description.translations.get(&l) {
                t.insert("description".into(), json!(d));
            }
            Value::Object(t)
        })
        .collect()
}

fn put_opt(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        map.insert(key.into(), json!(v));
    }
}

fn term_json(code: &str, label: &str) -> Value {
    json!({ "id": code, "code": code, "name": label, "taxonomy": TAXONOMY })
}

/// The catalog as an HSDS JSON document. A confidential location is written without any
/// address or coordinates, because the directory holds none.
pub fn to_json(catalog: &Catalog, cities: &Cities) -> Value {
    let mut terms: Vec<Value> = ServiceTerm::all()
        .map(|t| term_json(t.code(), t.label()))
        .collect();
    terms.push(term_json(
        CONFIDENTIAL_TERM,
        "Confidential location: phone only",
    ));
    let organizations: Vec<Value> = catalog
        .organizations
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("id".into(), json!(o.id));
            m.insert("name".into(), json!(o.name.default));
            put_opt(&mut m, "description", Some(&o.description.default));
            put_opt(&mut m, "website", o.website.as_deref());
            let t = translations(&o.name, &o.description);
            if !t.is_empty() {
                m.insert("translations".into(), Value::Array(t));
            }
            Value::Object(m)
        })
        .collect();
    let locations: Vec<Value> = catalog
        .locations
        .iter()
        .map(|l| {
            let mut m = Map::new();
            m.insert("id".into(), json!(l.id));
            put_opt(
                &mut m,
                "organization_id",
                l.organization_id.as_ref().map(RecordId::as_str),
            );
            put_opt(&mut m, "name", l.name.as_deref());
            let city_name = cities
                .get(&l.city)
                .map_or(l.city.as_str(), |c| c.export_name());
            match &l.placement {
                Placement::Confidential => {
                    m.insert("location_type".into(), json!("virtual"));
                    m.insert("country".into(), json!(l.country.as_str()));
                    m.insert("city".into(), json!(city_name));
                    m.insert(
                        "attributes".into(),
                        json!([{
                            "id": confidential_attribute_id(&l.id),
                            "taxonomy_term_id": CONFIDENTIAL_TERM,
                        }]),
                    );
                }
                Placement::Public { address, point } => {
                    m.insert("location_type".into(), json!("physical"));
                    if let Some(p) = point {
                        m.insert("latitude".into(), json!(p.lat()));
                        m.insert("longitude".into(), json!(p.lon()));
                    }
                    match address {
                        Some(a) => {
                            m.insert(
                                "addresses".into(),
                                json!([{
                                    "id": address_id(&l.id),
                                    "location_id": l.id,
                                    "address_1": a.street,
                                    "city": city_name,
                                    "state_province": "",
                                    "postal_code": a.postal_code.as_deref().unwrap_or(""),
                                    "country": l.country.as_str(),
                                    "address_type": "physical",
                                }]),
                            );
                        }
                        None => {
                            m.insert("country".into(), json!(l.country.as_str()));
                            m.insert("city".into(), json!(city_name));
                        }
                    }
                }
            }
            Value::Object(m)
        })
        .collect();
    let services: Vec<Value> = catalog.services.iter().map(service_json).collect();
    json!({
        "taxonomy_terms": terms,
        "organizations": organizations,
        "locations": locations,
        "services": services,
    })
}

fn service_json(s: &Service) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(s.id));
    m.insert("organization_id".into(), json!(s.organization_id));
    m.insert("name".into(), json!(s.name.default));
    put_opt(&mut m, "description", Some(&s.description.default));
    m.insert("status".into(), json!(s.status.as_str()));
    if let Some(d) = s.assured_date {
        m.insert(
            "assured_date".into(),
            json!(d.format("%Y-%m-%d").to_string()),
        );
    }
    put_opt(&mut m, "url", s.url.as_deref());
    put_opt(&mut m, "email", s.email.as_deref());
    let t = translations(&s.name, &s.description);
    if !t.is_empty() {
        m.insert("translations".into(), Value::Array(t));
    }
    m.insert(
        "phones".into(),
        s.phones
            .iter()
            .map(|p| {
                let mut m = Map::new();
                m.insert("id".into(), json!(p.id));
                m.insert("number".into(), json!(p.number.as_str()));
                put_opt(&mut m, "description", p.description.as_deref());
                Value::Object(m)
            })
            .collect(),
    );
    m.insert(
        "schedules".into(),
        s.schedules
            .iter()
            .map(|x| {
                let mut m = Map::new();
                m.insert("id".into(), json!(x.id));
                m.insert("freq".into(), json!("WEEKLY"));
                let days: Vec<&str> = x.days.iter().map(|d| weekday_code(*d)).collect();
                m.insert("byday".into(), json!(days.join(",")));
                m.insert("opens_at".into(), json!(format_time(x.opens)));
                m.insert("closes_at".into(), json!(format_time(x.closes)));
                put_opt(&mut m, "description", x.description.as_deref());
                Value::Object(m)
            })
            .collect(),
    );
    m.insert(
        "languages".into(),
        s.languages
            .iter()
            .map(|l| {
                let mut m = Map::new();
                m.insert("id".into(), json!(l.id));
                m.insert("code".into(), json!(l.code.as_str()));
                put_opt(&mut m, "name", l.name.as_deref());
                Value::Object(m)
            })
            .collect(),
    );
    m.insert(
        "attributes".into(),
        s.attributes
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "taxonomy_term_id": a.term.code(),
                    "taxonomy_term": term_json(a.term.code(), a.term.label()),
                })
            })
            .collect(),
    );
    m.insert(
        "service_at_locations".into(),
        s.at_locations
            .iter()
            .map(|a| json!({ "id": a.id, "location_id": a.location_id }))
            .collect(),
    );
    Value::Object(m)
}

/// The catalog as pretty-printed HSDS JSON, ending with a newline.
pub fn write_json(catalog: &Catalog, cities: &Cities) -> String {
    let mut text = serde_json::to_string_pretty(&to_json(catalog, cities)).unwrap_or_default();
    text.push('\n');
    text
}
