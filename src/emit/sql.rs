//! The SQL tables of DESIGN §6: scripts for SQLite, PostgreSQL and
//! MySQL/MariaDB (`acl.sqlite.sql`, `acl.postgres.sql`, `acl.mysql.sql`),
//! and a ready SQLite database (`acl.sqlite`). The same rows in every
//! dialect; names are quoted for each dialect so that no name breaks a
//! script or injects SQL, and compare case-sensitively.

use std::io::{self, Write};

use crate::model::{AccessLevel, Model, Scope};
use crate::source::Origin;

use super::json::pattern_match;

/// The database file `build --emit sqlite` writes.
pub const DATABASE_FILE: &str = "acl.sqlite";

/// The decision query of DESIGN §6, with named parameters `:acl`,
/// `:access`, `:object` and `:attribute`; no row means deny.
pub const DECISION_QUERY: &str = "\
SELECT p.effect
FROM evaluation_order o JOIN permissions p ON p.block = o.block
WHERE o.access_level = :acl AND p.access = :access
  AND (p.object_match = 'any' OR (p.object_match = 'exact' AND p.object = :object)
       OR (p.object_match = 'prefix' AND substr(:object, 1, p.object_length) = p.object))
  AND (p.attribute_match = 'any' OR (p.attribute_match = 'exact' AND p.attribute = :attribute)
       OR (p.attribute_match = 'prefix' AND substr(:attribute, 1, p.attribute_length) = p.attribute))
ORDER BY o.position, p.position LIMIT 1";

/// An SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL 8 and MariaDB 10.
    Mysql,
}

impl Dialect {
    /// The script's file name.
    pub fn script_file(self) -> &'static str {
        match self {
            Dialect::Sqlite => "acl.sqlite.sql",
            Dialect::Postgres => "acl.postgres.sql",
            Dialect::Mysql => "acl.mysql.sql",
        }
    }

    /// The `--emit` name of the script.
    pub fn emit_name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sql-sqlite",
            Dialect::Postgres => "sql-postgres",
            Dialect::Mysql => "sql-mysql",
        }
    }
}

/// The longest name MySQL can hold in a key column (`VARCHAR(700)`:
/// 2,800 bytes of utf8mb4, under InnoDB's 3,072-byte key limit).
pub const MYSQL_KEY_CHARS: usize = 700;

/// A column's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// A name that takes part in a key or an index.
    Key,
    /// A short keyword (`allow`, `read`, `exact`, a participant type).
    Word,
    /// Free text, or an object or attribute name.
    Text,
}

/// One table: name, columns (name, kind, nullable), primary key, other
/// unique key, indexes (name, columns).
struct TableDef {
    name: &'static str,
    columns: &'static [(&'static str, Kind, bool)],
    primary: &'static [&'static str],
    unique: &'static [&'static str],
    indexes: &'static [(&'static str, &'static [&'static str])],
}

const TABLES: [TableDef; 7] = [
    TableDef {
        name: "blocks",
        columns: &[
            ("id", Kind::Int, false),
            ("name", Kind::Key, false),
            ("type", Kind::Word, false),
            ("predefined", Kind::Bool, false),
            ("hidden", Kind::Bool, false),
            ("grp", Kind::Text, true),
            ("subsystem", Kind::Text, true),
            ("description", Kind::Text, true),
        ],
        primary: &["id"],
        unique: &["name"],
        indexes: &[],
    },
    TableDef {
        name: "block_includes",
        columns: &[
            ("block", Kind::Int, false),
            ("position", Kind::Int, false),
            ("included", Kind::Int, false),
        ],
        primary: &["block", "position"],
        unique: &[],
        indexes: &[],
    },
    TableDef {
        name: "block_visibility",
        columns: &[("block", Kind::Int, false), ("reseller", Kind::Key, false)],
        primary: &["block", "reseller"],
        unique: &[],
        indexes: &[],
    },
    TableDef {
        name: "permissions",
        columns: &[
            ("block", Kind::Int, false),
            ("position", Kind::Int, false),
            ("access", Kind::Word, false),
            ("effect", Kind::Word, false),
            ("object_match", Kind::Word, false),
            ("object", Kind::Text, false),
            ("object_length", Kind::Int, false),
            ("attribute_match", Kind::Word, false),
            ("attribute", Kind::Text, false),
            ("attribute_length", Kind::Int, false),
        ],
        primary: &["block", "position", "access"],
        unique: &[],
        // The decision query finds a block's permissions of one access type
        // in order.
        indexes: &[("permissions_decision", &["block", "access", "position"])],
    },
    TableDef {
        name: "evaluation_order",
        columns: &[
            ("access_level", Kind::Key, false),
            ("position", Kind::Int, false),
            ("block", Kind::Int, false),
        ],
        primary: &["access_level", "position"],
        unique: &[],
        indexes: &[],
    },
    TableDef {
        name: "default_access_levels",
        columns: &[
            ("scope", Kind::Word, false),
            ("environment", Kind::Key, true),
            ("type", Kind::Word, false),
            ("access_level", Kind::Key, false),
        ],
        // `environment` is NULL outside scope `environment`, so this table
        // has a unique key rather than a primary key.
        primary: &[],
        unique: &["scope", "environment", "type"],
        indexes: &[],
    },
    TableDef {
        name: "resellers",
        columns: &[("name", Kind::Key, false)],
        primary: &["name"],
        unique: &[],
        indexes: &[],
    },
];

/// One value of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(&'a str),
    /// NULL.
    Null,
}

fn text(s: &Option<crate::syntax::ast::Node<String>>) -> Value<'_> {
    s.as_ref().map_or(Value::Null, |n| Value::Text(&n.node))
}

/// The resellers a block is visible to, each once, in written order.
fn visibility(acl: &AccessLevel) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for v in &acl.visible_to {
        if !out.contains(&v.node.as_str()) {
            out.push(&v.node);
        }
    }
    out
}

/// Call `f` with every row of table `t` (an index into the tables), in a
/// deterministic order.
fn rows<'m>(
    model: &'m Model,
    orders: &[Option<Vec<u32>>],
    t: usize,
    f: &mut dyn FnMut(&[Value<'m>]) -> io::Result<()>,
) -> io::Result<()> {
    match TABLES[t].name {
        "blocks" => {
            for a in &model.acls {
                f(&[
                    Value::Int(i64::from(a.id.0)),
                    Value::Text(&a.name),
                    Value::Text(a.kind.as_str()),
                    Value::Bool(a.origin == Origin::Predefined),
                    Value::Bool(a.hidden.is_some()),
                    text(&a.group),
                    text(&a.subsystem),
                    text(&a.description),
                ])?;
            }
        }
        "block_includes" => {
            for a in &model.acls {
                for (k, inc) in a.includes.iter().enumerate() {
                    if let Some(t) = inc.target {
                        f(&[
                            Value::Int(i64::from(a.id.0)),
                            Value::Int(k as i64),
                            Value::Int(i64::from(t.0)),
                        ])?;
                    }
                }
            }
        }
        "block_visibility" => {
            for a in &model.acls {
                for r in visibility(a) {
                    f(&[Value::Int(i64::from(a.id.0)), Value::Text(r)])?;
                }
            }
        }
        "permissions" => {
            for a in &model.acls {
                for (k, r) in a.rules.iter().enumerate() {
                    let (om, o) = pattern_match(&r.object);
                    let (am, at) = pattern_match(&r.attribute);
                    for access in r.access.iter() {
                        f(&[
                            Value::Int(i64::from(a.id.0)),
                            Value::Int(k as i64),
                            Value::Text(access.as_str()),
                            Value::Text(r.effect.as_str()),
                            Value::Text(om.as_str()),
                            Value::Text(o),
                            Value::Int(o.chars().count() as i64),
                            Value::Text(am.as_str()),
                            Value::Text(at),
                            Value::Int(at.chars().count() as i64),
                        ])?;
                    }
                }
            }
        }
        "evaluation_order" => {
            for (a, order) in model.acls.iter().zip(orders) {
                for (k, &b) in order.iter().flatten().enumerate() {
                    f(&[
                        Value::Text(&a.name),
                        Value::Int(k as i64),
                        Value::Int(i64::from(b)),
                    ])?;
                }
            }
        }
        "default_access_levels" => {
            for d in &model.defaults {
                let (scope, env) = match &d.scope {
                    Scope::Predefined => ("predefined", Value::Null),
                    Scope::AllEnvironments => ("all", Value::Null),
                    Scope::Environment(e) => ("environment", Value::Text(e)),
                };
                f(&[
                    Value::Text(scope),
                    env,
                    Value::Text(d.decl.ty.node.as_str()),
                    Value::Text(&d.decl.acl.node),
                ])?;
            }
        }
        "resellers" => {
            let mut seen = std::collections::HashSet::new();
            for r in &model.resellers {
                if seen.insert(r.name.node.as_str()) {
                    f(&[Value::Text(&r.name.node)])?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Why a dialect cannot hold this policy set, if it cannot: a NUL
/// character in a name (no SQL text literal of the three holds it
/// portably; PostgreSQL text cannot hold it at all); for MySQL, a key name
/// longer than [`MYSQL_KEY_CHARS`] characters, or two names that differ only
/// by trailing spaces (`utf8mb4_bin` compares with trailing spaces
/// ignored, so they would be one key).
pub fn unsupported(model: &Model, orders: &[Option<Vec<u32>>], dialect: Dialect) -> Option<String> {
    let mut problem = None;
    let mut keys: [std::collections::HashMap<&str, &str>; 7] = Default::default();
    let _ = (0..TABLES.len()).try_for_each(|t| {
        rows(model, orders, t, &mut |row| {
            for (i, v) in row.iter().enumerate() {
                let Value::Text(s) = *v else { continue };
                let (column, kind, _) = TABLES[t].columns[i];
                let what = format!("`{column}` of table `{}`", TABLES[t].name);
                if s.contains('\0') {
                    problem = Some(format!(
                        "the name `{}` ({what}) contains a NUL character, which SQL text cannot hold; rename it",
                        s.escape_default()
                    ));
                    return Err(io::Error::other("stop"));
                }
                if dialect != Dialect::Mysql || kind != Kind::Key {
                    continue;
                }
                if s.chars().count() > MYSQL_KEY_CHARS {
                    problem = Some(format!(
                        "the name `{s}` ({what}) is longer than {MYSQL_KEY_CHARS} characters, the longest a MySQL key holds; shorten it"
                    ));
                    return Err(io::Error::other("stop"));
                }
                // Only names that must be distinct keys matter: block names,
                // resellers, environments.
                let distinct = matches!(
                    (TABLES[t].name, column),
                    ("blocks", "name") | ("resellers", "name") | ("default_access_levels", "environment")
                );
                if distinct {
                    let trimmed = s.trim_end_matches(' ');
                    if let Some(other) = keys[t].insert(trimmed, s) {
                        if other != s {
                            problem = Some(format!(
                                "`{other}` and `{s}` ({what}) differ only by trailing spaces, which MySQL's utf8mb4_bin ignores in comparisons; rename one"
                            ));
                            return Err(io::Error::other("stop"));
                        }
                    }
                }
            }
            Ok(())
        })
    });
    problem
}

/// Rows per INSERT statement.
const BATCH: usize = 500;

/// An SQL literal for a value in a dialect.
fn literal(out: &mut Vec<u8>, v: Value<'_>, dialect: Dialect) {
    match v {
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Null => out.extend_from_slice(b"NULL"),
        Value::Bool(b) => out.extend_from_slice(match (dialect, b) {
            (Dialect::Sqlite, true) => b"1",
            (Dialect::Sqlite, false) => b"0",
            (_, true) => b"TRUE",
            (_, false) => b"FALSE",
        }),
        Value::Text(s) => string(out, s, dialect),
    }
}

fn is_control(c: char) -> bool {
    c.is_control()
}

/// A string literal. Plain `'…'` (quotes doubled) holds any text in
/// SQLite and PostgreSQL (with `standard_conforming_strings`, which the
/// script sets); control characters are written as escapes there, so the
/// script stays printable. MySQL treats a backslash in `'…'` as an escape
/// unless `NO_BACKSLASH_ESCAPES` is set, and its client parses scripts
/// accordingly: text with a quote, a backslash or a control character is
/// written as a hexadecimal literal with the utf8mb4 introducer, which no
/// mode or client reads differently.
fn string(out: &mut Vec<u8>, s: &str, dialect: Dialect) {
    let special = |c: char| c == '\'' || c == '\\' || is_control(c);
    match dialect {
        Dialect::Mysql if s.contains(special) => {
            out.extend_from_slice(b"_utf8mb4 X'");
            for b in s.as_bytes() {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'\'');
        }
        Dialect::Postgres if s.contains(is_control) => {
            out.extend_from_slice(b"E'");
            for c in s.chars() {
                match c {
                    '\'' => out.extend_from_slice(b"''"),
                    '\\' => out.extend_from_slice(b"\\\\"),
                    c if is_control(c) && (c as u32) < 0x100 => {
                        out.extend_from_slice(format!("\\x{:02X}", c as u32).as_bytes())
                    }
                    c if is_control(c) => {
                        out.extend_from_slice(format!("\\U{:08X}", c as u32).as_bytes())
                    }
                    c => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            out.push(b'\'');
        }
        Dialect::Sqlite if s.contains(is_control) => {
            // Pieces joined with `||`, each control character as char(N).
            out.push(b'(');
            let mut first = true;
            let mut piece = String::new();
            let flush = |out: &mut Vec<u8>, piece: &mut String, first: &mut bool| {
                if !piece.is_empty() {
                    if !*first {
                        out.extend_from_slice(b" || ");
                    }
                    out.push(b'\'');
                    out.extend_from_slice(piece.replace('\'', "''").as_bytes());
                    out.push(b'\'');
                    piece.clear();
                    *first = false;
                }
            };
            for c in s.chars() {
                if is_control(c) {
                    flush(out, &mut piece, &mut first);
                    if !first {
                        out.extend_from_slice(b" || ");
                    }
                    out.extend_from_slice(format!("char({})", c as u32).as_bytes());
                    first = false;
                } else {
                    piece.push(c);
                }
            }
            flush(out, &mut piece, &mut first);
            out.push(b')');
        }
        _ => {
            out.push(b'\'');
            out.extend_from_slice(s.replace('\'', "''").as_bytes());
            out.push(b'\'');
        }
    }
}

fn column_type(kind: Kind, dialect: Dialect) -> &'static str {
    match (dialect, kind) {
        (_, Kind::Int) => "INTEGER",
        (Dialect::Sqlite, Kind::Bool) => "INTEGER",
        (_, Kind::Bool) => "BOOLEAN",
        (Dialect::Mysql, Kind::Key) => "VARCHAR(700)",
        (Dialect::Mysql, Kind::Word) => "VARCHAR(32)",
        (_, _) => "TEXT",
    }
}

/// `CREATE TABLE` for one table. MySQL tables are utf8mb4 with
/// `utf8mb4_bin` (case-sensitive, by code point) on every text column.
fn create_table(t: &TableDef, dialect: Dialect) -> String {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|&(name, kind, nullable)| {
            format!(
                "  {name} {}{}",
                column_type(kind, dialect),
                if nullable { "" } else { " NOT NULL" }
            )
        })
        .collect();
    if !t.primary.is_empty() {
        parts.push(format!("  PRIMARY KEY ({})", t.primary.join(", ")));
    }
    if !t.unique.is_empty() {
        parts.push(format!("  UNIQUE ({})", t.unique.join(", ")));
    }
    let mut s = format!("CREATE TABLE {} (\n{}\n)", t.name, parts.join(",\n"));
    if dialect == Dialect::Mysql {
        s.push_str(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    }
    s.push_str(";\n");
    s
}

/// The statements that create the tables, their keys and indexes.
pub fn schema(dialect: Dialect) -> String {
    let mut s = String::new();
    for t in TABLES.iter().rev() {
        s.push_str(&format!("DROP TABLE IF EXISTS {};\n", t.name));
    }
    for t in &TABLES {
        s.push_str(&create_table(t, dialect));
        for (name, cols) in t.indexes {
            s.push_str(&format!(
                "CREATE INDEX {name} ON {} ({});\n",
                t.name,
                cols.join(", ")
            ));
        }
    }
    s
}

/// Write the script of a dialect: create the tables and fill them in one
/// transaction (MySQL commits DDL on its own: there the tables are
/// created first, then filled in one transaction), multi-row INSERTs of
/// [`BATCH`] rows. Deterministic.
pub fn write_script(
    model: &Model,
    orders: &[Option<Vec<u32>>],
    dialect: Dialect,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    let mut head = format!(
        "-- The compiled ACL tables (aclc, table format version {}) for {}.\n-- Generated by `aclc build --emit {}`; do not edit.\n",
        crate::runtime::FORMAT_VERSION,
        match dialect {
            Dialect::Sqlite => "SQLite (sqlite3 DB < acl.sqlite.sql)",
            Dialect::Postgres => "PostgreSQL (psql -v ON_ERROR_STOP=1 -f acl.postgres.sql)",
            Dialect::Mysql => "MySQL and MariaDB (mysql DB < acl.mysql.sql)",
        },
        dialect.emit_name()
    );
    match dialect {
        Dialect::Sqlite => head.push_str("BEGIN;\n"),
        Dialect::Postgres => head.push_str(
            "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nBEGIN;\n",
        ),
        Dialect::Mysql => head.push_str(
            "SET NAMES utf8mb4;\nSET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES');\n",
        ),
    }
    out.write_all(head.as_bytes())?;
    out.write_all(schema(dialect).as_bytes())?;
    if dialect == Dialect::Mysql {
        out.write_all(b"START TRANSACTION;\n")?;
    }
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for (t, def) in TABLES.iter().enumerate() {
        let columns: Vec<&str> = def.columns.iter().map(|c| c.0).collect();
        let insert = format!("INSERT INTO {} ({}) VALUES\n", def.name, columns.join(", "));
        let mut n = 0usize;
        rows(model, orders, t, &mut |row| {
            buf.clear();
            buf.extend_from_slice(if n % BATCH == 0 {
                if n > 0 {
                    out.write_all(b";\n")?;
                }
                insert.as_bytes()
            } else {
                b",\n"
            });
            buf.push(b'(');
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    buf.extend_from_slice(b", ");
                }
                literal(&mut buf, *v, dialect);
            }
            buf.push(b')');
            n += 1;
            out.write_all(&buf)
        })?;
        if n > 0 {
            out.write_all(b";\n")?;
        }
    }
    out.write_all(b"COMMIT;\n")
}

/// Fill an open SQLite database: the tables of [`schema`] and their rows,
/// in one transaction, through prepared statements (no quoting involved).
pub fn fill_sqlite(
    conn: &mut rusqlite::Connection,
    model: &Model,
    orders: &[Option<Vec<u32>>],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(&schema(Dialect::Sqlite))?;
    for (t, def) in TABLES.iter().enumerate() {
        let columns: Vec<&str> = def.columns.iter().map(|c| c.0).collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = tx.prepare(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            def.name,
            columns.join(", "),
            marks.join(", ")
        ))?;
        let mut failure = None;
        let _ = rows(model, orders, t, &mut |row| {
            let params: Vec<rusqlite::types::Value> = row
                .iter()
                .map(|v| match *v {
                    Value::Int(i) => rusqlite::types::Value::Integer(i),
                    Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(b)),
                    Value::Text(s) => rusqlite::types::Value::Text(s.to_string()),
                    Value::Null => rusqlite::types::Value::Null,
                })
                .collect();
            match stmt.execute(rusqlite::params_from_iter(params)) {
                Ok(_) => Ok(()),
                Err(e) => {
                    failure = Some(e);
                    Err(io::Error::other("stop"))
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
    }
    tx.commit()
}
