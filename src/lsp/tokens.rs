//! Semantic tokens and folding ranges: from the syntax tree of the text as
//! it is now (what a name is follows from where it is written).

use tower_lsp_server::ls_types::{
    FoldingRange, FoldingRangeKind, SemanticToken, SemanticTokenModifier, SemanticTokenType,
    SemanticTokensLegend,
};

use crate::source::{FileId, LineIndex, Span};
use crate::syntax::ast::{
    AclKind, DefaultDecl, GuardTarget, Item, Pattern, PermissionStmt, Statement,
};

/// Token types, in legend order.
const TYPES: [SemanticTokenType; 11] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::MODIFIER,
    SemanticTokenType::STRUCT,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::ENUM,
    SemanticTokenType::FUNCTION,
];

#[derive(Clone, Copy)]
enum Kind {
    Keyword = 0,
    /// Participant types.
    Type = 1,
    /// Access levels and components.
    Acl = 2,
    /// Access types.
    Access = 3,
    /// `allow`, `deny`.
    Effect = 4,
    Object = 5,
    Attribute = 6,
    Text = 7,
    Comment = 8,
    Reseller = 9,
    /// Guard and test names.
    Check = 10,
}

const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;

/// The legend the server announces.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DOCUMENTATION,
        ],
    }
}

/// The words of the language that are keywords wherever they are written
/// outside names.
const KEYWORDS: [&str; 18] = [
    "access_level",
    "component",
    "for",
    "reseller",
    "object",
    "default",
    "environment",
    "guard",
    "test",
    "expect",
    "include",
    "group",
    "subsystem",
    "description",
    "hidden",
    "visible_to",
    "allow",
    "deny",
];

struct Collect {
    out: Vec<(Span, Kind, u32)>,
}

impl Collect {
    fn add(&mut self, span: Span, kind: Kind, modifiers: u32) {
        if !span.is_empty() {
            self.out.push((span, kind, modifiers));
        }
    }

    fn permission(&mut self, p: &PermissionStmt) {
        self.add(p.effect.span, Kind::Effect, 0);
        for a in &p.access {
            self.add(a.span, Kind::Access, 0);
        }
        if !matches!(p.target.object.node, Pattern::Any) {
            self.add(p.target.object.span, Kind::Object, 0);
        }
        if !matches!(p.target.attribute.node, Pattern::Any) {
            self.add(p.target.attribute.span, Kind::Attribute, 0);
        }
    }

    fn default(&mut self, d: &DefaultDecl) {
        self.add(d.ty.span, Kind::Type, 0);
        self.add(d.acl.span, Kind::Acl, 0);
    }
}

/// The semantic tokens of a text, encoded as the protocol wants them.
pub fn semantic_tokens(text: &str) -> Vec<SemanticToken> {
    let parsed = crate::syntax::parse_file(FileId(0), text);
    let mut c = Collect { out: Vec::new() };
    for comment in &parsed.comments {
        let m = if comment.doc { DOCUMENTATION } else { 0 };
        c.add(comment.span, Kind::Comment, m);
    }
    for item in &parsed.items {
        match item {
            Item::Acl(d) => {
                if let AclKind::Participant(_) = d.kind.node {
                    c.add(d.kind.span, Kind::Type, 0);
                }
                c.add(d.name.span, Kind::Acl, DECLARATION);
                for s in d.statements.iter() {
                    match s {
                        Statement::Permission(p) => c.permission(p),
                        Statement::Include { names, .. } => {
                            for n in names {
                                c.add(n.span, Kind::Acl, 0);
                            }
                        }
                        Statement::VisibleTo { names, .. } => {
                            for n in names {
                                c.add(n.span, Kind::Reseller, 0);
                            }
                        }
                        Statement::Group(n)
                        | Statement::Subsystem(n)
                        | Statement::Description(n) => c.add(n.span, Kind::Text, 0),
                        Statement::Hidden(_) => {}
                    }
                }
            }
            Item::Reseller(n) => c.add(n.span, Kind::Reseller, DECLARATION),
            Item::Object(o) => {
                c.add(o.name.span, Kind::Object, DECLARATION);
                for a in &o.attributes {
                    c.add(a.span, Kind::Attribute, DECLARATION);
                }
            }
            Item::Default(d) => c.default(d),
            Item::Environment(e) => {
                c.add(e.name.span, Kind::Text, 0);
                for d in &e.defaults {
                    c.default(d);
                }
            }
            Item::Guard(g) => {
                c.add(g.name.span, Kind::Check, DECLARATION);
                for t in &g.targets {
                    let kind = match t.node {
                        GuardTarget::Type(_) => Kind::Type,
                        GuardTarget::Named(_) => Kind::Acl,
                    };
                    c.add(t.span, kind, 0);
                }
                for p in &g.rules {
                    c.permission(p);
                }
            }
            Item::Test(t) => {
                c.add(t.name.span, Kind::Check, DECLARATION);
                for e in &t.expectations {
                    c.add(e.acl.span, Kind::Acl, 0);
                    c.permission(&e.rule);
                }
            }
        }
    }
    // Keywords: the bare words left.
    let mut named: Vec<(u32, u32)> = c.out.iter().map(|(s, _, _)| (s.start, s.end)).collect();
    named.sort_unstable();
    for (start, tok) in super::complete::tokens(text) {
        if let super::complete::Token::Word(w) = tok {
            let (s, e) = (start as u32, (start + w.len()) as u32);
            let i = named.partition_point(|&(ns, _)| ns <= s);
            let covered = i > 0 && named[i - 1].1 > s;
            if !covered && KEYWORDS.contains(&w.as_str()) {
                c.out.push((
                    Span::new(FileId(0), s as usize, e as usize),
                    Kind::Keyword,
                    0,
                ));
            }
        }
    }
    c.out.sort_by_key(|(s, _, _)| (s.start, s.end));
    encode(text, &c.out)
}

/// Relative encoding, one token per line piece, overlaps dropped.
fn encode(text: &str, toks: &[(Span, Kind, u32)]) -> Vec<SemanticToken> {
    let lines = LineIndex::new(text);
    let mut out = Vec::with_capacity(toks.len());
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let mut done_to = 0u32;
    for (span, kind, m) in toks {
        if span.start < done_to {
            continue;
        }
        done_to = span.end;
        let (line, col) = lines.utf16_position(text, span.start);
        let (end_line, end_col) = lines.utf16_position(text, span.end);
        let length = if end_line == line {
            end_col.saturating_sub(col)
        } else {
            // Up to the end of its first line.
            let stop = text[span.start as usize..]
                .find('\n')
                .map_or(text.len(), |i| span.start as usize + i);
            lines
                .utf16_position(text, stop as u32)
                .1
                .saturating_sub(col)
        };
        if length == 0 {
            continue;
        }
        let delta_line = line - prev_line;
        let delta_start = if delta_line == 0 { col - prev_col } else { col };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: *kind as u32,
            token_modifiers_bitset: *m,
        });
        prev_line = line;
        prev_col = col;
    }
    out
}

/// The folding ranges of a text: blocks, long statements, runs of
/// comment lines.
pub fn folding_ranges(text: &str) -> Vec<FoldingRange> {
    let parsed = crate::syntax::parse_file(FileId(0), text);
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    let mut fold = |span: Span, kind: FoldingRangeKind| {
        let (first, last) = (lines.line_of(span.start), lines.line_of(span.end));
        if last > first {
            out.push(FoldingRange {
                start_line: first as u32,
                start_character: None,
                end_line: last as u32,
                end_character: None,
                kind: Some(kind),
                collapsed_text: None,
            });
        }
    };
    for item in &parsed.items {
        let span = match item {
            Item::Acl(d) => {
                for s in d.statements.iter() {
                    if let Statement::Include { span, .. } | Statement::VisibleTo { span, .. } = s {
                        fold(*span, FoldingRangeKind::Region);
                    }
                }
                d.span
            }
            Item::Reseller(n) => n.span,
            Item::Object(o) => o.span,
            Item::Default(d) => d.span,
            Item::Environment(e) => e.span,
            Item::Guard(g) => g.span,
            Item::Test(t) => t.span,
        };
        fold(span, FoldingRangeKind::Region);
    }
    // Runs of comments, each on its own line, on consecutive lines.
    let mut run: Option<(Span, usize)> = None;
    for comment in parsed.comments.iter().filter(|c| c.own_line) {
        let line = lines.line_of(comment.span.start);
        run = match run {
            Some((span, last)) if last + 1 == line => Some((span.to(comment.span), line)),
            Some((span, _)) => {
                fold(span, FoldingRangeKind::Comment);
                Some((comment.span, line))
            }
            None => Some((comment.span, line)),
        };
    }
    if let Some((span, _)) = run {
        fold(span, FoldingRangeKind::Comment);
    }
    out
}
