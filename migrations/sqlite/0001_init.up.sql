-- Key/value facts about this installation (installation date, active license id, ...).
CREATE TABLE systems (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
