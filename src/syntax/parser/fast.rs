//! A direct reading of the items that make up nearly all of a policy set:
//! `access_level` and `component` blocks, `reseller` declarations and
//! catalog `object`s.
//!
//! The grammar (grammar/aclc.pest) stays the one definition of the syntax.
//! This reader accepts a subset of it and builds exactly the tree the pest
//! pairs convert to, spans included, at a fraction of the cost (pest spends
//! most of a parse in rule calls and in its token queue). Whatever it does not
//! read to the end (another kind of item, anything unusual, any error) it
//! leaves to pest by answering `None`, so every syntax error still comes from
//! the grammar. The tests below compare the two readings on the shipped
//! policies, on random damage to them and on random token soup.

use crate::source::Span;
use crate::syntax::ast::*;

use super::{unescape, Cx, Keep};

/// The item starting at `pos` (after any trivia), with the offset it ends
/// at, when it is one this reader knows and reads without an error.
pub(super) fn item(cx: &Cx<'_>, pos: usize) -> Option<(Item, usize)> {
    let mut r = Reader {
        cx,
        bytes: cx.text.as_bytes(),
        at: pos,
    };
    r.trivia();
    let start = r.at;
    let keyword = r.word();
    let item = match keyword {
        "access_level" | "component" => Item::Acl(r.acl(keyword == "component", start)?),
        "reseller" => {
            r.at += keyword.len();
            r.trivia();
            Item::Reseller(r.string()?)
        }
        "object" => Item::Object(r.object(start)?),
        _ => return None,
    };
    Some((item, r.at))
}

struct Reader<'a, 't> {
    cx: &'a Cx<'t>,
    bytes: &'t [u8],
    at: usize,
}

/// `ident_char` of the grammar.
fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'t> Reader<'_, 't> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.cx.file, start, self.at)
    }

    /// Skip white space and comments (the grammar's `WHITESPACE`).
    fn trivia(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b' ' | b'\n' | b'\t' | b'\r' => self.at += 1,
                b'#' => {
                    self.at = self.bytes[self.at..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(self.bytes.len(), |p| self.at + p);
                }
                0xEF if self.bytes[self.at..].starts_with("\u{FEFF}".as_bytes()) => {
                    self.at += "\u{FEFF}".len();
                }
                _ => return,
            }
        }
    }

    /// The run of identifier characters at the cursor, not consumed. A
    /// keyword `kw ~ !ident_char` matches exactly when this run is `kw`.
    fn word(&self) -> &'t str {
        let len = self.bytes[self.at..]
            .iter()
            .position(|&b| !is_ident_char(b))
            .unwrap_or(self.bytes.len() - self.at);
        self.cx.text.get(self.at..self.at + len).unwrap_or("")
    }

    /// Consume the keyword `kw`, answering its span.
    fn keyword(&mut self, kw: &str) -> Option<Span> {
        (self.word() == kw).then(|| {
            let start = self.at;
            self.at += kw.len();
            self.span(start)
        })
    }

    /// Consume one byte `c` after trivia.
    fn punct(&mut self, c: u8) -> bool {
        let save = self.at;
        self.trivia();
        if self.bytes.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            self.at = save;
            false
        }
    }

    /// A quoted name (the grammar's `string`), unescaped.
    fn string(&mut self) -> Option<Node<String>> {
        let start = self.at;
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        let mut i = self.at + 1;
        loop {
            match *self.bytes.get(i)? {
                b'"' => break,
                b'\\' => match self.bytes.get(i + 1)? {
                    b'"' | b'\\' => i += 2,
                    _ => return None,
                },
                b'\n' | b'\r' => return None,
                // Bytes of a multi-byte character are never one of the above.
                _ => i += 1,
            }
        }
        let raw = self.cx.text.get(start + 1..i)?;
        self.at = i + 1;
        Some(Node::new(unescape(raw), self.span(start)))
    }

    /// Strings separated by commas, each after trivia: `"A", "B"`.
    fn string_list(&mut self) -> Option<Vec<Node<String>>> {
        self.trivia();
        let mut names = vec![self.string()?];
        loop {
            let save = self.at;
            if !self.punct(b',') {
                return Some(names);
            }
            self.trivia();
            match self.string() {
                Some(s) => names.push(s),
                None => {
                    self.at = save;
                    return Some(names);
                }
            }
        }
    }

    /// A name (the grammar's `ident`), not a keyword check.
    fn ident(&mut self) -> Option<Node<String>> {
        let start = self.at;
        let first = *self.bytes.get(self.at)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let name = self.word();
        self.at += name.len();
        Some(Node::new(name.to_string(), self.span(start)))
    }

    /// `{`, then what `each` reads (and keeps), after trivia, until `}`.
    fn braced(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.punct(b'{') {
            return None;
        }
        loop {
            self.trivia();
            if self.bytes.get(self.at) == Some(&b'}') {
                self.at += 1;
                return Some(());
            }
            each(self)?;
        }
    }

    /// `object Name { attribute, … }`: commas are optional.
    fn object(&mut self, start: usize) -> Option<ObjectDecl> {
        self.keyword("object")?;
        self.trivia();
        let name = self.ident()?;
        let mut attributes = Vec::new();
        self.braced(|r| {
            attributes.push(r.ident()?);
            r.punct(b',');
            Some(())
        })?;
        let span = self.span(start);
        Some(ObjectDecl {
            name,
            attributes,
            doc: self.cx.doc(span),
            span,
        })
    }

    fn acl(&mut self, is_component: bool, start: usize) -> Option<AclDecl> {
        let keyword = self.keyword(if is_component {
            "component"
        } else {
            "access_level"
        })?;
        self.trivia();
        let name = self.string()?;
        let kind = if is_component {
            Node::new(AclKind::Component, keyword)
        } else {
            self.trivia();
            self.keyword("for")?;
            self.trivia();
            let word = self.word();
            let ty = Participant::parse(word)?;
            let at = self.at;
            self.at += word.len();
            Node::new(AclKind::Participant(ty), self.span(at))
        };
        // Gathered in the file's scratch vectors, then allocated at their
        // size. (A block not read to the end, left to pest, leaves what it
        // gathered there: cleared here first.)
        let mut scratch = self.cx.scratch.borrow_mut();
        let (statements, permissions) = &mut *scratch;
        statements.clear();
        permissions.clear();
        let statements_kept = self.cx.keep == Keep::Syntax;
        self.braced(|r| {
            if !statements_kept && matches!(r.word(), "allow" | "deny") {
                permissions.push(r.permission_as_it_decides()?);
            } else {
                statements.push(r.statement()?);
            }
            Some(())
        })?;
        let span = self.span(start);
        let mut exact = Vec::with_capacity(permissions.len());
        exact.append(permissions);
        Some(AclDecl {
            kind,
            head: keyword.to(name.span),
            doc: self.cx.doc(span),
            name,
            statements: statements.drain(..).collect(),
            permissions: exact,
            span,
        })
    }

    fn statement(&mut self) -> Option<Statement> {
        let start = self.at;
        let word = self.word();
        Some(match word {
            "allow" | "deny" => Statement::Permission(self.permission()?),
            "include" | "visible_to" => {
                self.at += word.len();
                let names = self.string_list()?;
                let span = self.span(start);
                if word == "include" {
                    Statement::Include { names, span }
                } else {
                    Statement::VisibleTo { names, span }
                }
            }
            "group" | "subsystem" | "description" => {
                self.at += word.len();
                self.trivia();
                let s = self.string()?;
                match word {
                    "group" => Statement::Group(s),
                    "subsystem" => Statement::Subsystem(s),
                    _ => Statement::Description(s),
                }
            }
            "hidden" => {
                self.at += word.len();
                Statement::Hidden(self.span(start))
            }
            _ => return None,
        })
    }

    fn permission(&mut self) -> Option<PermissionStmt> {
        // Most statements name one access type: then the boxed slice below
        // is this allocation, exactly.
        let mut access = Vec::with_capacity(1);
        let (effect, target, span) = self.permission_with(|a| access.push(a))?;
        Some(PermissionStmt {
            effect,
            access: access.into_boxed_slice(),
            target,
            span,
        })
    }

    /// A permission read for what it decides, no statement built.
    fn permission_as_it_decides(&mut self) -> Option<Permission> {
        let mut set = AccessSet::default();
        let (effect, target, span) = self.permission_with(|a| match a.node {
            AccessSpec::One(x) => set.insert(x),
            AccessSpec::All => set = AccessSet::ALL,
        })?;
        Some(Permission {
            effect: effect.node,
            access: set,
            object: target.object.node,
            attribute: target.attribute.node,
            span,
        })
    }

    /// `allow|deny ACCESS[, ACCESS…] OBJECT.ATTRIBUTE`: the effect, the
    /// target and the span, each access type given to `access`.
    fn permission_with(
        &mut self,
        mut access: impl FnMut(Node<AccessSpec>),
    ) -> Option<(Node<Effect>, Target, Span)> {
        let start = self.at;
        let word = self.word();
        let effect = Effect::parse(word)?;
        self.at += word.len();
        let effect = Node::new(effect, self.span(start));
        self.trivia();
        loop {
            let at = self.at;
            let word = self.word();
            if !matches!(word, "read" | "update" | "insert" | "delete" | "all") {
                return None;
            }
            let spec = Access::parse(word).map_or(AccessSpec::All, AccessSpec::One);
            self.at += word.len();
            access(Node::new(spec, self.span(at)));
            if !self.punct(b',') {
                break;
            }
            self.trivia();
        }
        self.trivia();
        let object = self.pattern()?;
        if self.bytes.get(self.at) != Some(&b'.') {
            return None;
        }
        self.at += 1;
        let attribute = self.pattern()?;
        Some((effect, Target { object, attribute }, self.span(start)))
    }

    /// `*`, `Name*` or `Name` (the grammar's `pattern`), no trivia.
    fn pattern(&mut self) -> Option<Node<Pattern>> {
        let start = self.at;
        let first = *self.bytes.get(self.at)?;
        let pattern = if first == b'*' {
            self.at += 1;
            Pattern::Any
        } else if first.is_ascii_alphabetic() || first == b'_' {
            let name = self.word();
            self.at += name.len();
            if self.bytes.get(self.at) == Some(&b'*') {
                self.at += 1;
                Pattern::Prefix(self.cx.name(name))
            } else {
                Pattern::Exact(self.cx.name(name))
            }
        } else {
            return None;
        };
        Some(Node::new(pattern, self.span(start)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Keep;
    use crate::source::FileId;
    use crate::syntax::ast::{Item, Statement};

    /// Both readings of a text, as their debug output (spans included).
    fn both(text: &str) -> (String, String) {
        let fast = format!("{:?}", super::super::parse_file(FileId(0), text));
        let pest = format!(
            "{:?}",
            super::super::parse_file_with(
                FileId(0),
                text,
                (false, Keep::Syntax),
                super::super::parse_item,
                None,
            )
        );
        (fast, pest)
    }

    /// Tokens of valid blocks, and some that break them.
    const WORDS: &[&str] = &[
        "access_level",
        "component",
        "reseller",
        "for",
        "user",
        "customer",
        "cc_staff",
        "reseller",
        "users",
        "allow",
        "deny",
        "read",
        "update",
        "insert",
        "delete",
        "all",
        "include",
        "visible_to",
        "group",
        "subsystem",
        "description",
        "hidden",
        "{",
        "}",
        ",",
        ".",
        "*",
        "Customers",
        "Customers*",
        "_x1",
        "\"A\"",
        "\"a\\\"b\"",
        "\"c\\\\\"",
        "\"bad\\n\"",
        "\"é😀 名\"",
        "\"open",
        "# note\n",
        "## doc\n",
        "\u{FEFF}",
        "object",
        "test",
        "expect",
        "Customers.name",
        "*.*",
        "Obj*.attr*",
        "O.*",
        "1abc",
        "allowed",
        "-",
        "\"\"",
        "Customers.",
        ".name",
        "a.b.c",
    ];

    const GAPS: &[&str] = &[
        "", " ", " ", "\n", "  # c\n", "\t", "\r\n", "\u{FEFF}", "\n## d\n",
    ];

    /// A valid statement, as tokens.
    fn statement() -> impl Strategy<Value = Vec<&'static str>> {
        let access = prop::sample::select(vec!["read", "update", "insert", "delete", "all"]);
        let target = prop::sample::select(vec![
            "*.*",
            "Customers.*",
            "Customers.name",
            "Cust*.na*",
            "_a.b_1",
            "Obj*.*",
        ]);
        let name = prop::sample::select(vec!["\"A\"", "\"B c\"", "\"q\\\"\"", "\"名\""]);
        prop_oneof![
            4 => (
                prop::sample::select(vec!["allow", "deny"]),
                prop::collection::vec(access, 1..4),
                target
            )
                .prop_map(|(e, acc, t)| {
                    let mut v = vec![e];
                    for (i, a) in acc.into_iter().enumerate() {
                        if i > 0 {
                            v.push(",");
                        }
                        v.push(a);
                    }
                    v.push(t);
                    v
                }),
            1 => (
                prop::sample::select(vec!["include", "visible_to"]),
                prop::collection::vec(name.clone(), 1..4)
            )
                .prop_map(|(k, names)| {
                    let mut v = vec![k];
                    for (i, n) in names.into_iter().enumerate() {
                        if i > 0 {
                            v.push(",");
                        }
                        v.push(n);
                    }
                    v
                }),
            1 => (
                prop::sample::select(vec!["group", "subsystem", "description"]),
                name
            )
                .prop_map(|(k, n)| vec![k, n]),
            1 => Just(vec!["hidden"]),
        ]
    }

    /// A valid item, as tokens.
    fn item() -> impl Strategy<Value = Vec<&'static str>> {
        let head = prop_oneof![
            Just(vec!["component", "\"C\""]),
            prop::sample::select(vec!["user", "customer", "reseller", "cc_staff"])
                .prop_map(|p| vec!["access_level", "\"L\"", "for", p]),
        ];
        prop_oneof![
            5 => (head, prop::collection::vec(statement(), 0..5)).prop_map(|(mut v, st)| {
                v.push("{");
                v.extend(st.into_iter().flatten());
                v.push("}");
                v
            }),
            1 => Just(vec!["reseller", "\"R\""]),
            1 => Just(vec!["object", "O", "{", "a", ",", "b", "}"]),
            1 => Just(vec!["object", "_O1", "{", "a", "b", ",", "}"]),
            1 => Just(vec!["object", "O", "{", "}"]),
        ]
    }

    /// An item without its doc comment, a block's permission statements
    /// as permissions after those it has.
    fn as_they_decide(item: &mut Item, docs: bool) {
        match item {
            Item::Acl(acl) => {
                if !docs {
                    acl.doc = None;
                }
                let mut others = Vec::new();
                for s in acl.statements.iter() {
                    match s {
                        Statement::Permission(p) => {
                            acl.permissions.push(crate::model::Rule::from_stmt(p))
                        }
                        other => others.push(other.clone()),
                    }
                }
                acl.statements = others.into();
            }
            Item::Object(object) if !docs => object.doc = None,
            _ => {}
        }
    }

    /// Valid items with random layout, then a few tokens replaced,
    /// inserted or dropped.
    fn text() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(item(), 1..4),
            prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, 0..WORDS.len()), 0..3),
            prop::collection::vec(0..GAPS.len(), 64),
        )
            .prop_map(|(items, edits, gaps)| {
                let mut tokens: Vec<&str> = Vec::new();
                for it in items {
                    tokens.extend(it);
                    tokens.push("\n");
                }
                for (at, kind, word) in edits {
                    let i = at.index(tokens.len());
                    match kind {
                        0 => tokens[i] = WORDS[word],
                        1 => tokens.insert(i, WORDS[word]),
                        _ => {
                            tokens.remove(i);
                        }
                    }
                }
                let mut out = String::new();
                for (i, t) in tokens.iter().enumerate() {
                    out.push_str(t);
                    // Tokens that need no separator get none at times.
                    let gap = GAPS[gaps[i % gaps.len()]];
                    out.push_str(if gap.is_empty() && t.ends_with(char::is_alphanumeric) {
                        " "
                    } else {
                        gap
                    });
                }
                out
            })
    }

    /// Every block, reseller and object of the shipped policies is read here, not
    /// left to pest, and read as pest reads it.
    #[test]
    fn reads_every_block_of_the_shipped_policies() {
        let mut read = 0;
        for dir in ["policies/examples/acl", "policies/predefined"] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let parsed = super::super::parse_file_with(
                    FileId(0),
                    &text,
                    (false, Keep::Syntax),
                    super::super::parse_item,
                    None,
                );
                let comments = std::cell::OnceCell::new();
                let names = std::cell::RefCell::default();
                let cx = super::Cx {
                    file: FileId(0),
                    base: 0,
                    text: &text,
                    comments: &comments,
                    keep: Keep::Syntax,
                    scratch: &Default::default(),
                    names: &names,
                    shared: None,
                };
                for item in &parsed.items {
                    let start = match item {
                        super::Item::Acl(acl) => acl.span.start,
                        super::Item::Object(object) => object.span.start,
                        super::Item::Reseller(name) => {
                            let before = &text[..name.span.start as usize];
                            before.rfind("reseller").unwrap_or(0) as u32
                        }
                        _ => continue,
                    };
                    let fast = super::item(&cx, start as usize).map(|(item, _)| item);
                    assert_eq!(format!("{fast:?}"), format!("{:?}", Some(item)));
                    read += 1;
                }
            }
        }
        assert!(read > 50, "only {read} blocks read");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Random damaged policies read the same as through pest alone.
        #[test]
        fn reads_as_pest_does(text in text()) {
            let (fast, pest) = both(&text);
            prop_assert_eq!(fast, pest, "on:\n{}", text);
        }

        /// Read for their items alone (as a diff reads them), files give
        /// the same items, spans and errors, without doc comments, and no
        /// comments; read for their rules (as `aclc check` reads them),
        /// the same with doc comments and comments; both here and
        /// through pest alone (where spans that end before a comment are
        /// cut with the comments found). Rules give back the spans of
        /// their targets' patterns.
        #[test]
        fn items_alone_are_the_items(text in text()) {
            for read_fast in [true, false] {
                let read = |keep| {
                    super::super::parse_file_with(
                        FileId(0),
                        &text,
                        (read_fast, keep),
                        super::super::parse_item,
                        None,
                    )
                };
                let whole = read(Keep::Syntax);
                for item in &whole.items {
                    let Item::Acl(acl) = item else { continue };
                    for s in acl.statements.iter() {
                        if let Statement::Permission(p) = s {
                            prop_assert_eq!(
                                crate::model::Rule::from_stmt(p).target_spans(),
                                (p.target.object.span, p.target.attribute.span)
                            );
                        }
                    }
                }
                for (keep, docs) in [(Keep::Items, false), (Keep::Comments, true)] {
                    let mut part = read(keep);
                    let mut whole = whole.clone();
                    for item in whole.items.iter_mut().chain(&mut part.items) {
                        as_they_decide(item, docs);
                    }
                    if docs {
                        prop_assert_eq!(&part.comments, &whole.comments);
                    } else {
                        prop_assert!(part.comments.is_empty());
                    }
                    prop_assert_eq!(
                        format!("{:?}", part.items),
                        format!("{:?}", whole.items),
                        "on:\n{}",
                        text
                    );
                    prop_assert_eq!(format!("{:?}", part.errors), format!("{:?}", whole.errors));
                }
            }
        }

        /// Token soup reads the same as through pest alone.
        #[test]
        fn reads_token_soup_as_pest_does(
            words in prop::collection::vec((0..WORDS.len(), 0..GAPS.len()), 0..40)
        ) {
            let text: String = words.iter().map(|&(w, g)| [WORDS[w], GAPS[g]].concat()).collect();
            let (fast, pest) = both(&text);
            prop_assert_eq!(fast, pest, "on:\n{}", text);
        }
    }
}
