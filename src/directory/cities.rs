//! Known cities: where a listing can be, what her shared location is reduced to, and the
//! timezone its opening hours are in.
//!
//! The list ships in `src/directory/cities.toml` (compiled in, checked by a unit test);
//! [`Cities::parse`] reads another list for a deployment with more countries.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, LazyLock};

use chrono_tz::Tz;
use serde::Deserialize;

use super::model::GeoPoint;
use crate::domain::{CountryCode, Locale};

/// How far her shared location may be from the nearest known city for that city to count as
/// hers. Beyond it the bot should ask for her country and city instead.
pub const NEAREST_CITY_MAX_KM: f64 = 150.0;

/// A city's stable id (`kyiv`, `novi_sad`): 1–32 characters of a-z, 0-9 and `_`, short enough
/// for callback data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CityId(String);

impl CityId {
    pub fn parse(s: &str) -> Result<CityId, String> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(CityId(s.to_owned()))
        } else {
            Err(format!(
                "city id {:?} must be 1-32 characters of a-z, 0-9 and _",
                s.chars().take(40).collect::<String>()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub struct City {
    pub id: CityId,
    pub country: CountryCode,
    pub timezone: Tz,
    pub centre: GeoPoint,
    names: BTreeMap<Locale, String>,
}

impl City {
    /// The city's name in her language, by the locale's fallback chain, else English.
    pub fn name(&self, locale: Locale) -> &str {
        locale
            .fallbacks()
            .iter()
            .chain([Locale::En].iter())
            .find_map(|l| self.names.get(l))
            .map_or(self.id.as_str(), String::as_str)
    }

    /// The name written into exports (English).
    pub fn export_name(&self) -> &str {
        self.name(Locale::En)
    }
}

/// The list of known cities.
#[derive(Debug)]
pub struct Cities {
    list: Vec<City>,
    by_id: HashMap<CityId, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CitiesFile {
    cities: Vec<CityDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CityDef {
    id: String,
    country: String,
    timezone: String,
    lat: f64,
    lon: f64,
    names: BTreeMap<String, String>,
}

const BUILTIN: &str = include_str!("cities.toml");

impl Cities {
    /// The shipped list. It is checked by the test suite, so a broken file never ships.
    pub fn builtin() -> Arc<Cities> {
        static CITIES: LazyLock<Arc<Cities>> = LazyLock::new(|| match Cities::parse(BUILTIN) {
            Ok(cities) => Arc::new(cities),
            Err(e) => panic!("src/directory/cities.toml: {e}"),
        });
        CITIES.clone()
    }

    pub fn parse(text: &str) -> Result<Cities, String> {
        let file: CitiesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut list = Vec::new();
        let mut by_id = HashMap::new();
        for def in file.cities {
            let id = CityId::parse(&def.id)?;
            let at = |e: String| format!("city {id}: {e}");
            let country = CountryCode::parse(&def.country).map_err(|e| at(e.to_string()))?;
            let timezone: Tz = def
                .timezone
                .parse()
                .map_err(|_| at(format!("unknown timezone {:?}", def.timezone)))?;
            let centre = GeoPoint::new(def.lat, def.lon).map_err(at)?;
            let mut names = BTreeMap::new();
            for (code, name) in def.names {
                let locale = Locale::parse(&code).map_err(|e| at(e.to_string()))?;
                names.insert(locale, name);
            }
            if !names.contains_key(&Locale::En) {
                return Err(at("needs an English name (names.en)".into()));
            }
            if by_id.insert(id.clone(), list.len()).is_some() {
                return Err(at("is listed twice".into()));
            }
            list.push(City {
                id,
                country,
                timezone,
                centre,
                names,
            });
        }
        Ok(Cities { list, by_id })
    }

    pub fn get(&self, id: &CityId) -> Option<&City> {
        self.by_id.get(id).map(|&i| &self.list[i])
    }

    /// The cities of a country, in file order (largest first, by convention).
    pub fn in_country(&self, country: CountryCode) -> impl Iterator<Item = &City> {
        self.list.iter().filter(move |c| c.country == country)
    }

    pub fn all(&self) -> &[City] {
        &self.list
    }

    /// The known city nearest to the location she shared, if one is within `max_km` (see
    /// [`NEAREST_CITY_MAX_KM`]). Her coordinates are used for this comparison only: the caller
    /// keeps the city, never the coordinates.
    pub fn nearest(&self, lat: f64, lon: f64, max_km: f64) -> Option<&City> {
        let here = GeoPoint::new(lat, lon).ok()?;
        self.list
            .iter()
            .map(|c| (c, c.centre.km_to(&here)))
            .filter(|(_, km)| *km <= max_km)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    }

    /// A city of `country` named `name` (its id, or its name in any locale, ignoring case): how
    /// HSDS `address.city` is read.
    pub fn find(&self, country: CountryCode, name: &str) -> Option<&City> {
        let wanted = name.trim().to_lowercase();
        self.in_country(country).find(|c| {
            c.id.as_str() == wanted || c.names.values().any(|n| n.to_lowercase() == wanted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_loads_and_covers_five_countries() {
        let cities = Cities::parse(BUILTIN).unwrap_or_else(|e| panic!("{e}"));
        for code in ["UA", "RU", "KZ", "RS", "MK"] {
            let country = CountryCode::parse(code).expect("code");
            assert!(
                cities.in_country(country).count() >= 5,
                "{code} needs several cities"
            );
        }
    }

    #[test]
    fn a_location_is_reduced_to_the_nearest_city() {
        let cities = Cities::builtin();
        // A point in Kyiv's Podil, a few km from the centre.
        let city = cities.nearest(50.4650, 30.5190, NEAREST_CITY_MAX_KM);
        assert_eq!(city.map(|c| c.id.as_str()), Some("kyiv"));
        // Temirtau is 20 km from Karaganda's centre, and nearer to its own.
        let city = cities.nearest(50.06, 72.96, NEAREST_CITY_MAX_KM);
        assert_eq!(city.map(|c| c.id.as_str()), Some("temirtau"));
        // Berlin is far from every known city.
        assert!(cities.nearest(52.52, 13.40, NEAREST_CITY_MAX_KM).is_none());
    }

    #[test]
    fn names_fall_back_and_are_found_in_any_language() {
        let cities = Cities::builtin();
        let ua = CountryCode::parse("UA").expect("code");
        let kyiv = cities
            .find(ua, "КИЇВ")
            .expect("found by its Ukrainian name");
        assert_eq!(kyiv.name(Locale::Sq), "Kyiv");
        assert_eq!(kyiv.name(Locale::Kk), "Киев");
        assert!(cities.find(ua, "Kiev").is_none());
    }
}
