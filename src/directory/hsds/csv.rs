//! The HSDS tabular form: one CSV file per object (`organizations.csv`, `services.csv`,
//! `locations.csv`, `addresses.csv`, `service_at_locations.csv`, `phones.csv`, `schedules.csv`,
//! `languages.csv`, `attributes.csv`, `taxonomy_terms.csv`, and our extension
//! `translations.csv`), children pointing at their parent by id.
//!
//! Reading assembles the files into the JSON document shape and reads that with the JSON rules,
//! so both forms accept exactly the same data; each problem is then reported at its file, line
//! and column (`phones.csv:12: column number: …`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path as FsPath;

use serde_json::{Map, Value};

use super::{Parsed, Path, Problem, Problems, Seg, read_value, to_json};
use crate::directory::cities::Cities;
use crate::directory::model::Catalog;

/// The package's file names, in the order they are written.
pub fn file_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|(name, _)| *name)
}

/// Files, in the order they are read and written, with their columns.
const TABLES: &[(&str, &[&str])] = &[
    (
        "organizations.csv",
        &["id", "name", "description", "website"],
    ),
    (
        "services.csv",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "status",
            "assured_date",
            "url",
            "email",
        ],
    ),
    (
        "locations.csv",
        &[
            "id",
            "organization_id",
            "name",
            "location_type",
            "latitude",
            "longitude",
            "country",
            "city",
        ],
    ),
    (
        "addresses.csv",
        &[
            "id",
            "location_id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
    ),
    (
        "service_at_locations.csv",
        &["id", "service_id", "location_id"],
    ),
    ("phones.csv", &["id", "service_id", "number", "description"]),
    (
        "schedules.csv",
        &[
            "id",
            "service_id",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
            "description",
        ],
    ),
    ("languages.csv", &["id", "service_id", "code", "name"]),
    (
        "attributes.csv",
        &["id", "link_id", "link_entity", "taxonomy_term_id"],
    ),
    ("taxonomy_terms.csv", &["id", "code", "name", "taxonomy"]),
    (
        "translations.csv",
        &["link_entity", "link_id", "locale", "name", "description"],
    ),
];

const REQUIRED: &[&str] = &["organizations.csv", "services.csv", "locations.csv"];

/// Reads a folder holding the tabular package. Missing optional files are empty tables.
pub fn read_dir(dir: &FsPath, cities: &Cities) -> Result<Parsed, Problems> {
    let mut files = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, _) in TABLES {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                files.insert((*name).to_owned(), text);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push(Problem {
                at: (*name).to_owned(),
                message: format!("cannot be read ({e})"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    read_files(&files, cities)
}

/// Where a row came from, for error messages.
#[derive(Clone)]
struct Row {
    file: &'static str,
    line: u64,
    columns: Vec<String>,
}

/// A row read from a file, as a JSON object keyed by column.
type Record = (Row, Map<String, Value>);

/// Reads the tabular package from file contents by name (`services.csv` → text).
pub fn read_files(files: &BTreeMap<String, String>, cities: &Cities) -> Result<Parsed, Problems> {
    let mut problems = Vec::new();
    for name in files.keys() {
        if !TABLES.iter().any(|(t, _)| t == name) {
            problems.push(Problem {
                at: name.clone(),
                message: "is not a file of the HSDS tabular package this directory reads".into(),
            });
        }
    }
    for name in REQUIRED {
        if !files.contains_key(*name) {
            problems.push(Problem {
                at: (*name).to_owned(),
                message: "is missing".into(),
            });
        }
    }
    let mut tables: HashMap<&'static str, Vec<Record>> = HashMap::new();
    for (name, _) in TABLES {
        if let Some(text) = files.get(*name) {
            tables.insert(name, parse_table(name, text, &mut problems));
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }

    let mut places: HashMap<Path, Row> = HashMap::new();
    let mut root = Map::new();
    let mut take = |name: &str| tables.remove(name).unwrap_or_default();

    // Top-level objects, and their ids for the children to find.
    let top = |key: &str, rows: Vec<Record>, places: &mut HashMap<Path, Row>| {
        let mut ids = HashMap::new();
        let mut list = Vec::new();
        for (i, (row, object)) in rows.into_iter().enumerate() {
            if let Some(Value::String(id)) = object.get("id") {
                ids.entry(id.clone()).or_insert(i);
            }
            places.insert(vec![Seg::Key(key.into()), Seg::Index(i)], row);
            list.push(Value::Object(object));
        }
        (list, ids)
    };
    let (mut organizations, organization_ids) =
        top("organizations", take("organizations.csv"), &mut places);
    let (mut services, service_ids) = top("services", take("services.csv"), &mut places);
    let (mut locations, location_ids) = top("locations", take("locations.csv"), &mut places);
    let (terms, _) = top("taxonomy_terms", take("taxonomy_terms.csv"), &mut places);

    for location in &mut locations {
        if let Value::Object(object) = location {
            for key in ["latitude", "longitude"] {
                if let Some(Value::String(text)) = object.get(key)
                    && let Ok(n) = text.trim().parse::<f64>()
                    && let Some(n) = serde_json::Number::from_f64(n)
                {
                    object.insert(key.into(), Value::Number(n));
                }
            }
        }
    }

    let attach = |rows: Vec<Record>,
                  parent_column: &str,
                  parents: &mut [Value],
                  parent_key: &str,
                  parent_ids: &HashMap<String, usize>,
                  parent_file: &str,
                  child_key: &str,
                  places: &mut HashMap<Path, Row>,
                  problems: &mut Vec<Problem>| {
        for (row, object) in rows {
            let Some(parent) = object.get(parent_column).and_then(Value::as_str) else {
                problems.push(Problem {
                    at: format!("{}:{}: column {parent_column}", row.file, row.line),
                    message: "is required".into(),
                });
                continue;
            };
            let Some(&p) = parent_ids.get(parent) else {
                problems.push(Problem {
                    at: format!("{}:{}: column {parent_column}", row.file, row.line),
                    message: format!(
                        "no row with id {:?} in {parent_file}",
                        parent.chars().take(100).collect::<String>()
                    ),
                });
                continue;
            };
            let Some(Value::Object(parent_object)) = parents.get_mut(p) else {
                continue;
            };
            let list = parent_object
                .entry(child_key.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                places.insert(
                    vec![
                        Seg::Key(parent_key.into()),
                        Seg::Index(p),
                        Seg::Key(child_key.into()),
                        Seg::Index(list.len()),
                    ],
                    row,
                );
                list.push(Value::Object(object));
            }
        }
    };

    let mut assembly = Vec::new();
    let by_entity = |rows: Vec<Record>, problems: &mut Vec<Problem>| {
        let mut split: HashMap<String, Vec<Record>> = HashMap::new();
        for (row, object) in rows {
            let entity = object
                .get("link_entity")
                .or_else(|| object.get("link_type"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            match entity.as_deref() {
                Some("service" | "organization" | "location") => {
                    split
                        .entry(entity.unwrap_or_default())
                        .or_default()
                        .push((row, object));
                }
                _ => problems.push(Problem {
                    at: format!("{}:{}: column link_entity", row.file, row.line),
                    message: "must be \"service\", \"location\" or \"organization\"".into(),
                }),
            }
        }
        split
    };

    attach(
        take("addresses.csv"),
        "location_id",
        &mut locations,
        "locations",
        &location_ids,
        "locations.csv",
        "addresses",
        &mut places,
        &mut assembly,
    );
    for (file, key) in [
        ("service_at_locations.csv", "service_at_locations"),
        ("phones.csv", "phones"),
        ("schedules.csv", "schedules"),
        ("languages.csv", "languages"),
    ] {
        attach(
            take(file),
            "service_id",
            &mut services,
            "services",
            &service_ids,
            "services.csv",
            key,
            &mut places,
            &mut assembly,
        );
    }
    let mut attributes = by_entity(take("attributes.csv"), &mut assembly);
    attach(
        attributes.remove("service").unwrap_or_default(),
        "link_id",
        &mut services,
        "services",
        &service_ids,
        "services.csv",
        "attributes",
        &mut places,
        &mut assembly,
    );
    attach(
        attributes.remove("location").unwrap_or_default(),
        "link_id",
        &mut locations,
        "locations",
        &location_ids,
        "locations.csv",
        "attributes",
        &mut places,
        &mut assembly,
    );
    for (row, _) in attributes.remove("organization").unwrap_or_default() {
        assembly.push(Problem {
            at: format!("{}:{}: column link_entity", row.file, row.line),
            message: "organizations have no attributes in this directory".into(),
        });
    }
    let mut translations = by_entity(take("translations.csv"), &mut assembly);
    attach(
        translations.remove("service").unwrap_or_default(),
        "link_id",
        &mut services,
        "services",
        &service_ids,
        "services.csv",
        "translations",
        &mut places,
        &mut assembly,
    );
    attach(
        translations.remove("organization").unwrap_or_default(),
        "link_id",
        &mut organizations,
        "organizations",
        &organization_ids,
        "organizations.csv",
        "translations",
        &mut places,
        &mut assembly,
    );
    for (row, _) in translations.remove("location").unwrap_or_default() {
        assembly.push(Problem {
            at: format!("{}:{}: column link_entity", row.file, row.line),
            message: "locations have no translations in this directory".into(),
        });
    }

    root.insert("organizations".into(), Value::Array(organizations));
    root.insert("services".into(), Value::Array(services));
    root.insert("locations".into(), Value::Array(locations));
    root.insert("taxonomy_terms".into(), Value::Array(terms));
    let checked = read_value(&Value::Object(root), cities);
    let mut found = assembly;
    match checked {
        Ok(parsed) if found.is_empty() => return Ok(parsed),
        Ok(_) => {}
        Err(problems) => found.extend(problems.into_iter().map(|(path, message)| Problem {
            at: place(&places, &path),
            message,
        })),
    }
    found.truncate(super::MAX_PROBLEMS);
    Err(Problems(found))
}

/// Turns a document path into `file:line: column name`.
fn place(places: &HashMap<Path, Row>, path: &[Seg]) -> String {
    for cut in (0..=path.len()).rev() {
        if let Some(row) = places.get(&path[..cut]) {
            let rest = &path[cut..];
            return match rest.first() {
                Some(Seg::Key(k)) if row.columns.iter().any(|c| c == k) => {
                    format!("{}:{}: column {k}", row.file, row.line)
                }
                Some(Seg::Key(k))
                    if k == "addresses"
                        || k == "service_at_locations"
                        || k == "phones"
                        || k == "attributes" =>
                {
                    let file = format!("{k}.csv");
                    format!("{}:{}: {file} for this row", row.file, row.line)
                }
                Some(_) => format!("{}:{}: {}", row.file, row.line, super::render_path(rest)),
                None => format!("{}:{}", row.file, row.line),
            };
        }
    }
    super::render_path(path)
}

fn parse_table(name: &'static str, text: &str, problems: &mut Vec<Problem>) -> Vec<Record> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.trim_start_matches('\u{feff}').to_owned())
            .collect(),
        Err(e) => {
            problems.push(Problem {
                at: format!("{name}:1"),
                message: format!("the header row is not valid CSV ({e})"),
            });
            return Vec::new();
        }
    };
    if !headers.iter().any(|h| h == "id") && !name.starts_with("translations") {
        problems.push(Problem {
            at: format!("{name}:1"),
            message: "needs an id column".into(),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let mut object = Map::new();
                for (column, cell) in headers.iter().zip(record.iter()) {
                    if !cell.is_empty() {
                        object.insert(column.clone(), Value::String(cell.to_owned()));
                    }
                }
                rows.push((
                    Row {
                        file: name,
                        line,
                        columns: headers.clone(),
                    },
                    object,
                ));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(Problem {
                    at: format!("{name}:{line}"),
                    message: format!("not valid CSV ({})", csv_error(&e)),
                });
            }
        }
    }
    rows
}

fn csv_error(e: &::csv::Error) -> String {
    match e.kind() {
        ::csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} fields where the header has {expected_len}")
        }
        ::csv::ErrorKind::Utf8 { .. } => "not UTF-8".into(),
        _ => "malformed".into(),
    }
}

/// The catalog as the tabular package: file name → CSV text. Confidential locations have no row
/// in `addresses.csv` and no coordinates.
pub fn write_files(catalog: &Catalog, cities: &Cities) -> BTreeMap<&'static str, String> {
    let doc = to_json(catalog, cities);
    let mut rows: HashMap<&'static str, Vec<Map<String, Value>>> = HashMap::new();
    let list = |v: &Value, key: &str| -> Vec<Map<String, Value>> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_object().cloned()).collect())
            .unwrap_or_default()
    };
    let str_of = |m: &Map<String, Value>, key: &str| m.get(key).cloned().unwrap_or(Value::Null);
    for term in list(&doc, "taxonomy_terms") {
        rows.entry("taxonomy_terms.csv").or_default().push(term);
    }
    for o in list(&doc, "organizations") {
        for mut t in list(&Value::Object(o.clone()), "translations") {
            t.insert("link_entity".into(), Value::String("organization".into()));
            t.insert("link_id".into(), str_of(&o, "id"));
            rows.entry("translations.csv").or_default().push(t);
        }
        rows.entry("organizations.csv").or_default().push(o);
    }
    for l in list(&doc, "locations") {
        let lv = Value::Object(l.clone());
        for a in list(&lv, "addresses") {
            rows.entry("addresses.csv").or_default().push(a);
        }
        for mut a in list(&lv, "attributes") {
            a.insert("link_entity".into(), Value::String("location".into()));
            a.insert("link_id".into(), str_of(&l, "id"));
            rows.entry("attributes.csv").or_default().push(a);
        }
        rows.entry("locations.csv").or_default().push(l);
    }
    for s in list(&doc, "services") {
        let sv = Value::Object(s.clone());
        let id = str_of(&s, "id");
        for (key, file) in [
            ("service_at_locations", "service_at_locations.csv"),
            ("phones", "phones.csv"),
            ("schedules", "schedules.csv"),
            ("languages", "languages.csv"),
        ] {
            for mut c in list(&sv, key) {
                c.insert("service_id".into(), id.clone());
                rows.entry(file).or_default().push(c);
            }
        }
        for mut a in list(&sv, "attributes") {
            a.insert("link_entity".into(), Value::String("service".into()));
            a.insert("link_id".into(), id.clone());
            rows.entry("attributes.csv").or_default().push(a);
        }
        for mut t in list(&sv, "translations") {
            t.insert("link_entity".into(), Value::String("service".into()));
            t.insert("link_id".into(), id.clone());
            rows.entry("translations.csv").or_default().push(t);
        }
        rows.entry("services.csv").or_default().push(s);
    }

    let mut files = BTreeMap::new();
    for (name, columns) in TABLES {
        let mut writer = ::csv::WriterBuilder::new().from_writer(Vec::new());
        let _ = writer.write_record(columns.iter());
        for row in rows.remove(name).unwrap_or_default() {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| match row.get(*c) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Bool(b)) => b.to_string(),
                    _ => String::new(),
                })
                .collect();
            let _ = writer.write_record(&cells);
        }
        let bytes = writer.into_inner().unwrap_or_default();
        files.insert(*name, String::from_utf8(bytes).unwrap_or_default());
    }
    files
}

/// Writes the tabular package into `dir` (created if missing).
pub fn write_dir(catalog: &Catalog, cities: &Cities, dir: &FsPath) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in write_files(catalog, cities) {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}
