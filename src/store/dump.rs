//! A deterministic logical dump of every table and row: the "nothing lost" oracle.
//!
//! Tables in name order, columns in declaration order, rows ordered by primary key (or by
//! every column when there is none). Output is JSON lines: a header line per table
//! (`{"table": ..., "columns": [...]}`) followed by one JSON array per row.

use futures::TryStreamExt;
use serde::Serialize;
use serde_json::Value as Json;
use sqlx::{Column as _, Row, TypeInfo, ValueRef};

use super::introspect;
use super::{Pools, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDump {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Json>>,
}

/// Visits every table header and row in dump order.
pub async fn dump_each<F>(store: &Store, mut visit: F) -> Result<(), StoreError>
where
    F: FnMut(DumpItem<'_>) -> Result<(), StoreError>,
{
    for table in introspect::tables(store).await? {
        let columns: Vec<String> = introspect::columns(store, &table)
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        visit(DumpItem::Table {
            name: &table,
            columns: &columns,
        })?;
        let schema = introspect::schema_table_pk(store, &table).await?;
        let order: Vec<String> = if schema.is_empty() {
            (1..=columns.len()).map(|i| i.to_string()).collect()
        } else {
            schema.iter().map(|c| quote(c)).collect()
        };
        let sql = format!(
            "SELECT * FROM {} ORDER BY {}",
            quote(&table),
            order.join(", ")
        );
        match store.pools() {
            Pools::Sqlite { read, .. } => {
                let mut rows = sqlx::query(&sql).fetch(read);
                while let Some(row) = rows.try_next().await? {
                    visit(DumpItem::Row(sqlite_row(&row)?))?;
                }
            }
            Pools::Postgres(pool) => {
                let mut rows = sqlx::query(&sql).fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    visit(DumpItem::Row(pg_row(&row)?))?;
                }
            }
        }
    }
    Ok(())
}

pub enum DumpItem<'a> {
    Table {
        name: &'a str,
        columns: &'a [String],
    },
    Row(Vec<Json>),
}

/// Collects the whole dump in memory (tests, small databases).
pub async fn dump(store: &Store) -> Result<Vec<TableDump>, StoreError> {
    let mut out: Vec<TableDump> = Vec::new();
    dump_each(store, |item| {
        match item {
            DumpItem::Table { name, columns } => out.push(TableDump {
                table: name.to_string(),
                columns: columns.to_vec(),
                rows: Vec::new(),
            }),
            DumpItem::Row(row) => {
                if let Some(last) = out.last_mut() {
                    last.rows.push(row);
                }
            }
        }
        Ok(())
    })
    .await?;
    Ok(out)
}

/// Streams the dump as JSON lines.
pub async fn write_jsonl(store: &Store, out: &mut impl std::io::Write) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Migration(format!("writing dump: {e}"));
    dump_each(store, |item| {
        let line = match item {
            DumpItem::Table { name, columns } => {
                serde_json::json!({"table": name, "columns": columns})
            }
            DumpItem::Row(row) => Json::Array(row),
        };
        serde_json::to_writer(&mut *out, &line).map_err(|e| io(e.into()))?;
        out.write_all(b"\n").map_err(io)
    })
    .await
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn sqlite_row(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Json>, StoreError> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Json::Null);
            }
            let kind = raw.type_info().name().to_ascii_uppercase();
            Ok(match kind.as_str() {
                "INTEGER" | "BOOLEAN" | "BIGINT" | "INT8" => Json::from(row.try_get::<i64, _>(i)?),
                "REAL" | "DOUBLE" => Json::from(row.try_get::<f64, _>(i)?),
                "BLOB" => Json::from(hex::encode(row.try_get::<Vec<u8>, _>(i)?)),
                _ => Json::from(row.try_get::<String, _>(i)?),
            })
        })
        .collect()
}

fn pg_row(row: &sqlx::postgres::PgRow) -> Result<Vec<Json>, StoreError> {
    (0..row.len())
        .map(|i| {
            let kind = row.column(i).type_info().name().to_ascii_uppercase();
            let value = match kind.as_str() {
                "INT8" => row.try_get::<Option<i64>, _>(i)?.map(Json::from),
                "INT4" => row.try_get::<Option<i32>, _>(i)?.map(Json::from),
                "INT2" => row.try_get::<Option<i16>, _>(i)?.map(Json::from),
                "BOOL" => row.try_get::<Option<bool>, _>(i)?.map(Json::from),
                "FLOAT8" => row.try_get::<Option<f64>, _>(i)?.map(Json::from),
                "FLOAT4" => row.try_get::<Option<f32>, _>(i)?.map(Json::from),
                "BYTEA" => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map(|b| Json::from(hex::encode(b))),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                    row.try_get::<Option<String>, _>(i)?.map(Json::from)
                }
                other => {
                    return Err(StoreError::Migration(format!(
                        "dump: column {} has type {other}, which the dump cannot represent",
                        row.column(i).name()
                    )))
                }
            };
            Ok(value.unwrap_or(Json::Null))
        })
        .collect()
}
