//! `check --format json` (DESIGN §6), streamed: findings are converted and
//! written a few thousand at a time, so a run with hundreds of thousands of
//! findings never holds the document in memory.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::lints;
use crate::diagnostic::{Diagnostic, Summary};
use crate::source::SourceMap;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    /// The lint's documentation page (an extension of DESIGN §6).
    url: String,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    access_levels: &'a [String],
    related: Vec<JsonRelated<'a>>,
    /// The whole region of the finding, as permissions (`--regions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    regions: Option<&'a [String]>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

/// The JSON document for a list of findings (lines and columns 1-based,
/// columns in characters, end exclusive), linking each finding to its
/// lint's page in the repository's docs ([`lints::DEFAULT_DOCS_URL`]).
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    render_linked(sources, diags, lints::DEFAULT_DOCS_URL)
}

/// [`render`], with each finding's `url` made from `lint_url` (`{code}`
/// stands for the lint code; `[docs] lint_url` of aclc.toml).
pub fn render_linked(sources: &SourceMap, diags: &[Diagnostic], lint_url: &str) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, sources, diags, lint_url, false);
    String::from_utf8_lossy(&out).into_owned()
}

/// Findings serialized while the previous ones are written.
const CHUNK: usize = 4096;
/// Findings serialized into one buffer.
const PIECE: usize = 128;

/// Write the JSON document for a list of findings to `out` ([`render_linked`]);
/// with `regions`, each finding carries its whole region (`regions`).
pub fn write(
    out: &mut dyn Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    lint_url: &str,
    regions: bool,
) -> io::Result<()> {
    // The layout of `serde_json::to_writer_pretty` on the whole document,
    // a chunk of findings at a time: each chunk serialized in parallel,
    // a few findings to a buffer, while the previous one is written.
    if diags.is_empty() {
        out.write_all(b"{\n  \"diagnostics\": [],")?;
    } else {
        out.write_all(b"{\n  \"diagnostics\": [")?;
        let serialize = |first: usize, chunk: &[Diagnostic]| -> io::Result<Vec<Vec<u8>>> {
            chunk
                .par_chunks(PIECE)
                .enumerate()
                .map(|(p, piece)| {
                    let mut buf = Vec::with_capacity(piece.len() * 1024);
                    for (i, d) in piece.iter().enumerate() {
                        let at_start = first + p * PIECE + i == 0;
                        buf.extend_from_slice(if at_start { b"\n    " } else { b",\n    " });
                        pretty_at(&convert(sources, d, lint_url, regions), b"    ", &mut buf)?;
                    }
                    Ok(buf)
                })
                .collect()
        };
        let mut ready: Vec<Vec<u8>> = Vec::new();
        for (k, chunk) in diags.chunks(CHUNK).enumerate() {
            let mut next = None;
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| next = Some(serialize(k * CHUNK, chunk)));
                ready.iter().try_for_each(|buf| out.write_all(buf))
            })?;
            ready = next.unwrap_or_else(|| Ok(Vec::new()))?;
        }
        ready.iter().try_for_each(|buf| out.write_all(buf))?;
        out.write_all(b"\n  ],")?;
    }
    out.write_all(b"\n  \"summary\": ")?;
    let mut summary = Vec::new();
    pretty_at(&Summary::of(diags), b"  ", &mut summary)?;
    out.write_all(&summary)?;
    out.write_all(b"\n}\n")
}

/// `value` as pretty JSON (as [`serde_json::to_writer_pretty`] writes
/// it), each line after the first indented by `indent` more spaces: what
/// it is inside the document.
pub(crate) fn pretty_at<T: Serialize>(
    value: &T,
    indent: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let formatter = Indented {
        base: indent,
        level: 0,
        has_value: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// serde_json's pretty layout (two spaces a level) with every new line
/// starting with `base` as well: a value written in place inside the
/// document, in one pass (written whole, then indented line by line, the
/// findings of a messy million were copied twice).
struct Indented<'a> {
    base: &'a [u8],
    level: usize,
    /// Whether the array or object being written has a value yet.
    has_value: bool,
}

impl Indented<'_> {
    fn new_line<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        w.write_all(self.base)?;
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.new_line(w)
    }
}

impl serde_json::ser::Formatter for Indented<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn convert<'a>(
    sources: &'a SourceMap,
    d: &'a Diagnostic,
    lint_url: &str,
    regions: bool,
) -> JsonDiagnostic<'a> {
    let (start, end) = sources.char_range(d.span);
    JsonDiagnostic {
        code: d.code,
        url: lints::docs_url(lint_url, d.code),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        file: &sources.file(d.span.file).path,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        access_levels: &d.access_levels,
        related: d
            .related
            .iter()
            .map(|r| {
                let (s, e) = sources.char_range(r.span);
                JsonRelated {
                    file: &sources.file(r.span.file).path,
                    line: s.line,
                    column: s.column,
                    end_line: e.line,
                    end_column: e.column,
                    message: &r.message,
                }
            })
            .collect(),
        regions: regions.then_some(d.regions.as_slice()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Options};
    use crate::source::Origin;

    /// The document as one `serde_json::to_writer_pretty` call writes it.
    #[derive(Serialize)]
    struct Whole<'a> {
        diagnostics: Vec<JsonDiagnostic<'a>>,
        summary: Summary,
    }

    fn whole(sources: &SourceMap, diags: &[Diagnostic], regions: bool) -> String {
        let doc = Whole {
            diagnostics: diags
                .iter()
                .map(|d| convert(sources, d, lints::DEFAULT_DOCS_URL, regions))
                .collect(),
            summary: Summary::of(diags),
        };
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }

    /// Written in parallel chunks, the document is byte for byte what
    /// serde_json writes for the whole, with and without findings.
    #[test]
    fn chunked_output_is_serde_json_pretty() {
        let mut text = String::from("component \"c\" {\n    allow read A.b\n}\n");
        for i in 0..5000 {
            text.push_str(&format!(
                "access_level \"L{i}\" for user {{\n    deny read A.b\n    deny read A.b\n    include \"nope\"\n}}\n"
            ));
        }
        for (text, regions) in [(text.as_str(), true), (text.as_str(), false), ("", false)] {
            let mut s = SourceMap::new();
            s.add("p.acl", text, Origin::User);
            let analysis = analyze(s, &Options::default());
            let diags = &analysis.diagnostics;
            assert_eq!(diags.is_empty(), text.is_empty());
            let mut out = Vec::new();
            write(
                &mut out,
                &analysis.model.sources,
                diags,
                lints::DEFAULT_DOCS_URL,
                regions,
            )
            .unwrap_or_default();
            let out = String::from_utf8(out).unwrap_or_default();
            assert_eq!(out, whole(&analysis.model.sources, diags, regions));
        }
    }
}
