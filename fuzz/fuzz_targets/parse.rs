//! Fuzz the parser: any text parses without panicking, and what it returns
//! is well formed. Every invariant asserted here was read off the parser
//! (`src/syntax/parser.rs`, `src/syntax/lexical.rs`) and `Span::new`.
//!
//! - Every span of the result (syntax errors, skipped blocks, comments, items
//!   and every node inside them) is in file 0, has `start <= end <= len`,
//!   and both ends on character boundaries.
//! - Items come in textual order and do not overlap; every node of an item
//!   lies inside the item's span.
//! - Comments come in textual order, do not overlap, start with `#` and hold
//!   no newline.
//! - A quoted name's span covers exactly the name as `quote` writes it (the
//!   grammar allows only the `\"` and `\\` escapes, which `quote` produces);
//!   a pattern's or object attribute's span covers exactly its text.
//! - Every syntax error has a message and a label.
//! - Parsing is deterministic.

#![no_main]

use aclc::source::{FileId, Span};
use aclc::syntax::ast::{
    AclDecl, DefaultDecl, GuardTarget, Item, Node, ParsedFile, Pattern, PermissionStmt, Statement,
};
use aclc::syntax::{parse_file, quote};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_file(FileId(0), &text);
    Check { text: &text }.file(&parsed);
    let again = parse_file(FileId(0), &text);
    assert_eq!(
        format!("{parsed:?}"),
        format!("{again:?}"),
        "parse is not deterministic"
    );
});

struct Check<'a> {
    text: &'a str,
}

impl Check<'_> {
    fn span(&self, s: Span, what: &str) {
        assert_eq!(s.file, FileId(0), "{what}: wrong file in {s:?}");
        let (start, end) = (s.start as usize, s.end as usize);
        assert!(start <= end, "{what}: start after end in {s:?}");
        assert!(
            end <= self.text.len(),
            "{what}: {s:?} past the end ({})",
            self.text.len()
        );
        assert!(
            self.text.is_char_boundary(start),
            "{what}: {s:?} starts inside a character"
        );
        assert!(
            self.text.is_char_boundary(end),
            "{what}: {s:?} ends inside a character"
        );
    }

    fn within(&self, inner: Span, outer: Span, what: &str) {
        self.span(inner, what);
        assert!(
            outer.start <= inner.start && inner.end <= outer.end,
            "{what}: {inner:?} is not inside {outer:?}"
        );
    }

    fn slice(&self, s: Span) -> &str {
        &self.text[s.start as usize..s.end as usize]
    }

    /// A quoted name: the span covers it exactly as `quote` writes it, or
    /// (a node made up by the parser when the grammar gave none) the name is
    /// empty.
    fn name(&self, n: &Node<String>, outer: Span, what: &str) {
        self.within(n.span, outer, what);
        if !n.node.is_empty() {
            assert_eq!(
                self.slice(n.span),
                quote(&n.node),
                "{what}: span does not cover the name"
            );
        }
    }

    fn file(&self, p: &ParsedFile) {
        for e in &p.errors {
            self.span(e.span, "syntax error");
            if let Some(s) = e.skipped {
                self.span(s, "skipped block");
            }
            assert!(
                !e.message.is_empty() && !e.label.is_empty(),
                "empty error text: {e:?}"
            );
        }
        let mut last_end = 0;
        for c in &p.comments {
            self.span(c.span, "comment");
            assert!(
                c.span.start >= last_end,
                "comments overlap or are out of order"
            );
            last_end = c.span.end;
            let s = self.slice(c.span);
            assert!(s.starts_with('#'), "comment {s:?} does not start with #");
            assert!(!s.contains('\n'), "comment {s:?} holds a newline");
        }
        let mut last_end = 0;
        for item in &p.items {
            let span = item_span(item);
            self.span(span, "item");
            assert!(span.start >= last_end, "items overlap or are out of order");
            last_end = span.end;
            self.item(item, span);
        }
    }

    fn item(&self, item: &Item, span: Span) {
        match item {
            Item::Acl(a) => self.acl(a),
            Item::Reseller(n) => self.name(n, span, "reseller name"),
            Item::Object(o) => {
                self.within(o.name.span, span, "object name");
                assert_eq!(self.slice(o.name.span), o.name.node, "object name text");
                for a in &o.attributes {
                    self.within(a.span, span, "attribute");
                    assert_eq!(self.slice(a.span), a.node, "attribute text");
                }
            }
            Item::Default(d) => self.default(d, span),
            Item::Environment(e) => {
                self.name(&e.name, span, "environment name");
                for d in &e.defaults {
                    self.default(d, span);
                }
            }
            Item::Guard(g) => {
                self.name(&g.name, span, "guard name");
                for t in &g.targets {
                    self.within(t.span, span, "guard target");
                    if let GuardTarget::Named(n) = &t.node {
                        assert_eq!(self.slice(t.span), quote(n), "guard target name");
                    }
                }
                for r in &g.rules {
                    self.permission(r, span);
                }
            }
            Item::Test(t) => {
                self.name(&t.name, span, "test name");
                for e in &t.expectations {
                    self.within(e.span, span, "expectation");
                    self.name(&e.acl, e.span, "expected access level");
                    self.permission(&e.rule, e.span);
                }
            }
        }
    }

    fn acl(&self, a: &AclDecl) {
        let span = a.span;
        self.within(a.kind.span, span, "kind");
        self.within(a.head, span, "head");
        self.name(&a.name, span, "access level name");
        for s in a.statements.iter() {
            match s {
                Statement::Permission(p) => self.permission(p, span),
                Statement::Include { names, span: s } | Statement::VisibleTo { names, span: s } => {
                    self.within(*s, span, "include/visible_to");
                    for n in names {
                        self.name(n, *s, "included name");
                    }
                }
                Statement::Group(n) | Statement::Subsystem(n) | Statement::Description(n) => {
                    self.name(n, span, "descriptive field")
                }
                Statement::Hidden(s) => self.within(*s, span, "hidden"),
            }
        }
    }

    fn default(&self, d: &DefaultDecl, outer: Span) {
        self.within(d.span, outer, "default");
        self.within(d.ty.span, d.span, "default type");
        self.name(&d.acl, d.span, "default access level");
    }

    fn permission(&self, p: &PermissionStmt, outer: Span) {
        self.within(p.span, outer, "permission");
        self.within(p.effect.span, p.span, "effect");
        for a in &p.access {
            self.within(a.span, p.span, "access");
        }
        for pat in [&p.target.object, &p.target.attribute] {
            self.within(pat.span, p.span, "pattern");
            let written = match &pat.node {
                Pattern::Any => "*".to_string(),
                Pattern::Prefix(s) => format!("{s}*"),
                Pattern::Exact(s) => s.clone(),
            };
            assert_eq!(self.slice(pat.span), written, "pattern text");
        }
    }
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Acl(a) => a.span,
        Item::Reseller(n) => n.span,
        Item::Object(o) => o.span,
        Item::Default(d) => d.span,
        Item::Environment(e) => e.span,
        Item::Guard(g) => g.span,
        Item::Test(t) => t.span,
    }
}
