//! The in-memory search index: a snapshot of the whole directory, rebuilt from the database after
//! every change, so searching never touches the database and gives the same answer on SQLite and
//! Postgres.
//!
//! Search takes her city (chosen, or reduced from a shared location by
//! [`Cities::nearest`](super::cities::Cities::nearest)), an optional type, any set of filters and
//! `now`; it returns [`Card`]s, the only view of a listing the bot gets. A card's location is a
//! [`PublicLocation`]: for a confidential shelter, the city and nothing else.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;

use super::cities::{Cities, City, CityId};
use super::hours;
use super::model::{
    Catalog, Filter, GeoPoint, LanguageCode, Location, Organization, Placement, RecordId, Service,
    ServiceType, Set, Status,
};
use crate::domain::{CountryCode, Locale, PhoneNumber};
use crate::flows::Country;

/// Listings not verified for this long are stale: flagged on the card, or hidden.
pub const DEFAULT_STALE_AFTER: TimeDelta = TimeDelta::days(180);

/// Most cards on one page: a Telegram message with more is too long to read on a phone.
pub const MAX_PER_PAGE: usize = 20;

/// How the directory behaves, per deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listings whose `assured_date` is older than this (or missing) are stale.
    pub stale_after: TimeDelta,
    /// Hide stale listings instead of flagging them.
    pub hide_stale: bool,
    /// Countries where OST is legal (from `flows/countries.toml`). Elsewhere the OST type and
    /// filter are neither offered nor applied nor shown: by default, nowhere.
    pub ost_legal: BTreeSet<CountryCode>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            stale_after: DEFAULT_STALE_AFTER,
            hide_stale: false,
            ost_legal: BTreeSet::new(),
        }
    }
}

impl Settings {
    /// Settings with the OST rule of each country (`ost_legal` in `flows/countries.toml`).
    pub fn for_countries(countries: &[Country]) -> Settings {
        Settings {
            ost_legal: countries
                .iter()
                .filter(|c| c.ost_legal)
                .map(|c| c.code)
                .collect(),
            ..Settings::default()
        }
    }

    pub fn ost_offered(&self, country: CountryCode) -> bool {
        self.ost_legal.contains(&country)
    }

    /// The types the bot may offer in `country`, in display order.
    pub fn types_offered(&self, country: CountryCode) -> Vec<ServiceType> {
        let ost = self.ost_offered(country);
        ServiceType::ALL
            .iter()
            .copied()
            .filter(|t| ost || *t != ServiceType::Ost)
            .collect()
    }

    /// The filters the bot may offer in `country`, in display order.
    pub fn filters_offered(&self, country: CountryCode) -> Vec<Filter> {
        let ost = self.ost_offered(country);
        Filter::ALL
            .iter()
            .copied()
            .filter(|f| ost || *f != Filter::AcceptsOst)
            .collect()
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Every matching listing in her country, nearest to her city's centre first (a public
    /// location by its coordinates, a confidential one or one without coordinates by its city's
    /// centre).
    #[default]
    Nearest,
    /// Listings in her city only: those meeting most filters first, then the most recently
    /// verified, then the nearest.
    BestMatch,
}

/// What she is looking for.
#[derive(Debug, Clone)]
pub struct Query {
    pub city: CityId,
    pub service_type: Option<ServiceType>,
    pub filters: Set<Filter>,
    pub order: Order,
    pub locale: Locale,
    /// Zero-based.
    pub page: usize,
    /// 1 to [`MAX_PER_PAGE`]; other values are clamped.
    pub per_page: usize,
}

impl Query {
    pub fn new(city: CityId, locale: Locale) -> Query {
        Query {
            city,
            service_type: None,
            filters: Set::EMPTY,
            order: Order::Nearest,
            locale,
            page: 0,
            per_page: 5,
        }
    }

    pub fn of_type(mut self, service_type: ServiceType) -> Query {
        self.service_type = Some(service_type);
        self
    }

    pub fn with(mut self, filter: Filter) -> Query {
        self.filters.insert(filter);
        self
    }

    pub fn ordered(mut self, order: Order) -> Query {
        self.order = order;
        self
    }

    pub fn page(mut self, page: usize, per_page: usize) -> Query {
        self.page = page;
        self.per_page = per_page;
        self
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SearchError {
    #[error("unknown city {0}")]
    UnknownCity(CityId),
}

/// One page of results. `service_type` and `filters` are what was actually applied: in a country
/// where OST is not legal, an OST type or filter in the query is dropped.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub city: CityId,
    pub service_type: Option<ServiceType>,
    pub filters: Set<Filter>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub cards: Vec<Card>,
}

/// A listing as she sees it. Built only by the index, from public parts: there is no field a
/// confidential address could be put in.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub service_id: RecordId,
    pub name: String,
    pub organization: String,
    pub description: String,
    pub phones: Vec<CardPhone>,
    pub hours: Vec<Hours>,
    pub timezone: Tz,
    /// `None` when the listing has no hours.
    pub open_now: Option<bool>,
    pub languages: Vec<LanguageCode>,
    pub types: Vec<ServiceType>,
    /// The filters the listing meets (all of them, not only those asked for).
    pub filters: Vec<Filter>,
    /// `None`: never verified.
    pub days_since_verified: Option<i64>,
    pub stale: bool,
    pub location: PublicLocation,
    /// From her city's centre, rounded to whole kilometres.
    pub distance_km: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardPhone {
    pub number: PhoneNumber,
    pub description: Option<String>,
}

/// Weekly hours in the local time of [`Card::timezone`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    pub days: Vec<Weekday>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub all_day: bool,
    pub note: Option<String>,
}

/// Where a listing is, as far as anyone may know.
#[derive(Debug, Clone, PartialEq)]
pub enum PublicLocation {
    Address {
        city: CityId,
        city_name: String,
        street: Option<String>,
        postal_code: Option<String>,
        point: Option<GeoPoint>,
    },
    /// A confidential shelter: reached by phone, its city is all that is known.
    PhoneOnly { city: CityId, city_name: String },
}

impl PublicLocation {
    /// The only way to turn a stored location into something shown.
    pub fn of(location: &Location, city: &City, locale: Locale) -> PublicLocation {
        let city_name = city.name(locale).to_owned();
        match &location.placement {
            Placement::Confidential => PublicLocation::PhoneOnly {
                city: city.id.clone(),
                city_name,
            },
            Placement::Public { address, point } => PublicLocation::Address {
                city: city.id.clone(),
                city_name,
                street: address.as_ref().map(|a| a.street.clone()),
                postal_code: address.as_ref().and_then(|a| a.postal_code.clone()),
                point: *point,
            },
        }
    }

    pub fn city(&self) -> &CityId {
        match self {
            PublicLocation::Address { city, .. } | PublicLocation::PhoneOnly { city, .. } => city,
        }
    }
}

/// A listing with everything it refers to, for the admin's edit page.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    pub service: &'a Service,
    pub organization: &'a Organization,
    at: &'a [usize],
    index: &'a Index,
}

impl<'a> Listing<'a> {
    pub fn locations(&self) -> impl Iterator<Item = &'a Location> + 'a {
        let index = self.index;
        self.at.iter().map(move |&i| &index.catalog.locations[i])
    }
}

/// One service at one location, reduced to what search needs.
#[derive(Debug, Clone, Copy)]
struct Entry {
    service: u32,
    location: u32,
    city: u32,
    point: GeoPoint,
    types: Set<ServiceType>,
    filters: Set<Filter>,
    /// Days since 1970-01-01 of `assured_date`; `i32::MIN` when never verified.
    assured: i32,
    /// The service has more than one location, so results are de-duplicated.
    several: bool,
}

/// A snapshot of the directory, ready to search.
pub struct Index {
    catalog: Catalog,
    cities: Arc<Cities>,
    settings: Settings,
    services: HashMap<RecordId, usize>,
    organizations: HashMap<RecordId, usize>,
    locations: HashMap<RecordId, usize>,
    service_locations: Vec<Vec<usize>>,
    by_country: HashMap<CountryCode, Vec<Entry>>,
    /// For each known city: its country's entries (by position in `by_country`) with their
    /// distance from the city's centre, in [`Order::Nearest`] order. A nearest-first search walks
    /// this instead of sorting.
    nearest: Vec<Vec<(u32, f64)>>,
    /// Countries where some service has several locations: their searches de-duplicate.
    several: BTreeSet<CountryCode>,
    city_index: HashMap<CityId, u32>,
    /// Locations whose city is not in the list of known cities (listed once, by id).
    pub unplaced: Vec<RecordId>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("services", &self.catalog.services.len())
            .field("locations", &self.catalog.locations.len())
            .finish_non_exhaustive()
    }
}

/// How many of the filters she may see a listing meets: the best-match score.
fn score(e: &Entry, ost: bool) -> u32 {
    let mut met = e.filters;
    if !ost {
        met.remove(Filter::AcceptsOst);
    }
    met.len()
}

fn epoch_days(date: NaiveDate) -> i32 {
    date.signed_duration_since(NaiveDate::default()).num_days() as i32
}

impl Index {
    pub fn build(catalog: Catalog, cities: Arc<Cities>, settings: Settings) -> Index {
        let catalog = catalog.sorted();
        let ids = |list: Vec<&RecordId>| -> HashMap<RecordId, usize> {
            list.into_iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect()
        };
        let services = ids(catalog.services.iter().map(|s| &s.id).collect());
        let organizations = ids(catalog.organizations.iter().map(|o| &o.id).collect());
        let locations = ids(catalog.locations.iter().map(|l| &l.id).collect());
        let city_index: HashMap<CityId, u32> = cities
            .all()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as u32))
            .collect();
        let unplaced = catalog
            .locations
            .iter()
            .filter(|l| {
                cities
                    .get(&l.city)
                    .is_none_or(|city| city.country != l.country)
            })
            .map(|l| l.id.clone())
            .collect();

        let mut service_locations = Vec::with_capacity(catalog.services.len());
        let mut by_country: HashMap<CountryCode, Vec<Entry>> = HashMap::new();
        for (s, service) in catalog.services.iter().enumerate() {
            let here: Vec<usize> = service
                .at_locations
                .iter()
                .filter_map(|at| locations.get(&at.location_id).copied())
                .collect();
            if service.status == Status::Active
                && organizations.contains_key(&service.organization_id)
            {
                let types = service.types();
                let filters = service.filters();
                let assured = service.assured_date.map_or(i32::MIN, epoch_days);
                for &l in &here {
                    let location = &catalog.locations[l];
                    let Some(&city) = city_index.get(&location.city) else {
                        continue;
                    };
                    let centre = cities.all()[city as usize].centre;
                    if cities.all()[city as usize].country != location.country {
                        continue;
                    }
                    let point = match &location.placement {
                        Placement::Public {
                            point: Some(point), ..
                        } => *point,
                        _ => centre,
                    };
                    by_country.entry(location.country).or_default().push(Entry {
                        service: s as u32,
                        location: l as u32,
                        city,
                        point,
                        types,
                        filters,
                        assured,
                        several: here.len() > 1,
                    });
                }
            }
            service_locations.push(here);
        }
        let several = by_country
            .iter()
            .filter(|(_, entries)| entries.iter().any(|e| e.several))
            .map(|(country, _)| *country)
            .collect();
        let nearest = cities
            .all()
            .iter()
            .map(|city| {
                let Some(entries) = by_country.get(&city.country) else {
                    return Vec::new();
                };
                let ost = settings.ost_offered(city.country);
                let mut list: Vec<(u32, f64)> = entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (i as u32, city.centre.km_to(&e.point)))
                    .collect();
                list.sort_unstable_by(|a, b| {
                    let (ea, eb) = (&entries[a.0 as usize], &entries[b.0 as usize]);
                    a.1.total_cmp(&b.1)
                        .then(score(eb, ost).cmp(&score(ea, ost)))
                        .then(ea.service.cmp(&eb.service))
                        .then(a.0.cmp(&b.0))
                });
                list
            })
            .collect();
        Index {
            catalog,
            cities,
            settings,
            services,
            organizations,
            locations,
            service_locations,
            by_country,
            nearest,
            several,
            city_index,
            unplaced,
        }
    }

    /// Everything in the index, sorted by id: what an export writes.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn cities(&self) -> &Arc<Cities> {
        &self.cities
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// One page of listings for her, best first. Nothing here reads a clock: `now` decides what
    /// is open and what is stale.
    pub fn search(&self, query: &Query, now: DateTime<Utc>) -> Result<SearchPage, SearchError> {
        self.search_with(query, now, true)
    }

    /// `presorted: false` forces the general path; the tests check both paths agree.
    fn search_with(
        &self,
        query: &Query,
        now: DateTime<Utc>,
        presorted: bool,
    ) -> Result<SearchPage, SearchError> {
        let unknown = || SearchError::UnknownCity(query.city.clone());
        let &city_at = self.city_index.get(&query.city).ok_or_else(unknown)?;
        let city = &self.cities.all()[city_at as usize];
        let ost = self.settings.ost_offered(city.country);

        let mut filters = query.filters;
        let mut service_type = query.service_type;
        if !ost {
            filters.remove(Filter::AcceptsOst);
            service_type = service_type.filter(|t| *t != ServiceType::Ost);
        }
        let today = now.date_naive();
        let fresh_from = epoch_days(today - self.settings.stale_after);

        #[derive(Clone, Copy)]
        struct Hit {
            entry: u32,
            km: f64,
            score: u32,
            stale: bool,
            assured: i32,
            service: u32,
        }

        let empty = Vec::new();
        let entries = self.by_country.get(&city.country).unwrap_or(&empty);
        let keep = |e: &Entry| -> Option<bool> {
            if service_type.is_some_and(|t| !e.types.contains(t))
                || !e.filters.contains_all(filters)
                || (query.order == Order::BestMatch && e.city != city_at)
            {
                return None;
            }
            if !ost && e.types.len() == 1 && e.types.contains(ServiceType::Ost) {
                // A listing that is only OST cannot be offered where OST is not legal.
                return None;
            }
            let stale = e.assured < fresh_from;
            (!(stale && self.settings.hide_stale)).then_some(stale)
        };
        let per_page = query.per_page.clamp(1, MAX_PER_PAGE);
        let page = |total: usize, cards: Vec<Card>| SearchPage {
            city: query.city.clone(),
            service_type,
            filters,
            total,
            page: query.page,
            pages: total.div_ceil(per_page),
            cards,
        };

        // Nearest first without duplicates to remove: walk the city's presorted list, keeping
        // only the page's cards and counting the rest.
        if presorted && query.order == Order::Nearest && !self.several.contains(&city.country) {
            let first = query.page.saturating_mul(per_page);
            let mut total = 0;
            let mut cards = Vec::new();
            for &(i, km) in &self.nearest[city_at as usize] {
                let e = &entries[i as usize];
                if let Some(stale) = keep(e) {
                    if total >= first && cards.len() < per_page {
                        cards.push(self.card(e, km, stale, ost, query.locale, now));
                    }
                    total += 1;
                }
            }
            return Ok(page(total, cards));
        }

        let mut hits: Vec<Hit> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(stale) = keep(e) else {
                continue;
            };
            hits.push(Hit {
                entry: i as u32,
                km: city.centre.km_to(&e.point),
                score: score(e, ost),
                stale,
                assured: e.assured,
                service: e.service,
            });
        }

        let order = query.order;
        let better = |a: &Hit, b: &Hit| match order {
            Order::Nearest => {
                a.km.total_cmp(&b.km)
                    .then(b.score.cmp(&a.score))
                    .then(a.service.cmp(&b.service))
                    .then(a.entry.cmp(&b.entry))
            }
            Order::BestMatch => a
                .stale
                .cmp(&b.stale)
                .then(b.score.cmp(&a.score))
                .then(b.assured.cmp(&a.assured))
                .then(a.km.total_cmp(&b.km))
                .then(a.service.cmp(&b.service))
                .then(a.entry.cmp(&b.entry)),
        };

        // A service at several locations appears once, at its best location.
        if hits.iter().any(|h| entries[h.entry as usize].several) {
            let mut best: HashMap<u32, Hit> = HashMap::new();
            hits.retain(|h| {
                if !entries[h.entry as usize].several {
                    return true;
                }
                match best.get(&h.service) {
                    Some(b) if better(b, h).is_le() => {}
                    _ => {
                        best.insert(h.service, *h);
                    }
                }
                false
            });
            hits.extend(best.into_values());
        }

        let total = hits.len();
        let start = query.page.saturating_mul(per_page).min(total);
        let end = (start + per_page).min(total);
        if end > 0 && end < total {
            hits.select_nth_unstable_by(end - 1, better);
            hits.truncate(end);
        }
        hits.sort_unstable_by(better);
        let cards = hits[start..end]
            .iter()
            .map(|h| {
                let e = &entries[h.entry as usize];
                self.card(e, h.km, h.stale, ost, query.locale, now)
            })
            .collect();
        Ok(page(total, cards))
    }

    fn card(
        &self,
        e: &Entry,
        km: f64,
        stale: bool,
        ost: bool,
        locale: Locale,
        now: DateTime<Utc>,
    ) -> Card {
        let service = &self.catalog.services[e.service as usize];
        let location = &self.catalog.locations[e.location as usize];
        let city = &self.cities.all()[e.city as usize];
        let organization = self
            .organizations
            .get(&service.organization_id)
            .map(|&i| self.catalog.organizations[i].name.get(locale).to_owned())
            .unwrap_or_default();
        let today = now.date_naive();
        Card {
            service_id: service.id.clone(),
            name: service.name.get(locale).to_owned(),
            organization,
            description: service.description.get(locale).to_owned(),
            phones: service
                .phones
                .iter()
                .map(|p| CardPhone {
                    number: p.number.clone(),
                    description: p.description.clone(),
                })
                .collect(),
            hours: service
                .schedules
                .iter()
                .map(|s| Hours {
                    days: s.days.clone(),
                    opens: s.opens,
                    closes: s.closes,
                    all_day: hours::is_all_day(s),
                    note: s.description.clone(),
                })
                .collect(),
            timezone: city.timezone,
            open_now: hours::open_now(&service.schedules, city.timezone, now),
            languages: service.languages.iter().map(|l| l.code.clone()).collect(),
            types: e
                .types
                .iter()
                .filter(|t| ost || *t != ServiceType::Ost)
                .collect(),
            filters: e
                .filters
                .iter()
                .filter(|f| ost || *f != Filter::AcceptsOst)
                .collect(),
            days_since_verified: service.assured_date.map(|d| (today - d).num_days().max(0)),
            stale,
            location: PublicLocation::of(location, city, locale),
            distance_km: km.round() as u32,
        }
    }

    /// A listing and what it refers to, for the admin.
    pub fn listing(&self, id: &RecordId) -> Option<Listing<'_>> {
        let &s = self.services.get(id)?;
        let service = &self.catalog.services[s];
        let &o = self.organizations.get(&service.organization_id)?;
        Some(Listing {
            service,
            organization: &self.catalog.organizations[o],
            at: &self.service_locations[s],
            index: self,
        })
    }

    pub fn organization(&self, id: &RecordId) -> Option<&Organization> {
        self.organizations
            .get(id)
            .map(|&i| &self.catalog.organizations[i])
    }

    pub fn location(&self, id: &RecordId) -> Option<&Location> {
        self.locations.get(id).map(|&i| &self.catalog.locations[i])
    }

    /// Active listings that are stale at `now`, least recently verified first (never verified
    /// before all): the admin's "to verify" list.
    pub fn stale(&self, now: DateTime<Utc>) -> Vec<&Service> {
        let fresh_from = now.date_naive() - self.settings.stale_after;
        let mut stale: Vec<&Service> = self
            .catalog
            .services
            .iter()
            .filter(|s| s.status == Status::Active && s.assured_date.is_none_or(|d| d < fresh_from))
            .collect();
        stale.sort_by(|a, b| a.assured_date.cmp(&b.assured_date).then(a.id.cmp(&b.id)));
        stale
    }

    /// Services whose name (in any language) or id contains `text`, ignoring case: the admin's
    /// search box. Inactive ones included.
    pub fn find(&self, text: &str) -> Vec<&Service> {
        let wanted = text.trim().to_lowercase();
        self.catalog
            .services
            .iter()
            .filter(|s| {
                s.id.as_str().to_lowercase().contains(&wanted)
                    || s.name.default.to_lowercase().contains(&wanted)
                    || s.name
                        .translations
                        .values()
                        .any(|n| n.to_lowercase().contains(&wanted))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use rand::rngs::StdRng;
    use rand::{Rng as _, SeedableRng as _};

    use super::*;
    use crate::directory::model::{Attribute, Phone, ServiceAtLocation, ServiceTerm, Text};

    fn id(s: String) -> RecordId {
        RecordId::parse(&s).expect("id")
    }

    /// A random directory: every city, public and confidential places, random terms and dates.
    fn random_catalog(rng: &mut StdRng, cities: &Cities) -> Catalog {
        let mut catalog = Catalog::default();
        catalog.organizations.push(Organization {
            id: id("org".into()),
            name: Text::plain("Org (fictional)"),
            description: Text::default(),
            website: None,
        });
        let terms: Vec<ServiceTerm> = ServiceTerm::all().collect();
        for i in 0..600 {
            let city = &cities.all()[rng.random_range(0..cities.all().len())];
            let placement = if rng.random_bool(0.2) {
                Placement::Confidential
            } else {
                Placement::Public {
                    address: None,
                    // Some share the city centre exactly, so ties are ordered too.
                    point: rng.random_bool(0.8).then(|| {
                        GeoPoint::new(
                            city.centre.lat() + rng.random_range(-0.3..0.3),
                            city.centre.lon() + rng.random_range(-0.3..0.3),
                        )
                        .expect("point")
                    }),
                }
            };
            catalog.locations.push(Location {
                id: id(format!("l{i}")),
                organization_id: None,
                name: None,
                country: city.country,
                city: city.id.clone(),
                placement,
            });
            let attributes = terms
                .iter()
                .filter(|_| rng.random_bool(0.4))
                .enumerate()
                .map(|(k, term)| Attribute {
                    id: id(format!("s{i}-a{k}")),
                    term: *term,
                })
                .collect();
            catalog.services.push(Service {
                id: id(format!("s{i:03}")),
                organization_id: id("org".into()),
                name: Text::plain(format!("S{i} (fictional)")),
                description: Text::default(),
                status: Status::Active,
                assured_date: rng.random_bool(0.9).then(|| {
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
                        + TimeDelta::days(rng.random_range(0..120))
                }),
                url: None,
                email: None,
                phones: vec![Phone {
                    id: id(format!("s{i}-p")),
                    number: PhoneNumber::parse("+44 7700 900000").expect("number"),
                    description: None,
                }],
                schedules: Vec::new(),
                languages: Vec::new(),
                attributes,
                at_locations: vec![ServiceAtLocation {
                    id: id(format!("s{i}-at")),
                    location_id: id(format!("l{i}")),
                }],
            });
        }
        catalog
    }

    #[test]
    fn the_presorted_walk_gives_the_same_pages_as_sorting() {
        let cities = Cities::builtin();
        let mut rng = StdRng::seed_from_u64(11);
        let ru = CountryCode::parse("RU").expect("RU");
        let settings = Settings {
            ost_legal: cities
                .all()
                .iter()
                .map(|c| c.country)
                .filter(|c| *c != ru)
                .collect(),
            hide_stale: false,
            ..Settings::default()
        };
        let index = Index::build(random_catalog(&mut rng, &cities), cities.clone(), settings);
        let now = Utc
            .with_ymd_and_hms(2026, 8, 1, 12, 0, 0)
            .single()
            .expect("time");
        let mut compared = 0;
        for city in cities.all() {
            for round in 0..6 {
                let mut query = Query::new(city.id.clone(), Locale::En).page(round % 3, 4);
                for f in Filter::ALL {
                    if rng.random_bool(0.25) {
                        query.filters.insert(*f);
                    }
                }
                if round == 5 {
                    query.service_type = Some(ServiceType::ALL[rng.random_range(0..8)]);
                }
                let fast = index.search_with(&query, now, true).expect("search");
                let slow = index.search_with(&query, now, false).expect("search");
                assert_eq!(fast.total, slow.total, "{query:?}");
                assert_eq!(fast.pages, slow.pages);
                assert_eq!(fast.cards, slow.cards, "{query:?}");
                compared += fast.cards.len();
            }
        }
        assert!(compared > 200, "the comparison saw real pages: {compared}");
    }
}
