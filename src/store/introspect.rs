//! Reads the live schema back from the database, normalised so that the SQLite and
//! PostgreSQL schemas can be compared and dumped the same way.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Pools, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// Upper-case type name, with dialect spellings unified (`BYTEA` -> `BLOB`).
    pub data_type: String,
    pub nullable: bool,
    /// Default expression, lower-cased and without PostgreSQL `::type` casts.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub indexes: Vec<Index>,
}

/// Tables that belong to the database engine or that hold derived data (full-text indexes);
/// they are neither compared nor dumped.
pub fn is_internal_table(name: &str) -> bool {
    name.starts_with("sqlite_") || name.contains("_fts")
}

/// User tables, sorted by name.
pub async fn tables(store: &Store) -> Result<Vec<String>, StoreError> {
    let names: Vec<(String,)> = match store.pools() {
        Pools::Sqlite { read, .. } => {
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(read)
                .await?
        }
        Pools::Postgres(pool) => {
            sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
            )
            .fetch_all(pool)
            .await?
        }
    };
    let mut names: Vec<String> = names
        .into_iter()
        .map(|(n,)| n)
        .filter(|n| !is_internal_table(n))
        .collect();
    names.sort();
    Ok(names)
}

/// Columns of `table` in declaration order.
pub async fn columns(store: &Store, table: &str) -> Result<Vec<Column>, StoreError> {
    let raw: Vec<(String, String, bool, Option<String>)> = match store.pools() {
        Pools::Sqlite { read, .. } => {
            sqlx::query_as(r#"SELECT name, type, "notnull" = 0, dflt_value FROM pragma_table_info($1) ORDER BY cid"#)
                .bind(table)
                .fetch_all(read)
                .await?
        }
        Pools::Postgres(pool) => {
            sqlx::query_as(
                "SELECT column_name::text, data_type::text, is_nullable = 'YES', column_default::text \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(raw
        .into_iter()
        .map(|(name, data_type, nullable, default)| Column {
            name,
            data_type: normalize_type(&data_type),
            nullable,
            default: default.map(|d| normalize_default(&d)),
        })
        .collect())
}

/// Primary-key columns of `table`, in key order.
pub async fn schema_table_pk(store: &Store, table: &str) -> Result<Vec<String>, StoreError> {
    primary_key(store, table).await
}

async fn primary_key(store: &Store, table: &str) -> Result<Vec<String>, StoreError> {
    let raw: Vec<(String,)> = match store.pools() {
        Pools::Sqlite { read, .. } => {
            sqlx::query_as("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                .bind(table)
                .fetch_all(read)
                .await?
        }
        Pools::Postgres(pool) => {
            sqlx::query_as(
                "SELECT a.attname::text FROM pg_index ix \
                 JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) ON true \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE ix.indisprimary AND n.nspname = current_schema() AND t.relname = $1 \
                 ORDER BY k.ord",
            )
            .bind(table)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(raw.into_iter().map(|(n,)| n).collect())
}

async fn indexes(store: &Store, table: &str) -> Result<Vec<Index>, StoreError> {
    let raw: Vec<(String, bool, String)> = match store.pools() {
        Pools::Sqlite { read, .. } => {
            sqlx::query_as(
                "SELECT il.name, il.\"unique\" = 1, \
                 (SELECT group_concat(name, ',') FROM (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) \
                 FROM pragma_index_list($1) il WHERE il.origin <> 'pk' ORDER BY il.name",
            )
            .bind(table)
            .fetch_all(read)
            .await?
        }
        Pools::Postgres(pool) => {
            sqlx::query_as(
                "SELECT i.relname::text, ix.indisunique, \
                 coalesce((SELECT string_agg(coalesce(a.attname::text, '?'), ',' ORDER BY k.ord) \
                   FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                   LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum), '') \
                 FROM pg_index ix \
                 JOIN pg_class i ON i.oid = ix.indexrelid \
                 JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE NOT ix.indisprimary AND n.nspname = current_schema() AND t.relname = $1 \
                 ORDER BY i.relname",
            )
            .bind(table)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(raw
        .into_iter()
        .map(|(name, unique, columns)| Index {
            name,
            unique,
            columns: columns
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .collect())
}

/// The whole schema: every user table with its columns, primary key and indexes.
pub async fn schema(store: &Store) -> Result<BTreeMap<String, Table>, StoreError> {
    let mut out = BTreeMap::new();
    for table in tables(store).await? {
        let entry = Table {
            columns: columns(store, &table).await?,
            primary_key: primary_key(store, &table).await?,
            indexes: indexes(store, &table).await?,
        };
        out.insert(table, entry);
    }
    Ok(out)
}

fn normalize_type(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    let base = upper.split('(').next().unwrap_or(&upper).trim().to_string();
    match base.as_str() {
        "BYTEA" => "BLOB".into(),
        "CHARACTER VARYING" => "VARCHAR".into(),
        "DOUBLE PRECISION" | "FLOAT8" => "DOUBLE".into(),
        "INT" | "INT4" => "INTEGER".into(),
        "INT8" => "BIGINT".into(),
        "BOOL" => "BOOLEAN".into(),
        _ => base,
    }
}

fn normalize_default(raw: &str) -> String {
    let mut text = raw.trim().to_string();
    // PostgreSQL reports `'x'::text` or `'{}'::character varying`.
    if let Some(pos) = text.rfind("::") {
        if !text[pos..].contains('\'') {
            text.truncate(pos);
        }
    }
    let text = text
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .to_string();
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_normalised_across_dialects() {
        assert_eq!(normalize_default("''::text"), "''");
        assert_eq!(normalize_default("'{}'::text"), "'{}'");
        assert_eq!(normalize_default("FALSE"), "false");
        assert_eq!(normalize_default("0"), "0");
        assert_eq!(normalize_default("'a::b'"), "'a::b'");
    }

    #[test]
    fn types_are_normalised_across_dialects() {
        assert_eq!(normalize_type("bigint"), "BIGINT");
        assert_eq!(normalize_type("bytea"), "BLOB");
        assert_eq!(normalize_type("boolean"), "BOOLEAN");
        assert_eq!(normalize_type("text"), "TEXT");
    }
}
