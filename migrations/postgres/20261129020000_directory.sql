-- The service directory (src/directory): public listings aligned with Open Referral HSDS 3.0.
-- Nothing here is about her. A confidential location has no street, postal code or coordinates:
-- the CHECK below makes the database itself refuse them.
-- Names and descriptions in other languages are JSON text: {"name": {"uk": …}, "description": {…}}.

CREATE TABLE directory_organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    website TEXT,
    translations TEXT NOT NULL
);

CREATE TABLE directory_locations (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT REFERENCES directory_organizations (id),
    name TEXT,
    country TEXT NOT NULL CHECK (length(country) = 2),
    city TEXT NOT NULL,
    confidential BOOLEAN NOT NULL,
    street TEXT,
    postal_code TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    CHECK (NOT confidential OR (street IS NULL AND postal_code IS NULL
                                AND latitude IS NULL AND longitude IS NULL)),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE directory_services (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES directory_organizations (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    translations TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    -- HSDS assured_date: when a coordinator last checked the listing (a date).
    assured_date DATE,
    url TEXT,
    email TEXT
);

-- A service's children keep their HSDS ids and their order in the file (position).
CREATE TABLE directory_service_at_locations (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES directory_locations (id),
    position INTEGER NOT NULL
);
CREATE INDEX directory_service_at_locations_service ON directory_service_at_locations (service_id);

CREATE TABLE directory_phones (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    description TEXT
);
CREATE INDEX directory_phones_service ON directory_phones (service_id);

-- Weekly hours in the local time of the location's city: byday is RFC 5545 (MO,TU,…).
CREATE TABLE directory_schedules (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    byday TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    description TEXT
);
CREATE INDEX directory_schedules_service ON directory_schedules (service_id);

CREATE TABLE directory_languages (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT
);
CREATE INDEX directory_languages_service ON directory_languages (service_id);

-- Taxonomy terms of the service (types and filters), by code.
CREATE TABLE directory_attributes (
    id TEXT PRIMARY KEY NOT NULL,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    term TEXT NOT NULL
);
CREATE INDEX directory_attributes_service ON directory_attributes (service_id);
