//! Completion: what may be written at the cursor, read from the text
//! before it (keywords, participant and access types) and from the latest
//! analysis's model (declared names, resellers, the catalog).

use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, Documentation,
    MarkupContent, MarkupKind, Position, Range, TextEdit,
};

use crate::model::Model;
use crate::source::LineIndex;
use crate::syntax::ast::{Access, AclKind, Participant};

/// Keywords that start a top-level declaration.
const TOP: [&str; 8] = [
    "access_level",
    "component",
    "reseller",
    "object",
    "default",
    "environment",
    "guard",
    "test",
];
/// Keywords that start a statement in an access level or component.
const BLOCK: [&str; 8] = [
    "allow",
    "deny",
    "include",
    "group",
    "subsystem",
    "description",
    "hidden",
    "visible_to",
];

/// How many items one answer holds at most (the list is then incomplete:
/// the editor asks again as the user types).
const MAX_ITEMS: usize = 1000;

/// A token of the text before the cursor.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Token {
    Word(String),
    /// A string, and whether it is closed.
    Str(bool),
    Punct(char),
}

/// The tokens of `text` (comments skipped) with the byte offset of each.
pub(super) fn tokens(text: &str) -> Vec<(usize, Token)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' {
            let start = i;
            i += 1;
            let mut closed = false;
            while i < b.len() && b[i] != b'\n' {
                if b[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if b[i] == b'"' {
                    closed = true;
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push((start, Token::Str(closed)));
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'*' || c == b'.' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'*' | b'.'))
            {
                i += 1;
            }
            out.push((start, Token::Word(text[start..i].to_string())));
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else {
            out.push((i, Token::Punct(c as char)));
            // Step over a whole character (names may hold any).
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Where the cursor is, as far as completion cares.
#[derive(Debug, PartialEq)]
enum Context {
    /// Inside a quoted name after this keyword (`include`, `visible_to`,
    /// `expect`, `for`, or a default's type), in a block of this kind.
    Name {
        keyword: String,
        block: Option<String>,
        start: usize,
    },
    /// A bare word being typed (from `start`), after `previous`.
    Word {
        previous: Option<Token>,
        before_previous: Option<Token>,
        block: Option<String>,
        start: usize,
    },
    /// Nothing to offer (a comment, a closed string).
    Nothing,
}

/// The keyword that opened each block around the end of the tokens, and
/// the first word of the statement the cursor is in.
fn context(text: &str, at: usize) -> Context {
    let before = &text[..at];
    // In a comment: nothing.
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let toks = tokens(before);
    if let Some((_, Token::Str(false))) = toks.last() {
        // (a string runs to the end of its line; a `#` inside it is text)
    } else if before[line_start..].contains('#') {
        let line_toks = tokens(&before[line_start..]);
        let code_end = line_toks.last().map_or(0, |(s, _)| *s);
        if before[line_start + code_end..].contains('#') {
            return Context::Nothing;
        }
    }
    let mut blocks: Vec<String> = Vec::new();
    let mut statement_start = 0usize;
    for (i, (_, t)) in toks.iter().enumerate() {
        match t {
            Token::Punct('{') => {
                let opener = toks[statement_start..i]
                    .iter()
                    .find_map(|(_, t)| match t {
                        Token::Word(w) => Some(w.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                blocks.push(opener);
                statement_start = i + 1;
            }
            Token::Punct('}') => {
                blocks.pop();
                statement_start = i + 1;
            }
            _ => {}
        }
    }
    let block = blocks.last().cloned();
    match toks.last() {
        Some((start, Token::Str(false))) => {
            // The keyword the name belongs to: the last bare word before
            // the string, over earlier names of the same list.
            let keyword = toks[..toks.len() - 1]
                .iter()
                .rev()
                .find_map(|(_, t)| match t {
                    Token::Word(w) => Some(w.clone()),
                    Token::Punct('{' | '}') => Some(String::new()),
                    _ => None,
                })
                .unwrap_or_default();
            Context::Name {
                keyword,
                block,
                start: start + 1,
            }
        }
        Some((_, Token::Str(true))) if before.ends_with('"') => Context::Nothing,
        Some((start, Token::Word(_))) if start + word_len(&before[*start..]) == at => {
            let n = toks.len();
            Context::Word {
                previous: n.checked_sub(2).map(|i| toks[i].1.clone()),
                before_previous: n.checked_sub(3).map(|i| toks[i].1.clone()),
                block,
                start: *start,
            }
        }
        last => Context::Word {
            previous: last.map(|(_, t)| t.clone()),
            before_previous: toks.len().checked_sub(2).map(|i| toks[i].1.clone()),
            block,
            start: at,
        },
    }
}

fn word_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'*' | b'.'))
        .count()
}

fn is_access(t: &Option<Token>) -> bool {
    matches!(t, Some(Token::Word(w)) if Access::parse(w).is_some() || w == "all")
}

fn is_effect(t: &Option<Token>) -> bool {
    matches!(t, Some(Token::Word(w)) if w == "allow" || w == "deny")
}

fn word_is(t: &Option<Token>, s: &str) -> bool {
    matches!(t, Some(Token::Word(w)) if w == s)
}

/// The completions at `pos` of `text`, with names from `model`.
pub fn complete(text: &str, pos: Position, model: Option<&Model>) -> CompletionList {
    let lines = LineIndex::new(text);
    let at = (lines.offset_of_utf16(text, pos.line, pos.character) as usize).min(text.len());
    let mut items = Items {
        text,
        lines: &lines,
        cursor: at,
        list: Vec::new(),
        incomplete: false,
    };
    match context(text, at) {
        Context::Nothing => {}
        Context::Name {
            keyword,
            block,
            start,
        } => {
            let typed = &text[start..at];
            let Some(model) = model else {
                return items.done();
            };
            match keyword.as_str() {
                "visible_to" => {
                    for r in &model.resellers {
                        items.name(
                            start,
                            typed,
                            &r.name.node,
                            CompletionItemKind::CONSTANT,
                            "reseller",
                            None,
                        );
                    }
                }
                "include" => {
                    let own = block_kind(text, start);
                    let this = block_name(text, start);
                    for acl in model.acls.iter().filter(|a| Some(&a.name) != this.as_ref()) {
                        let fits = match own {
                            Some(AclKind::Component) => acl.is_component(),
                            Some(k) => acl.is_component() || acl.kind == k,
                            None => true,
                        };
                        if fits {
                            items.acl(start, typed, acl);
                        }
                    }
                }
                "expect" => {
                    for acl in &model.acls {
                        items.acl(start, typed, acl);
                    }
                }
                _ if after_equals(text, start) => {
                    let wanted = Participant::parse(&keyword).map(AclKind::Participant);
                    for acl in model.acls.iter().filter(|a| Some(a.kind) == wanted) {
                        items.acl(start, typed, acl);
                    }
                }
                _ if block.as_deref() == Some("guard") => {
                    for acl in model.acls.iter().filter(|a| !a.is_component()) {
                        items.acl(start, typed, acl);
                    }
                }
                _ => {}
            }
        }
        Context::Word {
            previous,
            before_previous,
            block,
            start,
        } => {
            let typed = &text[start..at];
            if let Some(dot) = typed.find('.') {
                // `Object.attr`: the object's attributes.
                if let Some(o) = model.and_then(|m| m.catalog.objects.get(&typed[..dot])) {
                    for a in &o.attributes {
                        items.word(
                            start + dot + 1,
                            &typed[dot + 1..],
                            a,
                            CompletionItemKind::PROPERTY,
                            "attribute",
                            o.doc.as_deref(),
                        );
                    }
                }
                return items.done();
            }
            let after_effect = is_effect(&previous)
                || (matches!(previous, Some(Token::Punct(','))) && is_access(&before_previous));
            if after_effect {
                for a in Access::ALL {
                    items.word(
                        start,
                        typed,
                        a.as_str(),
                        CompletionItemKind::ENUM_MEMBER,
                        "access type",
                        None,
                    );
                }
                items.word(
                    start,
                    typed,
                    "all",
                    CompletionItemKind::ENUM_MEMBER,
                    "access type: read, update, insert, delete",
                    None,
                );
                return items.done();
            }
            if is_access(&previous) {
                if let Some(m) = model {
                    for (name, o) in &m.catalog.objects {
                        items.word(
                            start,
                            typed,
                            name,
                            CompletionItemKind::STRUCT,
                            "object",
                            o.doc.as_deref(),
                        );
                    }
                }
                return items.done();
            }
            if word_is(&previous, "for")
                || word_is(&previous, "default")
                || (matches!(previous, Some(Token::Punct(',')))
                    && block.as_deref() == Some("guard"))
            {
                for p in Participant::ALL {
                    items.word(
                        start,
                        typed,
                        p.as_str(),
                        CompletionItemKind::TYPE_PARAMETER,
                        "participant type",
                        None,
                    );
                }
                return items.done();
            }
            let keywords: &[&str] = match block.as_deref() {
                None => &TOP,
                Some("access_level" | "component") => &BLOCK,
                Some("guard") => &["for", "allow", "deny"],
                Some("test") => &["expect"],
                Some("environment") => &["default"],
                Some(_) => &[],
            };
            if block.as_deref() == Some("test") && matches!(previous, Some(Token::Str(true))) {
                for k in ["allow", "deny"] {
                    items.word(
                        start,
                        typed,
                        k,
                        CompletionItemKind::KEYWORD,
                        "keyword",
                        None,
                    );
                }
                return items.done();
            }
            for k in keywords {
                items.word(
                    start,
                    typed,
                    k,
                    CompletionItemKind::KEYWORD,
                    "keyword",
                    None,
                );
            }
            if block.as_deref() == Some("object") {
                return items.done();
            }
        }
    }
    items.done()
}

/// The kind of the access level or component whose block holds `at`.
fn block_kind(text: &str, at: usize) -> Option<AclKind> {
    let toks = tokens(&text[..at]);
    let open = toks.iter().rposition(|(_, t)| *t == Token::Punct('{'))?;
    let words: Vec<&str> = toks[..open]
        .iter()
        .rev()
        .take(4)
        .filter_map(|(_, t)| match t {
            Token::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    match words.as_slice() {
        [p, "for", ..] => Participant::parse(p).map(AclKind::Participant),
        ["component", ..] => Some(AclKind::Component),
        _ => None,
    }
}

/// The name of the block holding `at` (as written, escapes undone).
fn block_name(text: &str, at: usize) -> Option<String> {
    let toks = tokens(&text[..at]);
    let open = toks.iter().rposition(|(_, t)| *t == Token::Punct('{'))?;
    let (start, _) = toks[..open]
        .iter()
        .rev()
        .take(3)
        .find(|(_, t)| *t == Token::Str(true))?;
    let rest = text.get(start + 1..)?;
    let mut name = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(name),
            '\\' => name.extend(chars.next()),
            c => name.push(c),
        }
    }
    None
}

/// Whether the quoted name opened at `start` follows `=` (a default).
fn after_equals(text: &str, start: usize) -> bool {
    text[..start.saturating_sub(1)].trim_end().ends_with('=')
}

struct Items<'t> {
    text: &'t str,
    lines: &'t LineIndex,
    cursor: usize,
    list: Vec<CompletionItem>,
    incomplete: bool,
}

impl Items<'_> {
    fn range(&self, start: usize) -> Range {
        let (sl, sc) = self.lines.utf16_position(self.text, start as u32);
        let (el, ec) = self.lines.utf16_position(self.text, self.cursor as u32);
        Range::new(Position::new(sl, sc), Position::new(el, ec))
    }

    fn push(
        &mut self,
        start: usize,
        label: &str,
        insert: String,
        kind: CompletionItemKind,
        detail: &str,
        doc: Option<&str>,
    ) {
        if self.list.len() >= MAX_ITEMS {
            self.incomplete = true;
            return;
        }
        let range = self.range(start);
        self.list.push(CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: Some(detail.to_string()),
            documentation: doc.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d.to_string(),
                })
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
            ..CompletionItem::default()
        });
    }

    /// A bare word, when it starts with what is typed.
    fn word(
        &mut self,
        start: usize,
        typed: &str,
        word: &str,
        kind: CompletionItemKind,
        detail: &str,
        doc: Option<&str>,
    ) {
        if word.starts_with(typed) {
            self.push(start, word, word.to_string(), kind, detail, doc);
        }
    }

    /// A quoted name, when it contains what is typed (any case).
    fn name(
        &mut self,
        start: usize,
        typed: &str,
        name: &str,
        kind: CompletionItemKind,
        detail: &str,
        doc: Option<&str>,
    ) {
        if name.to_lowercase().contains(&typed.to_lowercase()) {
            let quoted = crate::syntax::quote(name);
            let inner = quoted[1..quoted.len() - 1].to_string();
            let closing = if self.text[self.cursor..].starts_with('"') {
                ""
            } else {
                "\""
            };
            self.push(start, name, format!("{inner}{closing}"), kind, detail, doc);
        }
    }

    fn acl(&mut self, start: usize, typed: &str, acl: &crate::model::AccessLevel) {
        let kind = match acl.kind {
            AclKind::Component => CompletionItemKind::MODULE,
            AclKind::Participant(_) => CompletionItemKind::CLASS,
        };
        let mut detail = acl.kind.as_str().to_string();
        if acl.origin == crate::source::Origin::Predefined {
            detail.push_str(" (predefined)");
        }
        self.name(start, typed, &acl.name, kind, &detail, acl.doc.as_deref());
    }

    fn done(self) -> CompletionList {
        CompletionList {
            is_incomplete: self.incomplete,
            items: self.list,
        }
    }
}
