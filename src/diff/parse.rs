//! Parsing both sides of a diff, each piece of text that is the same on
//! both sides parsed once.
//!
//! A file is cut into *windows* after each line that is a lone `}` (the end
//! of a block): a window holds whole top-level items, with the comments
//! and blank lines before them. The parser reads an item from its first
//! keyword to its end, never looking back past the `}` that ends the item
//! before (a doc comment is the run of `##` lines right above the keyword;
//! a comment's `own_line` looks at its own line only), so the items,
//! comments and doc comments of a window are those of the whole file, at
//! offsets moved by where the window starts. Identical windows of either
//! side (a block that did not change) are parsed once and their trees
//! copied with the offsets moved. A file with a syntax error in some window
//! is parsed whole, as `aclc check` parses it (error recovery looks past a
//! window's end).

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{
    AclDecl, Comment, DefaultDecl, EnvironmentDecl, Expectation, GuardDecl, Item, Name, Node,
    ObjectDecl, ParsedFile, Pattern, PermissionStmt, Statement, SyntaxError, Target, TestDecl,
};
use crate::syntax::parse_file;

/// Where each window of `text` starts (the first at 0), in order: after
/// each line that is exactly `}`.
fn windows(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let bytes = text.as_bytes();
    let mut line = 0;
    while line < bytes.len() {
        let end = bytes[line..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |p| line + p);
        if &bytes[line..end] == b"}" && end + 1 < bytes.len() {
            starts.push(end + 1);
        }
        line = end + 1;
    }
    starts
}

/// The text of each window of `text`.
fn window_texts(text: &str) -> Vec<(usize, &str)> {
    let starts = windows(text);
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&s, e)| (s, &text[s..e]))
        .collect()
}

/// The number of each window of each file among the distinct window texts
/// (`texts`, numbered by `unique`), adding those not met yet.
fn number<'t>(
    side: &[Vec<(usize, usize)>],
    sources: &'t [Arc<str>],
    unique: &mut FxHashMap<&'t str, usize>,
    texts: &mut Vec<&'t str>,
) -> Vec<Vec<usize>> {
    side.iter()
        .zip(sources)
        .map(|(ws, text)| {
            ws.iter()
                .map(|&(s, len)| {
                    let w = &text[s..s + len];
                    *unique.entry(w).or_insert_with(|| {
                        texts.push(w);
                        texts.len() - 1
                    })
                })
                .collect()
        })
        .collect()
}

/// Parse every file of both sides (one [`ParsedFile`] per source, in
/// source order, as [`crate::analysis::parse_all`] gives them), parsing a
/// window that is the same on both sides (or repeated) once.
pub fn parse_pair(old: &SourceMap, new: &SourceMap) -> (Vec<ParsedFile>, Vec<ParsedFile>) {
    let files =
        |s: &SourceMap| -> Vec<Arc<str>> { s.iter().map(|(_, f)| Arc::clone(&f.text)).collect() };
    let (old_texts, new_texts) = (files(old), files(new));
    let split = |texts: &[Arc<str>]| -> Vec<Vec<(usize, usize)>> {
        texts
            .par_iter()
            .map(|t| {
                window_texts(t)
                    .into_iter()
                    .map(|(s, w)| (s, w.len()))
                    .collect()
            })
            .collect()
    };
    let (old_windows, new_windows) = rayon::join(|| split(&old_texts), || split(&new_texts));
    // Each distinct window text, numbered.
    let mut unique: FxHashMap<&str, usize> = FxHashMap::default();
    let mut texts: Vec<&str> = Vec::new();
    let old_numbers = number(&old_windows, &old_texts, &mut unique, &mut texts);
    let new_numbers = number(&new_windows, &new_texts, &mut unique, &mut texts);
    drop(unique);
    // The old side's windows first; a window of the new side only is, when
    // it can be, the old side's window of the same block with the lines
    // that differ parsed alone (see [`patch`]).
    let on_old = old_numbers.iter().flatten().max().map_or(0, |&n| n + 1);
    let old_trees: Vec<Arc<ParsedFile>> = texts[..on_old]
        .par_iter()
        .map(|w| Arc::new(parse_file(FileId(0), w)))
        .collect();
    let mut by_head: FxHashMap<&str, Option<usize>> = FxHashMap::default();
    for (n, w) in texts[..on_old].iter().enumerate() {
        if let Some(h) = head_line(w) {
            by_head
                .entry(h)
                .and_modify(|e| *e = None)
                .or_insert(Some(n));
        }
    }
    let new_trees: Vec<Arc<ParsedFile>> = texts[on_old..]
        .par_iter()
        .map(|w| {
            let before = head_line(w).and_then(|h| by_head.get(h).copied().flatten());
            let patched = before.and_then(|n| patch(texts[n], &old_trees[n], w));
            Arc::new(patched.unwrap_or_else(|| parse_file(FileId(0), w)))
        })
        .collect();
    drop(by_head);
    let mut parsed = old_trees;
    parsed.extend(new_trees);
    let assemble = |windows: &[Vec<(usize, usize)>], numbers: &[Vec<usize>], texts: &[Arc<str>]| {
        // Each file's windows, taken as shared trees (moved out by the
        // last file to use one).
        let per_file: Vec<Vec<Arc<ParsedFile>>> = numbers
            .iter()
            .map(|ns| ns.iter().map(|&n| Arc::clone(&parsed[n])).collect())
            .collect();
        per_file
            .into_par_iter()
            .zip(windows)
            .zip(texts)
            .enumerate()
            .map(|(i, ((trees, ws), text))| {
                let file = FileId(i as u32);
                if trees.iter().any(|t| !t.errors.is_empty()) {
                    return parse_file(file, text);
                }
                let mut out = ParsedFile::default();
                let mut names: FxHashSet<Name> = FxHashSet::default();
                for (tree, &(start, _)) in trees.into_iter().zip(ws) {
                    let tree = Arc::try_unwrap(tree).unwrap_or_else(|t| (*t).clone());
                    let by = start as u32;
                    let mut m = Move {
                        file,
                        to: &|o| o + by,
                        names: &mut names,
                    };
                    let ParsedFile {
                        items,
                        comments,
                        errors,
                    } = tree;
                    out.items.extend(items.into_iter().map(|mut x| {
                        m.item(&mut x);
                        x
                    }));
                    out.comments.extend(comments.into_iter().map(|mut c| {
                        m.comment(&mut c);
                        c
                    }));
                    out.errors.extend(errors.into_iter().map(|mut e| {
                        m.error(&mut e);
                        e
                    }));
                }
                out
            })
            .collect::<Vec<ParsedFile>>()
    };
    // The old side first: the new side's windows not on the old side are
    // then the last users of their trees.
    let old_parsed = assemble(&old_windows, &old_numbers, &old_texts);
    let new_parsed = assemble(&new_windows, &new_numbers, &new_texts);
    (old_parsed, new_parsed)
}

/// The first line of a window that starts an access level or component.
fn head_line(w: &str) -> Option<&str> {
    w.lines()
        .find(|l| l.starts_with("access_level ") || l.starts_with("component "))
}

/// Where each line of `text` starts, and the end of the text.
fn line_starts(text: &str) -> Vec<u32> {
    let mut v = vec![0u32];
    v.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i as u32 + 1),
    );
    if v.last().is_some_and(|&l| l as usize != text.len()) {
        v.push(text.len() as u32);
    }
    v
}

/// The tree of window `new`, from the tree of window `old` of the same
/// block when only lines inside the block's body differ (same number of
/// lines): each differing line is parsed alone (in a block of its own),
/// its statement put in place of the old line's, every other offset moved
/// by what the lines before it grew or shrank. `None` when that does not
/// hold: the line of a statement that spans lines, a line with more than
/// one statement, or a statement where there was none (or the reverse),
/// anything but one block in the window; `new` is then parsed.
fn patch(old_text: &str, old: &ParsedFile, new_text: &str) -> Option<ParsedFile> {
    let [Item::Acl(decl)] = &old.items[..] else {
        return None;
    };
    if !old.errors.is_empty() {
        return None;
    }
    let (ol, nl) = (line_starts(old_text), line_starts(new_text));
    if ol.len() != nl.len() {
        return None;
    }
    let line_of = |starts: &[u32], at: u32| starts.partition_point(|&s| s <= at) - 1;
    let (head, last) = (
        line_of(&ol, decl.span.start),
        line_of(&ol, decl.span.end.saturating_sub(1)),
    );
    let line = |starts: &[u32], i: usize| (starts[i], starts[i + 1]);
    let mut changed: Vec<usize> = Vec::new();
    for i in 0..ol.len() - 1 {
        let (a, b) = line(&ol, i);
        let (c, d) = line(&nl, i);
        if old_text[a as usize..b as usize] != new_text[c as usize..d as usize] {
            if i <= head || i >= last {
                return None;
            }
            changed.push(i);
        }
    }
    if changed.is_empty() || changed.len() * 2 > ol.len() {
        return None;
    }
    // The statement on each changed line (at most one, within the line).
    let stmts = &decl.statements;
    let start = |s: &Statement| stmt_span(s).start;
    let mut slots: Vec<Option<usize>> = Vec::with_capacity(changed.len());
    for &i in &changed {
        let (a, b) = line(&ol, i);
        let lo = stmts.partition_point(|s| start(s) < a);
        let hi = stmts.partition_point(|s| start(s) < b);
        if lo > 0 && stmt_span(&stmts[lo - 1]).end > a {
            return None;
        }
        if hi - lo > 1 || (hi > lo && stmt_span(&stmts[lo]).end > b) {
            return None;
        }
        slots.push((hi > lo).then_some(lo));
    }
    // The changed lines, parsed alone.
    const OPEN: &str = "component \"\" {\n";
    let mut synthetic = String::from(OPEN);
    let mut at: Vec<u32> = Vec::with_capacity(changed.len());
    for &i in &changed {
        let (c, d) = line(&nl, i);
        at.push(synthetic.len() as u32);
        synthetic.push_str(new_text[c as usize..d as usize].trim_end_matches('\n'));
        synthetic.push('\n');
    }
    at.push(synthetic.len() as u32);
    synthetic.push_str("}\n");
    let parsed = parse_file(FileId(0), &synthetic);
    let ([Item::Acl(alone)], true) = (&parsed.items[..], parsed.errors.is_empty()) else {
        return None;
    };
    let mut fresh: Vec<Option<Statement>> = vec![None; changed.len()];
    for s in alone.statements.iter() {
        let sp = stmt_span(s);
        let k = at.partition_point(|&x| x <= sp.start).checked_sub(1)?;
        if k >= changed.len() || sp.end > at[k + 1] || fresh[k].is_some() {
            return None;
        }
        // From the synthetic text to the new window.
        let (c, _) = line(&nl, changed[k]);
        let shift = |o: u32| o - at[k] + c;
        let mut names = FxHashSet::default();
        let mut m = Move {
            file: FileId(0),
            to: &shift,
            names: &mut names,
        };
        let mut s = s.clone();
        m.statement(&mut s);
        fresh[k] = Some(s);
    }
    if fresh
        .iter()
        .zip(&slots)
        .any(|(f, s)| f.is_some() != s.is_some())
    {
        return None;
    }
    // Old offsets to new: what the changed lines before grew.
    let mut grow: Vec<(u32, i64)> = Vec::with_capacity(changed.len());
    let mut total = 0i64;
    for &i in &changed {
        let (a, b) = line(&ol, i);
        let (c, d) = line(&nl, i);
        total += i64::from(d - c) - i64::from(b - a);
        grow.push((b, total));
    }
    let to = |o: u32| {
        let k = grow.partition_point(|&(end, _)| end <= o);
        let by = if k == 0 { 0 } else { grow[k - 1].1 };
        (i64::from(o) + by) as u32
    };
    let mut names = FxHashSet::default();
    let mut m = Move {
        file: FileId(0),
        to: &to,
        names: &mut names,
    };
    let mut item = Item::Acl(decl.clone());
    m.item(&mut item);
    if let Item::Acl(d) = &mut item {
        let mut list: Vec<Statement> = d.statements.to_vec();
        for (slot, f) in slots.iter().zip(fresh) {
            if let (Some(i), Some(f)) = (slot, f) {
                list[*i] = f;
            }
        }
        d.statements = list.into();
    }
    Some(ParsedFile {
        items: vec![item],
        comments: crate::syntax::lexical::comments(FileId(0), new_text),
        errors: Vec::new(),
    })
}

/// The span of a statement.
fn stmt_span(s: &Statement) -> Span {
    match s {
        Statement::Permission(p) => p.span,
        Statement::Include { span, .. } | Statement::VisibleTo { span, .. } => *span,
        Statement::Group(n) | Statement::Subsystem(n) | Statement::Description(n) => n.span,
        Statement::Hidden(span) => *span,
    }
}

/// Moves the spans of a window's tree to where the window is in its file,
/// and gives each pattern name the file's one copy of it (as the parser
/// does for a whole file).
struct Move<'a> {
    file: FileId,
    /// Where an offset of the window's tree goes.
    to: &'a dyn Fn(u32) -> u32,
    names: &'a mut FxHashSet<Name>,
}

impl Move<'_> {
    fn span(&self, s: &mut Span) {
        s.file = self.file;
        s.start = (self.to)(s.start);
        s.end = (self.to)(s.end);
    }

    fn node<T>(&self, n: &mut Node<T>) {
        self.span(&mut n.span);
    }

    fn name(&mut self, n: &mut Name) {
        match self.names.get(n) {
            Some(x) => *n = Arc::clone(x),
            None => {
                self.names.insert(Arc::clone(n));
            }
        }
    }

    fn pattern(&mut self, p: &mut Node<Pattern>) {
        self.node(p);
        match &mut p.node {
            Pattern::Any => {}
            Pattern::Prefix(n) | Pattern::Exact(n) => self.name(n),
        }
    }

    fn permission(&mut self, p: &mut PermissionStmt) {
        let PermissionStmt {
            effect,
            access,
            target: Target { object, attribute },
            span,
        } = p;
        self.node(effect);
        access.iter_mut().for_each(|a| self.node(a));
        self.pattern(object);
        self.pattern(attribute);
        self.span(span);
    }

    fn statement(&mut self, s: &mut Statement) {
        match s {
            Statement::Permission(p) => self.permission(p),
            Statement::Include { names, span } | Statement::VisibleTo { names, span } => {
                names.iter_mut().for_each(|n| self.node(n));
                self.span(span);
            }
            Statement::Group(n) | Statement::Subsystem(n) | Statement::Description(n) => {
                self.node(n)
            }
            Statement::Hidden(span) => self.span(span),
        }
    }

    fn default(&self, d: &mut DefaultDecl) {
        let DefaultDecl { ty, acl, span } = d;
        self.node(ty);
        self.node(acl);
        self.span(span);
    }

    fn item(&mut self, item: &mut Item) {
        match item {
            Item::Acl(AclDecl {
                kind,
                name,
                doc: _,
                statements,
                head,
                span,
            }) => {
                self.node(kind);
                self.node(name);
                self.span(head);
                self.span(span);
                match Arc::get_mut(statements) {
                    Some(list) => list.iter_mut().for_each(|s| self.statement(s)),
                    None => {
                        let mut list: Vec<Statement> = statements.to_vec();
                        list.iter_mut().for_each(|s| self.statement(s));
                        *statements = list.into();
                    }
                }
            }
            Item::Reseller(n) => self.node(n),
            Item::Object(ObjectDecl {
                name,
                attributes,
                doc: _,
                span,
            }) => {
                self.node(name);
                attributes.iter_mut().for_each(|a| self.node(a));
                self.span(span);
            }
            Item::Default(d) => self.default(d),
            Item::Environment(EnvironmentDecl {
                name,
                defaults,
                span,
            }) => {
                self.node(name);
                defaults.iter_mut().for_each(|d| self.default(d));
                self.span(span);
            }
            Item::Guard(GuardDecl {
                name,
                targets,
                rules,
                doc: _,
                span,
            }) => {
                self.node(name);
                targets.iter_mut().for_each(|t| self.node(t));
                rules.iter_mut().for_each(|r| self.permission(r));
                self.span(span);
            }
            Item::Test(TestDecl {
                name,
                expectations,
                span,
            }) => {
                self.node(name);
                for Expectation { acl, rule, span } in expectations {
                    self.node(acl);
                    self.permission(rule);
                    self.span(span);
                }
                self.span(span);
            }
        }
    }

    fn comment(&self, c: &mut Comment) {
        let Comment {
            text: _,
            doc: _,
            own_line: _,
            span,
        } = c;
        self.span(span);
    }

    fn error(&self, e: &mut SyntaxError) {
        let SyntaxError {
            message: _,
            label: _,
            span,
            skipped,
        } = e;
        self.span(span);
        if let Some(s) = skipped {
            self.span(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use proptest::prelude::*;

    fn map(texts: &[String]) -> SourceMap {
        let mut s = SourceMap::new();
        for (i, t) in texts.iter().enumerate() {
            s.add(format!("f{i}.acl"), t.clone(), Origin::User);
        }
        s
    }

    /// The windowed parse of both sides is the whole-file parse, spans and
    /// all (`Debug` shows every span; `==` on trees ignores them).
    fn same_as_whole(old: &[String], new: &[String]) {
        let (o, n) = parse_pair(&map(old), &map(new));
        for (texts, got) in [(old, o), (new, n)] {
            assert_eq!(texts.len(), got.len());
            for (i, (t, g)) in texts.iter().zip(got).enumerate() {
                let want = parse_file(FileId(i as u32), t);
                assert_eq!(format!("{want:?}"), format!("{g:?}"), "file {i}:\n{t}");
            }
        }
    }

    #[test]
    fn windows_start_after_lone_closing_braces() {
        let t = "component \"A\" {\n}\n\n## doc\ncomponent \"B\" {\n  }\n}\nreseller \"R\"\n";
        assert_eq!(windows(t), vec![0, 18, 48]);
        assert_eq!(windows(""), vec![0]);
    }

    #[test]
    fn a_block_with_edited_lines_is_patched_exactly() {
        let old = "## doc\ncomponent \"A\" {\n    allow read X.y\n    # note\n    deny update X.*\n    include \"B\"\n}\n";
        let new = "## doc\ncomponent \"A\" {\n    deny read, insert X.y # now\n    # note\n    allow update X.*\n    include \"B\"\n}\n";
        let tree = parse_file(FileId(0), old);
        let patched = patch(old, &tree, new);
        let want = parse_file(FileId(0), new);
        assert_eq!(format!("{patched:?}"), format!("{:?}", Some(want)));
        // A statement where there was none: parsed whole instead.
        let added = new.replace("    # note", "    hidden");
        assert!(patch(old, &tree, &added).is_none());
    }

    #[test]
    fn shipped_policies_parse_as_whole_files() {
        let mut texts = Vec::new();
        for e in walk(std::path::Path::new("policies")) {
            if let Ok(t) = std::fs::read_to_string(&e) {
                texts.push(t);
            }
        }
        assert!(!texts.is_empty());
        let edited: Vec<String> = texts
            .iter()
            .map(|t| t.replacen("allow ", "deny ", 3))
            .collect();
        same_as_whole(&texts, &edited);
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else if p.extension().is_some_and(|x| x == "acl") {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// Lines that policies (and broken policies) are made of.
    fn line() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "}",
            "",
            "## doc of the next block",
            "# a comment",
            "component \"C\" {",
            "component \"D\" { # trailing",
            "access_level \"A\" for customer {",
            "access_level \"B\" for user {",
            "    allow read Customers.*",
            "    deny update Invoices.credit_limit # why",
            "    include \"C\", \"D\"",
            "    hidden",
            "    visible_to \"R\"",
            "    group \"G #1\"",
            "reseller \"R\"",
            "default customer = \"A\"",
            "environment \"prod\" {",
            "    default user = \"B\"",
            "default user = \"B\"",
            "object Customers {",
            "    name, address",
            "test \"t\" {",
            "    expect \"A\" allow read Customers.name",
            "guard \"g\" {",
            "    for customer",
            "    deny update Invoices.*",
            "  }",
            "} }",
            "allow read X.y",
            "\"unterminated",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn windowed_parse_is_the_whole_file_parse(
            a in prop::collection::vec(line(), 0..40),
            b in prop::collection::vec(line(), 0..40),
            keep in 0usize..40,
        ) {
            let old = a.join("\n") + "\n";
            // The new side shares a prefix of the old one's lines.
            let mut n: Vec<&str> = a.iter().take(keep).copied().collect();
            n.extend(b.iter().copied());
            let new = n.join("\n");
            same_as_whole(std::slice::from_ref(&old), &[new, old.clone()]);
        }

        #[test]
        fn patched_blocks_parse_as_whole_blocks(
            blocks in prop::collection::vec(
                (prop::collection::vec(body(), 1..12), prop::collection::vec((0usize..12, body()), 0..4)),
                1..6,
            ),
        ) {
            let (mut old, mut new) = (String::new(), String::new());
            for (k, (lines, edits)) in blocks.iter().enumerate() {
                let mut edited = lines.clone();
                for &(i, l) in edits {
                    if let Some(x) = edited.get_mut(i) {
                        *x = l;
                    }
                }
                for (text, body) in [(&mut old, lines), (&mut new, &edited)] {
                    text.push_str(&format!("## block {k}\ncomponent \"B{k}\" {{\n"));
                    for l in body {
                        text.push_str(l);
                        text.push('\n');
                    }
                    text.push_str("}\n\n");
                }
            }
            same_as_whole(std::slice::from_ref(&old), std::slice::from_ref(&new));
        }
    }

    /// Lines of a block's body (some not statements, some broken).
    fn body() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "    allow read Customers.*",
            "    deny read, update Invoices.credit_limit",
            "    allow insert Tariffs* # why",
            "    deny all *.*",
            "    include \"C\", \"D\"",
            "    include \"C\",",
            "    \"D\"",
            "    , \"E\"",
            "    hidden",
            "    group \"G #1\"",
            "    group",
            "    description \"d\"",
            "    visible_to \"R\"",
            "    # a comment",
            "    ## a doc comment",
            "",
            "    allow read",
            "    Customers.name",
            "    allow read X.y deny read X.z",
            "  }",
            "    allow read X.y }",
            "\"unterminated",
        ])
    }
}
