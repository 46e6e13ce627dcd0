//! Small HSDS JSON documents for directory tests, built in code so each test shows what it
//! holds. Every name is fictional and every number is from the UK range reserved for drama.

use chrono::{NaiveDate, TimeDelta};
use serde_json::{Value, json};

/// A fictional street that must never leave the directory: tests search for it everywhere.
pub const SECRET_STREET: &str = "7 Hidden Lane (secret)";
/// Coordinates of a confidential shelter, as a careless file might give them.
pub const SECRET_LAT: f64 = 50.471_234;
pub const SECRET_LON: f64 = 30.498_765;

/// A document under construction.
#[derive(Clone)]
pub struct Doc {
    pub value: Value,
    phone: u32,
}

impl Default for Doc {
    fn default() -> Doc {
        Doc::new()
    }
}

/// One service to add; fields default to a plain active Kyiv crisis centre.
#[derive(Clone)]
pub struct Listing {
    pub id: String,
    pub location: String,
    pub types: Vec<&'static str>,
    pub filters: Vec<&'static str>,
    pub assured: Option<NaiveDate>,
    pub hours: Vec<(&'static str, &'static str, &'static str)>,
    pub status: &'static str,
    pub name: Option<String>,
    pub translations: Vec<(&'static str, &'static str)>,
}

impl Listing {
    pub fn new(id: &str, location: &str) -> Listing {
        Listing {
            id: id.into(),
            location: location.into(),
            types: vec!["crisis_centre"],
            filters: Vec::new(),
            assured: Some(verified_day()),
            hours: Vec::new(),
            status: "active",
            name: None,
            translations: Vec::new(),
        }
    }

    pub fn types(mut self, types: &[&'static str]) -> Listing {
        self.types = types.to_vec();
        self
    }

    pub fn filters(mut self, filters: &[&'static str]) -> Listing {
        self.filters = filters.to_vec();
        self
    }

    pub fn assured(mut self, date: Option<NaiveDate>) -> Listing {
        self.assured = date;
        self
    }

    pub fn hours(
        mut self,
        byday: &'static str,
        opens: &'static str,
        closes: &'static str,
    ) -> Listing {
        self.hours.push((byday, opens, closes));
        self
    }

    pub fn status(mut self, status: &'static str) -> Listing {
        self.status = status;
        self
    }

    pub fn name(mut self, name: &str) -> Listing {
        self.name = Some(name.into());
        self
    }

    pub fn translated(mut self, locale: &'static str, name: &'static str) -> Listing {
        self.translations.push((locale, name));
        self
    }
}

/// The day the fixtures say they were verified: ten days before the tests' fixed noon.
pub fn verified_day() -> NaiveDate {
    super::noon().date_naive() - TimeDelta::days(10)
}

impl Doc {
    pub fn new() -> Doc {
        Doc {
            value: json!({
                "organizations": [{
                    "id": "org-demo",
                    "name": "Demo Network (fictional)",
                    "description": "A fictional organization for tests."
                }],
                "locations": [],
                "services": []
            }),
            phone: 0,
        }
    }

    fn push(&mut self, list: &str, item: Value) {
        if let Some(items) = self.value[list].as_array_mut() {
            items.push(item);
        }
    }

    /// A public location with a street and coordinates.
    pub fn place(mut self, id: &str, country: &str, city: &str, lat: f64, lon: f64) -> Doc {
        self.push(
            "locations",
            json!({
                "id": id,
                "organization_id": "org-demo",
                "name": format!("Demo place {id} (fictional)"),
                "location_type": "physical",
                "latitude": lat,
                "longitude": lon,
                "addresses": [{
                    "id": format!("{id}-address"),
                    "location_id": id,
                    "address_1": format!("{id} Fictional Street"),
                    "city": city,
                    "state_province": "",
                    "postal_code": "",
                    "country": country,
                    "address_type": "physical"
                }]
            }),
        );
        self
    }

    /// A confidential (phone-only) location: country and city, nothing else.
    pub fn confidential(mut self, id: &str, country: &str, city: &str) -> Doc {
        self.push(
            "locations",
            json!({
                "id": id,
                "organization_id": "org-demo",
                "location_type": "virtual",
                "country": country,
                "city": city,
                "attributes": [{ "id": format!("{id}-confidential"), "taxonomy_term_id": "confidential" }]
            }),
        );
        self
    }

    pub fn listing(mut self, l: Listing) -> Doc {
        self.phone += 1;
        let attributes: Vec<Value> = l
            .types
            .iter()
            .chain(l.filters.iter())
            .map(|t| json!({ "id": format!("{}-{t}", l.id), "taxonomy_term_id": t }))
            .collect();
        let schedules: Vec<Value> = l
            .hours
            .iter()
            .enumerate()
            .map(|(i, (byday, opens, closes))| {
                json!({ "id": format!("{}-hours-{i}", l.id), "freq": "WEEKLY", "byday": byday,
                        "opens_at": opens, "closes_at": closes })
            })
            .collect();
        let mut service = json!({
            "id": l.id,
            "organization_id": "org-demo",
            "name": l.name.clone().unwrap_or_else(|| format!("Demo {} (fictional)", l.id)),
            "description": "A fictional listing for tests.",
            "status": l.status,
            "phones": [{ "id": format!("{}-phone", l.id), "number": format!("+44 7700 900{:03}", self.phone % 1000) }],
            "schedules": schedules,
            "languages": [{ "id": format!("{}-uk", l.id), "code": "uk" }],
            "attributes": attributes,
            "service_at_locations": [{ "id": format!("{}-at", l.id), "location_id": l.location }]
        });
        if let Some(date) = l.assured {
            service["assured_date"] = json!(date.format("%Y-%m-%d").to_string());
        }
        if !l.translations.is_empty() {
            service["translations"] = l
                .translations
                .iter()
                .map(|(locale, name)| json!({ "locale": locale, "name": name }))
                .collect();
        }
        self.push("services", service);
        self
    }

    pub fn text(&self) -> String {
        serde_json::to_string_pretty(&self.value).unwrap_or_default()
    }
}
