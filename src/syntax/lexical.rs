//! The little lexical knowledge the parser needs outside the grammar: where
//! comments are (pest skips them silently), and where a top-level item may
//! start again after a syntax error.

use crate::source::{FileId, Span};
use crate::syntax::ast::Comment;

/// Keywords that start a top-level item.
pub const TOP_LEVEL_KEYWORDS: [&str; 8] = [
    "access_level",
    "component",
    "reseller",
    "object",
    "default",
    "environment",
    "guard",
    "test",
];

/// Every comment of `text`, skipping `#` inside quoted names.
pub fn comments(file: FileId, text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    let mut line_start = 0;
    // From one byte that matters to the next (a line break, a quote, and
    // in a name a backslash, else a `#`): the text between is skipped
    // with memchr, not read byte by byte.
    while i < bytes.len() {
        let rest = &bytes[i..];
        let next = if in_string {
            memchr::memchr3(b'\n', b'"', b'\\', rest)
        } else {
            memchr::memchr3(b'\n', b'"', b'#', rest)
        };
        let Some(k) = next else { break };
        i += k;
        match bytes[i] {
            b'\n' => {
                in_string = false;
                line_start = i + 1;
                i += 1;
            }
            b'\\' => i += 2,
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            _ => {
                let end = memchr_newline(bytes, i);
                let doc = bytes.get(i + 1) == Some(&b'#');
                let body_start = if doc { i + 2 } else { i + 1 };
                let body = text.get(body_start..end).unwrap_or("");
                let own_line = bytes[line_start..i].iter().all(|c| c.is_ascii_whitespace());
                out.push(Comment {
                    text: body.trim().to_string(),
                    doc,
                    own_line,
                    span: Span::new(file, i, end),
                });
                i = end;
            }
        }
    }
    out
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |p| from + p)
}

/// Where parsing may resume after an error in the item starting at `from`:
/// the next line, after the one holding `from`, that starts in column 0 with a
/// top-level keyword. `None` when there is none.
pub fn resync_point(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = memchr_newline(bytes, from);
    while i < bytes.len() {
        let line = i + 1;
        let rest = text.get(line..).unwrap_or("");
        if starts_with_top_level_keyword(rest) {
            return Some(line);
        }
        i = memchr_newline(bytes, line);
    }
    None
}

fn starts_with_top_level_keyword(s: &str) -> bool {
    TOP_LEVEL_KEYWORDS.iter().any(|kw| {
        s.starts_with(kw)
            && s[kw.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The doc comment written directly above byte `decl_start`: the run of `##`
/// lines that ends on the line before it.
pub fn doc_before(text: &str, comments: &[Comment], decl_start: usize) -> Option<String> {
    // Comments are sorted; find those that end before the declaration.
    let upto = comments.partition_point(|c| (c.span.end as usize) <= decl_start);
    let mut lines = Vec::new();
    let mut next_start = decl_start;
    for c in comments[..upto].iter().rev() {
        let between = text.get(c.span.end as usize..next_start).unwrap_or("x");
        let blank_between =
            between.chars().all(char::is_whitespace) && between.matches('\n').count() <= 1;
        if !(c.doc && c.own_line && blank_between) {
            break;
        }
        lines.push(c.text.clone());
        next_start = c.span.start as usize;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_hash_in_strings() {
        let text = "description \"Tier #1\" # real\n## doc\n";
        let cs = comments(FileId(0), text);
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].text, "real");
        assert!(!cs[0].own_line);
        assert!(cs[1].doc && cs[1].own_line);
    }

    /// The comments as a reading of every byte finds them.
    fn comments_byte_by_byte(text: &str) -> Vec<(usize, usize, bool, bool, String)> {
        let bytes = text.as_bytes();
        let (mut out, mut i, mut in_string, mut line_start) = (Vec::new(), 0, false, 0);
        while i < bytes.len() {
            match (bytes[i], in_string) {
                (b'\n', _) => {
                    in_string = false;
                    line_start = i + 1;
                    i += 1;
                }
                (b'\\', true) => i += 2,
                (b'"', _) => {
                    in_string = !in_string;
                    i += 1;
                }
                (b'#', false) => {
                    let end = bytes[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |p| i + p);
                    let doc = bytes.get(i + 1) == Some(&b'#');
                    let body = text.get(if doc { i + 2 } else { i + 1 }..end).unwrap_or("");
                    let own = bytes[line_start..i].iter().all(|c| c.is_ascii_whitespace());
                    out.push((i, end, doc, own, body.trim().to_string()));
                    i = end;
                }
                _ => i += 1,
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn comments_found_as_byte_by_byte(text in "[a #\"\\\\\n\t]{0,60}") {
            let found: Vec<_> = comments(FileId(0), &text)
                .into_iter()
                .map(|c| (c.span.start as usize, c.span.end as usize, c.doc, c.own_line, c.text))
                .collect();
            proptest::prop_assert_eq!(found, comments_byte_by_byte(&text));
        }
    }

    #[test]
    fn resync_finds_next_column_zero_keyword() {
        let text = "component \"A\" {\n  default x\n}\ncomponentX\ncomponent \"B\" {}\n";
        let at = resync_point(text, 0).unwrap_or(0);
        assert!(text[at..].starts_with("component \"B\""));
    }

    #[test]
    fn doc_comment_lines_join() {
        let text = "## one\n## two\ncomponent \"A\" {}\n";
        let cs = comments(FileId(0), text);
        let at = text.find("component").unwrap_or(0);
        assert_eq!(doc_before(text, &cs, at).as_deref(), Some("one\ntwo"));
    }
}
