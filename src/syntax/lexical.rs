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
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            in_string = false;
            line_start = i + 1;
            i += 1;
            continue;
        }
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'#' => {
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
            _ => i += 1,
        }
    }
    out
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
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
