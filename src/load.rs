//! Reading a policy set from disk into a [`SourceMap`]: the predefined
//! library first, then the operator's files in a stable order.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Predefined;
use crate::source::{Origin, SourceFile, SourceMap};

include!(concat!(env!("OUT_DIR"), "/predefined.rs"));

/// Prefix of the display paths of embedded predefined files.
pub const EMBEDDED_PREFIX: &str = "<predefined>/";

/// Every `.acl` file under `paths` (files as given, folders recursively,
/// sorted), or an error saying which path is wrong.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = fs::metadata(p).map_err(|e| {
            format!(
                "cannot read policy path `{}`: {}",
                display(p),
                io_reason(&e)
            )
        })?;
        if meta.is_file() {
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| {
                format!("cannot read folder `{}`: {}", display(&dir), io_reason(&e))
            })?;
            for entry in entries {
                let entry = entry.map_err(|e| {
                    format!("cannot read folder `{}`: {}", display(&dir), io_reason(&e))
                })?;
                let path = entry.path();
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || name == "target" || name == "node_modules" {
                    continue;
                }
                let ty = entry
                    .file_type()
                    .map_err(|e| format!("cannot read `{}`: {}", display(&path), io_reason(&e)))?;
                if ty.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "acl") {
                    found.push(path);
                }
            }
        }
        found.sort();
        out.extend(found);
    }
    out.dedup();
    Ok(out)
}

/// Load the predefined library and the files under `paths`, shown with
/// their paths as given.
pub fn load(paths: &[PathBuf], predefined: &Predefined) -> Result<SourceMap, String> {
    let mut sources = load_predefined(predefined)?;
    for file in read_all(collect(paths)?, display)? {
        sources.push(file);
    }
    Ok(sources)
}

/// Read files in parallel, each shown as `shown` says, with their line
/// indexes; the first error (in file order) wins.
fn read_all(
    files: Vec<PathBuf>,
    shown: impl Fn(&Path) -> String + Sync,
) -> Result<Vec<SourceFile>, String> {
    files
        .into_par_iter()
        .map(|f| read_text(&f).map(|text| SourceFile::new(shown(&f), text, Origin::User)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Load the predefined library and the files under `root`, shown with
/// paths relative to `root` (the policy root).
pub fn load_relative(root: &Path, predefined: &Predefined) -> Result<SourceMap, String> {
    let mut sources = load_predefined(predefined)?;
    let shown = |f: &Path| f.strip_prefix(root).map_or_else(|_| display(f), display);
    for file in read_all(collect(&[root.to_path_buf()])?, shown)? {
        sources.push(file);
    }
    Ok(sources)
}

/// A source map holding only the predefined library asked for.
pub fn load_predefined(predefined: &Predefined) -> Result<SourceMap, String> {
    let mut sources = SourceMap::new();
    match predefined {
        Predefined::Embedded => {
            for (name, text) in PREDEFINED {
                sources.add(
                    format!("{EMBEDDED_PREFIX}{name}"),
                    *text,
                    Origin::Predefined,
                );
            }
        }
        Predefined::Off => {}
        Predefined::Folder(dir) => {
            for f in collect(std::slice::from_ref(dir))? {
                sources.add(display(&f), read_text(&f)?, Origin::Predefined);
            }
        }
    }
    Ok(sources)
}

/// Read a UTF-8 file, with an error that says where it is not UTF-8.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = fs::read(path)
        .map_err(|e| format!("cannot read `{}`: {}", display(path), io_reason(&e)))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "`{}` is not valid UTF-8 (line {line}, byte offset {at}); aclc reads UTF-8 files only: re-save it as UTF-8",
            display(path)
        )
    })
}

/// A path as shown to users: as given, `/`-separated, without a leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => s,
    }
}

/// An I/O error in plain words.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
