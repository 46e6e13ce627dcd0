-- Anonymous counts for advocacy (src/stats). Only what she agreed to have counted, and only as
-- counters: no row is a person, no column an id, a name or a time finer than the quarter.
-- `region` is '' when unknown. WITHOUT ROWID: no insertion order is kept either.
CREATE TABLE stat_counters (
    country TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    quarter TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (country, region, quarter, dimension, value)
) WITHOUT ROWID;

-- Case documentation by consultants, with her consent: forms of violence, who did it, which
-- services refused her and why. Identical records are merged into a count, so a row is not a
-- case either, and nothing records when within the quarter it was written.
CREATE TABLE case_doc_counts (
    country TEXT NOT NULL,
    quarter TEXT NOT NULL,
    forms TEXT NOT NULL,
    perpetrators TEXT NOT NULL,
    refusals TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (country, quarter, forms, perpetrators, refusals)
) WITHOUT ROWID;
