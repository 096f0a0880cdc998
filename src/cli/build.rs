//! `aclc build`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Cli, Failure, Outcome};
use aclc::analysis::Analysis;
use aclc::diagnostic::Summary;
use aclc::emit;
use aclc::emit::sql::{self, Dialect};
use aclc::render;

/// Shown after `aclc help build`.
pub const EXAMPLES: &str = "\
Examples:
  aclc build --out dist                        write dist/acl.json (refused on errors)
  aclc build -p policies/examples --out dist/examples --emit json
  aclc build -p policies/examples --out dist/examples --emit json,sqlite,sql-postgres,sql-mysql";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write the tables to (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// What to write (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json")]
    emit: Vec<Emit>,
}

/// An output of `aclc build` (also `aclc watch --emit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Emit {
    /// acl.json: every block once, and each access level's evaluation order
    Json,
    /// acl.sqlite: a ready SQLite database of the SQL tables
    Sqlite,
    /// acl.sqlite.sql: a script that creates and fills the SQL tables in SQLite
    SqlSqlite,
    /// acl.postgres.sql: the same for PostgreSQL
    SqlPostgres,
    /// acl.mysql.sql: the same for MySQL and MariaDB
    SqlMysql,
}

impl Emit {
    fn file_name(self) -> &'static str {
        match self {
            Emit::Json => emit::json::FILE_NAME,
            Emit::Sqlite => sql::DATABASE_FILE,
            Emit::SqlSqlite | Emit::SqlPostgres | Emit::SqlMysql => self.dialect().script_file(),
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Emit::SqlPostgres => Dialect::Postgres,
            Emit::SqlMysql => Dialect::Mysql,
            _ => Dialect::Sqlite,
        }
    }
}

/// The SQLite database, filled in a temporary file beside its destination.
fn stage_sqlite(
    dir: &Path,
    model: &aclc::model::Model,
    orders: &[Option<Vec<u32>>],
) -> Result<Staged, Failure> {
    let path = dir.join(sql::DATABASE_FILE);
    let tmp = temporary(dir, &path)?;
    let fail = |e: rusqlite::Error| {
        Failure(format!(
            "cannot write `{}`: {e}",
            aclc::load::display(&path)
        ))
    };
    {
        let mut conn = rusqlite::Connection::open(tmp.path()).map_err(fail)?;
        // A temporary file: no journal to keep; it is synced below.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            .map_err(fail)?;
        sql::fill_sqlite(&mut conn, model, orders).map_err(fail)?;
        conn.close().map_err(|(_, e)| fail(e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| cannot_write(&path, &e))?;
    Ok(Staged { tmp, path })
}

/// An output written to a temporary file beside its destination, renamed
/// over it only when every output of the build is ready.
struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Failure {
    Failure(format!(
        "cannot write `{}`: {}",
        aclc::load::display(path),
        aclc::load::io_reason(e)
    ))
}

/// A temporary file in `dir` for `path`, readable by other services
/// (rw-r--r-- less the umask, not a temporary file's private mode).
fn temporary(dir: &Path, path: &Path) -> Result<tempfile::NamedTempFile, Failure> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".aclc-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir).map_err(|e| cannot_write(path, &e))
}

/// Write one output to a temporary file through a buffer, flushed to disk.
fn stage(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged, Failure> {
    let path = dir.join(name);
    let mut tmp = temporary(dir, &path)?;
    let fail = |e: std::io::Error| cannot_write(&path, &e);
    let mut buffered = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
    write(&mut buffered).map_err(fail)?;
    buffered.flush().map_err(fail)?;
    drop(buffered);
    tmp.as_file().sync_all().map_err(fail)?;
    Ok(Staged { tmp, path })
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let analysis = cli.analyze()?;
    let sources = &analysis.model.sources;
    if !analysis.diagnostics.is_empty() {
        eprint!(
            "{}",
            render::terminal::render(
                sources,
                &analysis.diagnostics,
                cli.color() && std::io::IsTerminal::is_terminal(&std::io::stderr())
            )
        );
    }
    if analysis.has_errors() {
        let s = Summary::of(&analysis.diagnostics);
        eprintln!(
            "build refused: {} error{} in the policy set; nothing was written",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
        return Ok(Outcome::Findings);
    }
    write_outputs(&analysis, &args.out, &args.emit)?;
    Ok(Outcome::Clean)
}

/// Write the outputs `wanted` names for an analysis (the caller has checked
/// it has no errors) into `out`, created if missing; all of them or none.
/// `aclc build` and `aclc watch --build` both write through here.
pub fn write_outputs(analysis: &Analysis, out: &Path, wanted: &[Emit]) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure(format!(
            "cannot create `{}`: {}",
            aclc::load::display(out),
            aclc::load::io_reason(&e)
        ))
    })?;
    let mut emits = wanted.to_vec();
    emits.sort();
    emits.dedup();
    let model = &analysis.model;
    let orders = emit::json::orders(model, &analysis.semantics);
    for &e in &emits {
        if matches!(
            e,
            Emit::Sqlite | Emit::SqlSqlite | Emit::SqlPostgres | Emit::SqlMysql
        ) {
            if let Some(problem) = sql::unsupported(model, &orders, e.dialect()) {
                return Err(Failure(format!(
                    "cannot emit `{}`: {problem}; nothing was written",
                    e.to_possible_value()
                        .map(|v| v.get_name().to_string())
                        .unwrap_or_default()
                )));
            }
        }
    }
    // Every output is staged first: an error in any leaves every
    // destination as it was.
    let mut staged = Vec::new();
    for &e in &emits {
        let s = match e {
            Emit::Json => stage(out, e.file_name(), |w| {
                emit::json::write_with_orders(model, &orders, w)
            })?,
            Emit::Sqlite => stage_sqlite(out, model, &orders)?,
            Emit::SqlSqlite | Emit::SqlPostgres | Emit::SqlMysql => {
                stage(out, e.file_name(), |w| {
                    sql::write_script(model, &orders, e.dialect(), w)
                })?
            }
        };
        staged.push(s);
    }
    for s in staged {
        let shown = aclc::load::display(&s.path);
        s.tmp
            .persist(&s.path)
            .map_err(|e| cannot_write(&s.path, &e.error))?;
        eprintln!(
            "wrote `{shown}` ({} access levels and components)",
            model.acls.len()
        );
    }
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(out) {
        let _ = d.sync_all();
    }
    Ok(())
}
