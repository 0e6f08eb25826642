//! `src/schema.rs`, `migrations/sqlite` and `migrations/postgres` describe
//! the same database: same tables, same columns, same types (in the portable
//! subset), same nullability, same primary keys.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use diesel::debug_query;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};
use latchkey_store::db::{migration_names, run_migrations};
use latchkey_store::{Backend, DatabaseUrl, DbConnection, schema};
use latchkey_testkit::{TestDb, test_backend};

const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// One column in backend-neutral terms: the Diesel SQL type name (`Text`,
/// `BigInt`, …) and whether it admits NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    sql_type: String,
    nullable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    primary_key: Vec<String>,
    columns: BTreeMap<String, Column>,
}

type Model = BTreeMap<String, Table>;

// ---- what schema.rs declares ----------------------------------------------

/// The column names of every table as Diesel compiled them, read from the
/// SQL of `SELECT <all_columns>`. The list of tables here is itself checked
/// against the `table!` blocks of the source below.
macro_rules! compiled_columns {
    ($($table:ident),+ $(,)?) => {
        BTreeMap::from([$((
            stringify!($table).to_owned(),
            select_list(
                &debug_query::<Sqlite, _>(&schema::$table::table.select(schema::$table::all_columns))
                    .to_string(),
            ),
        )),+])
    };
}

fn compiled_schema_columns() -> BTreeMap<String, Vec<String>> {
    compiled_columns!(
        instance_settings,
        users,
        groups,
        group_members,
        user_roles,
        credentials,
        recovery_codes,
        invitations,
        clients,
        client_presentations,
        consents,
        refresh_token_families,
        refresh_tokens_used,
        token_revocations,
        ended_sessions,
        signing_keys,
        attestation_policies,
        policy_assignments,
        authenticator_metadata,
        metadata_blob,
        guarded_actions,
        guarded_action_factors,
        approvals,
        oob_verifications,
        enrolment_grants,
        outbox,
        audit_events,
        browser_sessions,
        ephemeral_values,
        rate_counters,
        daily_counts,
        rollup_cursors,
        recovery_policies,
    )
}

/// `SELECT `t`.`a`, `t`.`b` FROM `t`` → `["a", "b"]`.
fn select_list(sql: &str) -> Vec<String> {
    let list = sql
        .strip_prefix("SELECT ")
        .and_then(|rest| rest.split(" FROM ").next())
        .unwrap_or_else(|| panic!("unexpected SQL from debug_query: {sql}"));
    list.split(", ")
        .map(|qualified| {
            let column = qualified.rsplit('.').next().unwrap_or(qualified);
            column.trim_matches('`').to_owned()
        })
        .collect()
}

/// Parses the `diesel::table!` blocks of `src/schema.rs` for what the
/// compiled schema cannot list at run time: types, nullability, keys.
fn schema_rs_model() -> Model {
    let source = include_str!("../../src/schema.rs");
    let mut model = Model::new();
    let mut lines = source.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != "diesel::table! {" {
            continue;
        }
        let header = lines.next().expect("a table header");
        let (name, keys) = header
            .strip_suffix('{')
            .and_then(|h| h.trim().strip_suffix(')'))
            .and_then(|h| h.split_once('('))
            .unwrap_or_else(|| panic!("unexpected table header in schema.rs: {header}"));
        let mut table = Table {
            primary_key: keys.split(',').map(|k| k.trim().to_owned()).collect(),
            columns: BTreeMap::new(),
        };
        for line in lines.by_ref() {
            if line == "}" {
                break;
            }
            let (column, sql_type) = line
                .strip_suffix(',')
                .and_then(|l| l.split_once(" -> "))
                .unwrap_or_else(|| panic!("unexpected column line in schema.rs: {line}"));
            let (sql_type, nullable) = match sql_type.strip_prefix("Nullable<") {
                Some(inner) => (inner.strip_suffix('>').expect("closing >"), true),
                None => (sql_type, false),
            };
            table.columns.insert(
                column.to_owned(),
                Column {
                    sql_type: sql_type.to_owned(),
                    nullable,
                },
            );
        }
        model.insert(name.trim().to_owned(), table);
    }
    model
}

// ---- what a migrated database has -----------------------------------------

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    decl_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct PgKeyColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn portable_type(backend: Backend, declared: &str) -> String {
    let name = match (backend, declared.to_ascii_lowercase().as_str()) {
        (_, "text") => "Text",
        (_, "bigint") => "BigInt",
        (_, "integer") => "Integer",
        (_, "boolean") => "Bool",
        (Backend::Sqlite, "blob") | (Backend::Postgres, "bytea") => "Binary",
        (Backend::Sqlite, "timestamp") | (Backend::Postgres, "timestamp without time zone") => {
            "Timestamp"
        }
        _ => return format!("{declared} (not in the portable subset)"),
    };
    name.to_owned()
}

fn sqlite_model(conn: &mut SqliteConnection) -> Model {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .load(conn)
    .unwrap();
    let mut model = Model::new();
    for Name { name } in tables.into_iter().filter(|t| t.name != MIGRATIONS_TABLE) {
        let mut columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS decl_type, \"notnull\" AS not_null, pk FROM pragma_table_info(?)",
        )
        .bind::<Text, _>(&name)
        .load(conn)
        .unwrap();
        columns.sort_by_key(|c| c.pk);
        let table = Table {
            primary_key: columns
                .iter()
                .filter(|c| c.pk > 0)
                .map(|c| c.name.clone())
                .collect(),
            columns: columns
                .into_iter()
                .map(|c| {
                    let column = Column {
                        sql_type: portable_type(Backend::Sqlite, &c.decl_type),
                        nullable: c.not_null == 0,
                    };
                    (c.name, column)
                })
                .collect(),
        };
        model.insert(name, table);
    }
    model
}

fn postgres_model(conn: &mut diesel::pg::PgConnection) -> Model {
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                data_type::text AS data_type, is_nullable::text AS is_nullable \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() \
         ORDER BY table_name, ordinal_position",
    )
    .load(conn)
    .unwrap();
    let keys: Vec<PgKeyColumn> = diesel::sql_query(
        "SELECT kcu.table_name::text AS table_name, kcu.column_name::text AS column_name \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
           ON kcu.constraint_schema = tc.constraint_schema \
          AND kcu.constraint_name = tc.constraint_name \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
         ORDER BY kcu.table_name, kcu.ordinal_position",
    )
    .load(conn)
    .unwrap();
    let mut model = Model::new();
    for c in columns
        .into_iter()
        .filter(|c| c.table_name != MIGRATIONS_TABLE)
    {
        let column = Column {
            sql_type: portable_type(Backend::Postgres, &c.data_type),
            nullable: c.is_nullable == "YES",
        };
        model
            .entry(c.table_name)
            .or_default()
            .columns
            .insert(c.column_name, column);
    }
    for k in keys
        .into_iter()
        .filter(|k| k.table_name != MIGRATIONS_TABLE)
    {
        model
            .entry(k.table_name)
            .or_default()
            .primary_key
            .push(k.column_name);
    }
    model
}

fn model_of(conn: &mut DbConnection) -> Model {
    match conn {
        DbConnection::Sqlite(lite) => sqlite_model(lite),
        DbConnection::Pg(pg) => postgres_model(pg),
    }
}

/// A fresh in-memory SQLite database with the SQLite migrations applied,
/// whatever backend the environment names.
fn migrated_sqlite() -> DbConnection {
    let url = DatabaseUrl::parse("sqlite://:memory:").unwrap();
    let mut conn = url.connect().unwrap();
    let applied = run_migrations(&mut conn).unwrap();
    assert_eq!(applied, embedded_versions(Backend::Sqlite));
    conn
}

/// The versions of the embedded migrations (what a migration run reports):
/// `2026-11-22-000001_initial` is version `20261122000001`.
fn embedded_versions(backend: Backend) -> Vec<String> {
    migration_names(backend)
        .unwrap()
        .iter()
        .map(|name| name.split('_').next().unwrap_or_default().replace('-', ""))
        .collect()
}

/// Every difference between two models, one line each.
fn differences(left_name: &str, left: &Model, right_name: &str, right: &Model) -> Vec<String> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = left.keys().chain(right.keys()).collect();
    for table in tables {
        let (l, r) = match (left.get(table), right.get(table)) {
            (Some(l), Some(r)) => (l, r),
            (Some(_), None) => {
                out.push(format!(
                    "table {table} is in {left_name} but not in {right_name}"
                ));
                continue;
            }
            (None, _) => {
                out.push(format!(
                    "table {table} is in {right_name} but not in {left_name}"
                ));
                continue;
            }
        };
        if l.primary_key != r.primary_key {
            out.push(format!(
                "{table}: primary key {:?} in {left_name}, {:?} in {right_name}",
                l.primary_key, r.primary_key
            ));
        }
        let columns: BTreeSet<&String> = l.columns.keys().chain(r.columns.keys()).collect();
        for column in columns {
            match (l.columns.get(column), r.columns.get(column)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => out.push(format!(
                    "{table}.{column}: {a:?} in {left_name}, {b:?} in {right_name}"
                )),
                (Some(_), None) => out.push(format!(
                    "{table}.{column} is in {left_name} but not in {right_name}"
                )),
                (None, _) => out.push(format!(
                    "{table}.{column} is in {right_name} but not in {left_name}"
                )),
            }
        }
    }
    out
}

fn assert_same(left_name: &str, left: &Model, right_name: &str, right: &Model) {
    let diff = differences(left_name, left, right_name, right);
    if !diff.is_empty() {
        let mut message = format!("{left_name} and {right_name} differ:\n");
        for line in diff {
            let _ = writeln!(message, "  - {line}");
        }
        panic!("{message}");
    }
}

// ---- the checks -----------------------------------------------------------

#[test]
fn schema_rs_parser_and_compiled_schema_agree_on_tables_and_columns() {
    let parsed = schema_rs_model();
    let compiled = compiled_schema_columns();

    assert_eq!(
        parsed.keys().collect::<Vec<_>>(),
        compiled.keys().collect::<Vec<_>>(),
        "the table list in compiled_schema_columns() is out of date with schema.rs"
    );
    for (table, columns) in &compiled {
        let parsed_columns: BTreeSet<&String> = parsed[table].columns.keys().collect();
        let compiled_columns: BTreeSet<&String> = columns.iter().collect();
        assert_eq!(parsed_columns, compiled_columns, "columns of {table}");
        assert_eq!(
            columns.len(),
            compiled_columns.len(),
            "duplicate column in {table}"
        );
    }
}

#[test]
fn sqlite_migrations_create_exactly_the_tables_and_columns_schema_rs_declares() {
    let mut conn = migrated_sqlite();

    let database = model_of(&mut conn);

    let compiled = compiled_schema_columns();
    let database_tables: BTreeSet<&String> = database.keys().collect();
    assert_eq!(database_tables, compiled.keys().collect(), "tables");
    for (table, columns) in &compiled {
        let declared: BTreeSet<&String> = columns.iter().collect();
        assert_eq!(
            database[table].columns.keys().collect::<BTreeSet<_>>(),
            declared,
            "columns of {table}"
        );
    }
    assert_same(
        "schema.rs",
        &schema_rs_model(),
        "the SQLite migrations",
        &database,
    );
}

/// With `LATCHKEY_TEST_DATABASE_URL` set this migrates a PostgreSQL schema;
/// without it, a SQLite file through the pool (the same path the server takes).
#[test]
fn migrated_test_database_has_the_same_tables_columns_and_nullability_as_sqlite() {
    let db = TestDb::new();
    let mut conn = db.db.get_blocking().unwrap();
    let backend = test_backend();
    assert_eq!(db.db.backend(), backend);

    let database = model_of(&mut conn);

    let name = format!("the {backend:?} migrations");
    let sqlite = model_of(&mut migrated_sqlite());
    assert_same("the SQLite migrations", &sqlite, &name, &database);
    assert_same("schema.rs", &schema_rs_model(), &name, &database);
    if backend == Backend::Sqlite {
        eprintln!("note: LATCHKEY_TEST_DATABASE_URL is not set; PostgreSQL parity was not checked");
    }
}

#[test]
fn postgres_and_sqlite_migrations_have_identical_names() {
    let postgres = migration_names(Backend::Postgres).unwrap();
    let sqlite = migration_names(Backend::Sqlite).unwrap();

    assert!(!postgres.is_empty());
    assert_eq!(postgres, sqlite);
}

#[test]
fn postgres_and_sqlite_migration_directories_match_on_disk_with_up_and_down_scripts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let list = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join(backend))
            .unwrap_or_else(|e| panic!("reading migrations/{backend}: {e}"))
            .map(|entry| entry.unwrap())
            .filter(|entry| entry.file_type().unwrap().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect()
    };

    let postgres = list("postgres");
    let sqlite = list("sqlite");

    assert_eq!(postgres, sqlite);
    let embedded: BTreeSet<String> = migration_names(Backend::Sqlite)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        sqlite, embedded,
        "the embedded migrations are those on disk"
    );
    for backend in ["postgres", "sqlite"] {
        for migration in &postgres {
            for script in ["up.sql", "down.sql"] {
                let path = root.join(backend).join(migration).join(script);
                assert!(path.is_file(), "{} is missing", path.display());
            }
        }
    }
}

#[test]
fn migrate_applies_every_embedded_migration_once_and_nothing_the_second_time() {
    let db = TestDb::unmigrated();

    let first = db.db.migrate_blocking().unwrap();
    let second = db.db.migrate_blocking().unwrap();

    assert_eq!(first, embedded_versions(db.db.backend()));
    assert!(!first.is_empty());
    assert_eq!(second, Vec::<String>::new());
}
