//! The embedded predefined library, shown read-only: its files have no
//! place on disk, so the ones a definition or a reference points into are
//! written, read-only, to a folder of the temporary directory named after
//! the aclc version and the file's content, and mapped back to the
//! embedded file when the editor asks about them.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::{Location, Uri};

use super::convert;
use crate::load::EMBEDDED_PREFIX;
use crate::source::{SourceMap, Span};

/// The folder (under the temporary directory) holding the copies.
const FOLDER: &str = "aclc-predefined";

fn root() -> PathBuf {
    std::env::temp_dir().join(FOLDER)
}

/// A stable hash of a text (FNV-1a), naming the copy of one version of a file.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The read-only copy of the embedded file `name` with `text`, written if
/// missing; `None` when it cannot be written.
fn copy(name: &str, text: &str) -> Option<PathBuf> {
    let dir = root().join(format!(
        "{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        fingerprint(text)
    ));
    let path = dir.join(name);
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Some(path);
    }
    let parent = path.parent()?;
    std::fs::create_dir_all(parent).ok()?;
    let mut tmp = tempfile::NamedTempFile::new_in(parent).ok()?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).ok()?;
    let mut perms = tmp.as_file().metadata().ok()?.permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(tmp.path(), perms).ok()?;
    tmp.persist(&path).ok()?;
    Some(path)
}

/// The URI an editor opens for the file at `path` of `sources`: the file
/// itself, or for an embedded predefined file its read-only copy.
pub fn uri(sources: &SourceMap, path: &str) -> Option<Uri> {
    match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(name) => {
            let file = sources.find(path)?;
            let copy = copy(name, &sources.file(file).text)?;
            Uri::from_file_path(copy)
        }
        None => super::state::uri_of(path),
    }
}

/// The location of a span, in the file an editor can open.
pub fn location(sources: &SourceMap, span: Span) -> Option<Location> {
    let uri = uri(sources, &sources.file(span.file).path)?;
    Some(Location::new(uri, convert::range(sources, span)))
}

/// The path of the workspace file a path names: a read-only copy of an
/// embedded file maps back to it.
pub fn source_path(path: String) -> String {
    let root = root();
    let Ok(rest) = Path::new(&path).strip_prefix(&root) else {
        return path;
    };
    let mut parts = rest.components();
    parts.next(); // the version-and-content folder
    let name = crate::load::display(parts.as_path());
    format!("{EMBEDDED_PREFIX}{name}")
}
