//! The compiled table against the model, on random policies with hostile
//! names (quotes, backslashes, `%`, `_`, SQL keywords, control characters,
//! non-ASCII letters), object and attribute names that are prefixes of
//! each other, the empty name and names no pattern mentions:
//!
//! - `Table::decide` (the decision index) and `Table::explain` (the walk
//!   over the evaluation order) equal the model's `decide`, rule for rule;
//! - the DESIGN §6 decision query, the same text on every database with
//!   its parameters bound by each driver, returns the same decision on the
//!   SQL tables: SQLite in-process (the script and the database file),
//!   PostgreSQL and MariaDB on throwaway servers this test starts in a
//!   temporary folder (skipped with a message when the server is not
//!   installed, a failure when `CI=true`).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use aclc::analysis::{analyze, Analysis, Options};
use aclc::emit::json::{compile, document_json, orders};
use aclc::emit::sql::{self, Dialect, DECISION_QUERY};
use aclc::runtime::{Access, Effect, Table};
use aclc::source::{Origin, SourceMap};
use proptest::prelude::*;

const OBJECT_PATTERNS: &[&str] = &[
    "A", "AB", "ABC", "A_", "B", "Bx", "x_y", "A*", "AB*", "ABC*", "B*", "_*", "*",
];
const ATTR_PATTERNS: &[&str] = &["x", "xy", "xyz", "y", "_", "x*", "xy*", "*"];
/// Requests: every class, prefixes of each other, the empty name, names
/// no pattern mentions, non-ASCII and `%`.
const OBJECTS: &[&str] = &[
    "A", "AB", "ABC", "ABCD", "A_", "A_b", "B", "Bx", "Bxq", "Z", "_", "x_y", "", "é", "a", "AB%",
];
const ATTRS: &[&str] = &["x", "xy", "xyz", "xyzw", "y", "_", "q", "", "X", "x%"];
/// Suffixes that make block names hostile (never a trailing space: MySQL
/// ignores trailing spaces in comparisons, and `build` refuses names that
/// differ only by them).
const HOSTILE: &[&str] = &[
    "",
    "'",
    "\\",
    "\\'",
    "\"",
    "%",
    "_",
    " SELECT",
    "'); DROP TABLE blocks; --",
    "\t",
    "\u{1}x",
    "é",
    "名前",
    "a b",
    "$1 :acl ?",
];

#[derive(Clone, Debug)]
struct Rule {
    allow: bool,
    access: u8,
    object: &'static str,
    attribute: &'static str,
}

#[derive(Clone, Debug)]
struct Block {
    name: String,
    access_level: bool,
    rules: Vec<Rule>,
    includes: Vec<usize>,
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        any::<bool>(),
        1u8..16,
        prop::sample::select(OBJECT_PATTERNS),
        prop::sample::select(ATTR_PATTERNS),
    )
        .prop_map(|(allow, access, object, attribute)| Rule {
            allow,
            access,
            object,
            attribute,
        })
}

/// Acyclic policies: block `i` includes blocks after it only; components
/// include components, access levels (all `for user`) anything.
fn policy() -> impl Strategy<Value = Vec<Block>> {
    (2usize..9).prop_flat_map(|n| {
        prop::collection::vec(
            (
                prop::collection::vec(rule(), 0..6),
                prop::collection::vec(0..n, 0..4),
                any::<bool>(),
                prop::sample::select(HOSTILE),
            ),
            n,
        )
        .prop_map(move |blocks| {
            let kinds: Vec<bool> = blocks.iter().map(|b| b.2).collect();
            blocks
                .into_iter()
                .enumerate()
                .map(|(i, (rules, includes, access_level, hostile))| Block {
                    name: format!("C{i}{hostile}"),
                    access_level,
                    rules,
                    includes: includes
                        .into_iter()
                        .filter(|&j| j > i && (access_level || !kinds[j]))
                        .collect(),
                })
                .collect()
        })
    })
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

fn render(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        if b.access_level {
            s.push_str(&format!("access_level {} for user {{\n", quoted(&b.name)));
        } else {
            s.push_str(&format!("component {} {{\n", quoted(&b.name)));
        }
        for r in &b.rules {
            let access: Vec<&str> = Access::ALL
                .iter()
                .filter(|a| r.access & a.bit() != 0)
                .map(|a| a.as_str())
                .collect();
            s.push_str(&format!(
                "    {} {} {}.{}\n",
                if r.allow { "allow" } else { "deny" },
                access.join(", "),
                r.object,
                r.attribute
            ));
        }
        for &i in &b.includes {
            s.push_str(&format!("    include {}\n", quoted(&blocks[i].name)));
        }
        s.push_str("}\n");
    }
    s
}

fn analyzed(blocks: &[Block]) -> Analysis {
    let text = render(blocks);
    let mut sources = SourceMap::new();
    sources.add("p.acl", text.as_str(), Origin::User);
    let a = analyze(sources, &Options::default());
    assert!(!a.has_errors(), "{:#?}\n{text}", a.diagnostics);
    a
}

/// Every request of every access level: (access level, access, object,
/// attribute, the model's decision).
fn requests(a: &Analysis) -> Vec<(String, Access, &'static str, &'static str, Effect)> {
    let mut out = Vec::new();
    for acl in a.model.acls.iter().filter(|x| !x.is_component()) {
        for access in Access::ALL {
            for o in OBJECTS {
                for at in ATTRS {
                    let d = a.model.decide(acl.id, access, o, at);
                    out.push((acl.name.clone(), access, *o, *at, d.effect));
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn table_decides_as_the_model(blocks in policy()) {
        let a = analyzed(&blocks);
        let model = &a.model;
        let doc = compile(model, &a.semantics);
        let table = Table::new(doc.clone()).unwrap();
        let loaded = Table::from_json(&document_json(&doc)).unwrap();
        for acl in model.acls.iter() {
            for access in Access::ALL {
                for o in OBJECTS {
                    for at in ATTRS {
                        let want = model.decide(acl.id, access, o, at);
                        if acl.is_component() {
                            prop_assert_eq!(table.decide(&acl.name, access, o, at), None);
                            continue;
                        }
                        prop_assert_eq!(table.decide(&acl.name, access, o, at), Some(want.effect),
                            "{} {} {:?}.{:?}\n{}", acl.name, access, o, at, render(&blocks));
                        prop_assert_eq!(loaded.decide(&acl.name, access, o, at), Some(want.effect));
                        let got = table.explain(&acl.name, access, o, at).unwrap();
                        prop_assert_eq!(got.effect, want.effect);
                        // The same deciding statement: block and position.
                        let got_rule = got.rule.map(|r| {
                            let b = &doc.blocks[r.block as usize];
                            let origin = model.lookup(&b.name).unwrap();
                            let mut entries = 0;
                            let index = model.acl(origin).rules.iter().position(|x| {
                                entries += x.access.iter().count();
                                entries > r.permission as usize
                            });
                            (origin, index.unwrap())
                        });
                        prop_assert_eq!(got_rule, want.rule);
                    }
                }
            }
        }
    }

    #[test]
    fn sqlite_decision_query_decides_as_the_table(blocks in policy()) {
        let a = analyzed(&blocks);
        let orders = orders(&a.model, &a.semantics);
        let mut script = Vec::new();
        sql::write_script(&a.model, &orders, Dialect::Sqlite, &mut script).unwrap();
        let from_script = rusqlite::Connection::open_in_memory().unwrap();
        from_script.execute_batch(std::str::from_utf8(&script).unwrap()).unwrap();
        let mut from_file = rusqlite::Connection::open_in_memory().unwrap();
        sql::fill_sqlite(&mut from_file, &a.model, &orders).unwrap();
        for conn in [&from_script, &from_file] {
            let mut q = conn.prepare(DECISION_QUERY).unwrap();
            for (acl, access, o, at, want) in requests(&a) {
                let got: Option<String> = q
                    .query_row(
                        rusqlite::named_params! {":acl": acl, ":access": access.as_str(), ":object": o, ":attribute": at},
                        |row| row.get(0),
                    )
                    .map(Some)
                    .or_else(|e| match e {
                        rusqlite::Error::QueryReturnedNoRows => Ok(None),
                        e => Err(e),
                    })
                    .unwrap();
                prop_assert_eq!(effect(got), want, "{} {} {:?}.{:?}", acl, access, o, at);
            }
        }
    }
}

fn effect(row: Option<String>) -> Effect {
    match row.as_deref() {
        Some("allow") => Effect::Allow,
        Some("deny") | None => Effect::Deny,
        Some(other) => panic!("effect `{other}`"),
    }
}

#[test]
fn scripts_and_database_are_byte_identical_across_builds() {
    let blocks = vec![Block {
        name: "L'\\%_\u{1}é".into(),
        access_level: true,
        rules: vec![Rule {
            allow: true,
            access: 3,
            object: "AB*",
            attribute: "x",
        }],
        includes: vec![],
    }];
    let a = analyzed(&blocks);
    let orders = orders(&a.model, &a.semantics);
    for d in [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql] {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        sql::write_script(&a.model, &orders, d, &mut x).unwrap();
        sql::write_script(&a.model, &orders, d, &mut y).unwrap();
        assert_eq!(x, y);
    }
}

// --------------------------------------------------------- real servers

/// Whether a missing server fails the test (in CI) or skips it.
fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn skip(what: &str) {
    assert!(!required(), "{what}, and CI=true requires it");
    eprintln!("skipped: {what} (install it to run this test; CI=true makes this a failure)");
}

/// A program on PATH or in one of `dirs`.
fn find(program: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(dirs.iter().cloned())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PostgreSQL server on a unix socket in a temporary folder, stopped on
/// drop. PostgreSQL refuses to run as root: as root, it runs as the
/// `postgres` user the Debian package creates.
struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    psql: PathBuf,
    as_postgres: bool,
}

impl Postgres {
    fn start() -> Option<Postgres> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|r| r.flatten().map(|e| e.path().join("bin")).collect())
            .unwrap_or_default();
        dirs.sort();
        dirs.reverse();
        // The server's folder (initdb may be a link on PATH).
        let initdb = std::fs::canonicalize(find("initdb", &dirs)?).ok()?;
        let bin = initdb.parent()?.to_path_buf();
        let psql = find("psql", &dirs)?;
        let dir = tempfile::Builder::new().prefix("aclc-pg-").tempdir().ok()?;
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()));
        }
        let pg = Postgres {
            dir,
            bin,
            psql,
            as_postgres,
        };
        let data = pg.dir.path().join("data");
        run(pg.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]));
        run(pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-k {} -c listen_addresses='' -p 5439 -c fsync=off",
                pg.dir.path().display()
            ))
            .args(["-w", "-l"])
            .arg(pg.dir.path().join("log"))
            .arg("start"));
        Some(pg)
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn psql(&self) -> Command {
        let mut c = Command::new(&self.psql);
        c.arg("-h").arg(self.dir.path()).args([
            "-p",
            "5439",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
        ]);
        c
    }

    fn client(&self) -> postgres::Client {
        postgres::Config::new()
            .host_path(self.dir.path())
            .port(5439)
            .user("postgres")
            .dbname("postgres")
            .connect(postgres::NoTls)
            .unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// A MariaDB (or MySQL) server on a unix socket in a temporary folder,
/// stopped on drop.
struct Mariadb {
    dir: tempfile::TempDir,
    child: std::process::Child,
    client: PathBuf,
}

impl Mariadb {
    fn start() -> Option<Mariadb> {
        let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")];
        let server = find("mariadbd", &sbin).or_else(|| find("mysqld", &sbin))?;
        let install =
            find("mariadb-install-db", &sbin).or_else(|| find("mysql_install_db", &sbin))?;
        let client = find("mariadb", &sbin).or_else(|| find("mysql", &sbin))?;
        let dir = tempfile::Builder::new().prefix("aclc-my-").tempdir().ok()?;
        let data = dir.path().join("data");
        let user: Vec<String> = if is_root() {
            vec!["--user=root".into()]
        } else {
            Vec::new()
        };
        run(Command::new(install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .args(&user));
        let child = Command::new(server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg("--skip-networking")
            .arg("--innodb-flush-log-at-trx-commit=0")
            .args(&user)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("log")).ok()?)
            .spawn()
            .ok()?;
        let db = Mariadb { dir, child, client };
        for _ in 0..600 {
            if db.connect(None).is_some() {
                return Some(db);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "MariaDB did not start:\n{}",
            std::fs::read_to_string(db.dir.path().join("log")).unwrap_or_default()
        );
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    fn connect(&self, db: Option<&str>) -> Option<mysql::Conn> {
        let opts = mysql::OptsBuilder::new()
            .socket(Some(self.socket().display().to_string()))
            .user(Some("root"))
            .db_name(db);
        mysql::Conn::new(opts).ok()
    }

    fn cli(&self) -> Command {
        let mut c = Command::new(&self.client);
        c.arg("--no-defaults")
            .arg(format!("--socket={}", self.socket().display()))
            .args(["-u", "root", "--default-character-set=utf8mb4", "acl"]);
        c
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Feed a script to a client on standard input.
fn load(mut cmd: Command, script: &[u8], file: &Path) {
    std::fs::write(file, script).unwrap();
    cmd.stdin(std::fs::File::open(file).unwrap());
    run(&mut cmd);
}

/// Random policies, loaded by the database's own client from the script
/// `build` writes, then every request asked with the decision query.
fn check_server(cases: u32, decide: impl FnMut(&Analysis, &[u8]) -> Vec<Effect>, dialect: Dialect) {
    // The runner wants a `Fn`; the clients are used one case at a time.
    let decide = std::cell::RefCell::new(decide);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
    runner
        .run(&policy(), |blocks| {
            let a = analyzed(&blocks);
            let orders = orders(&a.model, &a.semantics);
            let mut script = Vec::new();
            sql::write_script(&a.model, &orders, dialect, &mut script).unwrap();
            let got = (decide.borrow_mut())(&a, &script);
            let want: Vec<(String, Access, &str, &str, Effect)> = requests(&a);
            prop_assert_eq!(got.len(), want.len());
            for (g, (acl, access, o, at, w)) in got.iter().zip(&want) {
                prop_assert_eq!(
                    g,
                    w,
                    "{:?} {} {:?}.{:?}\n{}",
                    acl,
                    access,
                    o,
                    at,
                    render(&blocks)
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn postgres_decision_query_decides_as_the_table() {
    let Some(pg) = Postgres::start() else {
        return skip("PostgreSQL (initdb, pg_ctl, psql) is not installed");
    };
    let mut client = pg.client();
    let text = DECISION_QUERY
        .replace(":acl", "$1")
        .replace(":access", "$2")
        .replace(":object", "$3")
        .replace(":attribute", "$4");
    let file = pg.dir.path().join("acl.postgres.sql");
    check_server(
        24,
        |a, script| {
            load(pg.psql(), script, &file);
            let q = client
                .prepare_typed(&text, &[postgres::types::Type::TEXT; 4])
                .unwrap();
            requests(a)
                .into_iter()
                .map(|(acl, access, o, at, _)| {
                    let rows = client
                        .query(&q, &[&acl, &access.as_str(), &o, &at])
                        .unwrap();
                    effect(rows.first().map(|r| r.get::<_, String>(0)))
                })
                .collect()
        },
        Dialect::Postgres,
    );
}

#[test]
fn mariadb_decision_query_decides_as_the_table() {
    let Some(db) = Mariadb::start() else {
        return skip("MariaDB or MySQL (mariadbd, mariadb-install-db, mariadb) is not installed");
    };
    use mysql::prelude::Queryable;
    let mut admin = db.connect(None).unwrap();
    admin
        .query_drop("CREATE DATABASE acl CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        .unwrap();
    let mut conn = db.connect(Some("acl")).unwrap();
    conn.query_drop("SET NAMES utf8mb4").unwrap();
    let file = db.dir.path().join("acl.mysql.sql");
    check_server(
        24,
        |a, script| {
            load(db.cli(), script, &file);
            let q = conn.prep(DECISION_QUERY).unwrap();
            requests(a)
                .into_iter()
                .map(|(acl, access, o, at, _)| {
                    let row: Option<String> = conn
                        .exec_first(
                            &q,
                            mysql::Params::Named(
                                [
                                    ("acl", acl.as_str()),
                                    ("access", access.as_str()),
                                    ("object", o),
                                    ("attribute", at),
                                ]
                                .into_iter()
                                .map(|(k, v)| (k.as_bytes().to_vec(), mysql::Value::from(v)))
                                .collect(),
                            ),
                        )
                        .unwrap();
                    effect(row)
                })
                .collect()
        },
        Dialect::Mysql,
    );
}
