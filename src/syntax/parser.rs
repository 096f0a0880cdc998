//! pest pairs → typed AST. No pest type leaves this module.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::Parser as _;

use std::cell::{OnceCell, RefCell};
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashSet;

use crate::source::{FileId, Span};
use crate::syntax::ast::*;
use crate::syntax::lexical;

mod fast;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/aclc.pest"]
struct AclParser;

/// Parse one file. Never fails: what does not parse becomes a [`SyntaxError`]
/// and parsing resumes at the next top-level declaration.
pub fn parse_file(file: FileId, text: &str) -> ParsedFile {
    parse_file_with(file, text, (true, Keep::Syntax), parse_item, None)
}

/// What a parse keeps of the syntax as written, besides the items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Everything: the file's comments, doc comments, and the blocks'
    /// permissions as statements (an editor's or a formatter's model).
    Syntax,
    /// The comments and doc comments; the blocks' permissions as they
    /// decide ([`AclDecl::permissions`]), not as statements (a one-shot
    /// analysis's model: a million statements take as much room again as
    /// the rules).
    Comments,
    /// The items alone (a diff's model).
    Items,
}

/// Pattern names shared by the files parsed with them: a name is one
/// allocation in all of them, so a map keyed by the address of names (see
/// [`Pattern::identity`]) holds each name once, not once per file.
#[derive(Debug, Default)]
pub struct Names(Mutex<FxHashSet<Name>>);

impl Names {
    /// The shared allocation of `text`.
    fn intern(&self, text: &str) -> Name {
        let mut names = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = names.get(text) {
            return n.clone();
        }
        let n: Name = text.into();
        names.insert(n.clone());
        n
    }
}

/// [`parse_file`], each pattern name taken from `names` (each file still
/// keeps its own lookup first, so the shared one is asked once per name
/// and file).
pub fn parse_file_sharing(file: FileId, text: &str, names: &Names) -> ParsedFile {
    parse_file_with(file, text, (true, Keep::Syntax), parse_item, Some(names))
}

/// [`parse_file_sharing`] for a model that keeps no statements (a one-shot
/// analysis's: `aclc check`): the comments and doc comments, and the
/// permissions of the blocks read here given as they decide
/// ([`AclDecl::permissions`]), not as statements.
pub fn parse_rules_sharing(file: FileId, text: &str, names: &Names) -> ParsedFile {
    parse_file_with(file, text, (true, Keep::Comments), parse_item, Some(names))
}

/// [`parse_file_sharing`] for a model that keeps no syntax (a diff's):
/// the items alone, without the file's comments and the blocks' doc
/// comments (comments are still found where a span must end before one),
/// the permissions of the blocks read here given as they decide
/// ([`AclDecl::permissions`]), not as statements.
pub fn parse_items_sharing(file: FileId, text: &str, names: &Names) -> ParsedFile {
    parse_file_with(file, text, (true, Keep::Items), parse_item, Some(names))
}

/// [`parse_file`] with the function that parses one item through pest;
/// whether the items [`fast`] reads are read there first, and what is kept
/// of the syntax as written ([`Keep`]).
fn parse_file_with<'t>(
    file: FileId,
    text: &'t str,
    (read_fast, keep): (bool, Keep),
    parse_item: impl Fn(&'t str, usize) -> Result<Pairs<'t, Rule>, pest::error::Error<Rule>>,
    shared: Option<&Names>,
) -> ParsedFile {
    let comments = OnceCell::new();
    if keep != Keep::Items {
        comments.get_or_init(|| lexical::comments(file, text));
    }
    let names = RefCell::new(FxHashSet::default());
    let scratch = RefCell::default();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut pos = 0usize;
    while pos < text.len() {
        let rest = &text[pos..];
        let cx = Cx {
            file,
            base: pos,
            text,
            comments: &comments,
            keep,
            scratch: &scratch,
            names: &names,
            shared,
        };
        if read_fast {
            if let Some((item, end)) = fast::item(&cx, pos) {
                items.push(item);
                pos = end;
                continue;
            }
        }
        match parse_item(text, pos) {
            Ok(mut pairs) => {
                let Some(next) = pairs.next() else { break };
                let end = pos + next.as_span().end();
                match next.into_inner().next() {
                    Some(pair) if pair.as_rule() != Rule::EOI => items.push(cx.item(pair)),
                    _ => break,
                }
                if end <= pos {
                    break;
                }
                pos = end;
            }
            Err(err) => {
                let item_start = pos + skip_trivia(rest);
                let (err_at, message, label) = describe(&err, text, pos);
                let resume = lexical::resync_point(text, item_start.min(err_at));
                let skipped_end = resume.unwrap_or(text.len());
                errors.push(SyntaxError {
                    message,
                    label,
                    span: error_span(file, text, err_at),
                    skipped: Some(Span::new(file, item_start, trim_end(text, skipped_end))),
                });
                match resume {
                    Some(r) if r > pos => pos = r,
                    _ => break,
                }
            }
        }
    }
    ParsedFile {
        items,
        comments: if keep != Keep::Items {
            comments.into_inner().unwrap_or_default()
        } else {
            Vec::new()
        },
        errors,
    }
}

/// Parse the next item of `text` from `pos`.
///
/// The parser sees the text only up to a line that starts with a top-level
/// keyword (the next one, then the second, fourth, … next): pest builds
/// each error by scanning from the end of its input back to the error, so
/// with the whole rest of the file as input a file of many broken
/// declarations took quadratic time. The parse of such a slice is the
/// parse of the whole rest unless it reaches the end of the slice: items
/// are told apart by their first keyword, no token continues over a line
/// break, and an alternative that fails at the end of the slice leaves the
/// failure there. Only then (a broken block, or an `object` attribute or
/// `environment` default written in column 0) is a longer slice parsed.
fn parse_item(text: &str, pos: usize) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    let rest = &text[pos..];
    let mut limit = pos + skip_trivia(rest);
    let mut keyword_lines = 1;
    loop {
        for _ in 0..keyword_lines {
            match lexical::resync_point(text, limit) {
                Some(next) => limit = next,
                None => return AclParser::parse(Rule::next_item, rest),
            }
        }
        let slice = &text[pos..limit];
        match AclParser::parse(Rule::next_item, slice) {
            Ok(pairs) if is_item(&pairs) => return Ok(pairs),
            Err(err) if error_offset(&err) < slice.len() => return Err(err),
            // It reached the end of the slice: look further.
            _ => keyword_lines *= 2,
        }
    }
}

/// Whether a successful `next_item` parse found an item (not the end).
fn is_item(pairs: &Pairs<'_, Rule>) -> bool {
    pairs
        .clone()
        .next()
        .and_then(|p| p.into_inner().next())
        .is_some_and(|p| p.as_rule() != Rule::EOI)
}

/// Where in its input a pest error is.
fn error_offset(err: &pest::error::Error<Rule>) -> usize {
    match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((p, _)) => p,
    }
}

/// Bytes of whitespace and comments at the start of `s`.
fn skip_trivia(s: &str) -> usize {
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
        } else if b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if s[i..].starts_with('\u{FEFF}') {
            i += '\u{FEFF}'.len_utf8();
        } else {
            break;
        }
    }
    i
}

/// `end` moved back over trailing white space and whole comment lines, so a
/// skipped region ends at its last statement, not at the next block's doc.
fn trim_end(text: &str, end: usize) -> usize {
    let mut end = text[..end].trim_end().len();
    loop {
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        if line_start == 0 || !text[line_start..end].trim_start().starts_with('#') {
            return end;
        }
        end = text[..line_start].trim_end().len();
    }
}

/// The span of an error: the offending token, or one character.
fn error_span(file: FileId, text: &str, at: usize) -> Span {
    let rest = &text[at..];
    let token_len = rest
        .char_indices()
        .find(|&(i, c)| {
            i > 0 && (c.is_whitespace() || c == ',' || c == '"' || c == '{' || c == '}')
        })
        .map_or(rest.len(), |(i, _)| i);
    let first = rest.chars().next();
    let len = match first {
        None => 0,
        Some(c) if c.is_whitespace() => c.len_utf8(),
        Some(_) => token_len.min(80),
    };
    // Never cut a character in two.
    let mut end = at + len;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Span::new(file, at, end)
}

/// Turn a pest error into (absolute offset, message, label) in plain words.
fn describe(err: &pest::error::Error<Rule>, text: &str, base: usize) -> (usize, String, String) {
    let at = base + error_offset(err);
    let rest = &text[at..];
    if rest.starts_with('"') {
        let line = rest.split('\n').next().unwrap_or("");
        if let Some((offset, problem, label)) = string_problem(line) {
            return (at + offset, problem.to_string(), label.to_string());
        }
    }
    let expected = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => expected_words(positives),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let found = found_words(rest);
    (
        at,
        format!("expected {expected}, found {found}"),
        format!("expected {expected}"),
    )
}

/// What is wrong with a quoted name that starts `line`, if anything: the
/// offset of the problem in `line`, the message and the label.
fn string_problem(line: &str) -> Option<(usize, &'static str, &'static str)> {
    let mut chars = line.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, '"' | '\\')) => {}
                _ => {
                    return Some((
                        i,
                        "invalid escape in a quoted name: only `\\\"` and `\\\\` are allowed",
                        "write `\\\\` for a backslash",
                    ))
                }
            },
            _ => {}
        }
    }
    Some((
        0,
        "unterminated quoted name: the closing `\"` is missing on this line",
        "this name is not closed",
    ))
}

fn found_words(rest: &str) -> String {
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('\n' | '\r') => "the end of the line".to_string(),
        Some(c) if c.is_whitespace() => "white space".to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            format!("`{word}`")
        }
        Some(c) if c.is_control() => format!("the control character U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
    }
}

fn expected_words(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for r in rules {
        // `allow` and `deny` are listed as two alternatives, not one.
        let ws: &[&str] = match r {
            Rule::effect | Rule::permission => &["`allow`", "`deny`"],
            _ => &[rule_words(*r)],
        };
        for w in ws {
            if !words.contains(w) {
                words.push(w);
            }
        }
    }
    match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

/// Each grammar rule, as a user would name what it stands for.
fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::next_item | Rule::file => {
            "a declaration (`access_level`, `component`, `reseller`, `object`, `default`, `environment`, `guard` or `test`)"
        }
        Rule::access_level | Rule::kw_access_level => "`access_level`",
        Rule::component | Rule::kw_component => "`component`",
        Rule::reseller_decl | Rule::kw_reseller => "`reseller`",
        Rule::object_decl | Rule::kw_object => "`object`",
        Rule::default_decl | Rule::kw_default => "`default`",
        Rule::environment | Rule::kw_environment => "`environment`",
        Rule::guard | Rule::kw_guard => "`guard`",
        Rule::test | Rule::kw_test => "`test`",
        Rule::kw_for | Rule::guard_for => "`for`",
        Rule::kw_expect | Rule::expect => "`expect`",
        Rule::ident => "a name",
        Rule::string | Rule::string_inner => "a quoted name",
        Rule::participant => {
            "a participant type (`user`, `customer`, `account`, `reseller`, `distributor`, `representative`, `cc_staff` or `vendor`)"
        }
        Rule::default_type => "a participant type",
        Rule::effect | Rule::permission => "`allow` or `deny`",
        Rule::access | Rule::access_list => "an access type (`read`, `update`, `insert`, `delete` or `all`)",
        Rule::target => "a target `Object.attribute`",
        Rule::pattern => "a name, `*` or a prefix `Name*`",
        Rule::block => "`{`",
        Rule::include | Rule::kw_include => "`include`",
        Rule::group | Rule::kw_group => "`group`",
        Rule::subsystem | Rule::kw_subsystem => "`subsystem`",
        Rule::description | Rule::kw_description => "`description`",
        Rule::hidden | Rule::kw_hidden => "`hidden`",
        Rule::visible_to | Rule::kw_visible_to => "`visible_to`",
        Rule::item => "a declaration",
        Rule::statement => "a statement (`allow`, `deny`, `include`, `group`, `subsystem`, `description`, `hidden` or `visible_to`)",
        Rule::guard_target => "a participant type or a quoted access level name",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::string_char | Rule::string_escape => "a character of a quoted name",
        Rule::WHITESPACE | Rule::comment => "white space",
    }
}

/// Whether a rule is atomic (a token): pest matches no trivia inside or
/// after it, so its span needs no trimming.
fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::ident
            | Rule::string
            | Rule::string_inner
            | Rule::participant
            | Rule::default_type
            | Rule::effect
            | Rule::access
            | Rule::target
            | Rule::pattern
            | Rule::kw_access_level
            | Rule::kw_component
            | Rule::kw_for
            | Rule::kw_reseller
            | Rule::kw_object
            | Rule::kw_default
            | Rule::kw_environment
            | Rule::kw_guard
            | Rule::kw_test
            | Rule::kw_expect
            | Rule::kw_include
            | Rule::kw_group
            | Rule::kw_subsystem
            | Rule::kw_description
            | Rule::kw_hidden
            | Rule::kw_visible_to
    )
}

/// Conversion context: file, the offset of the parsed slice, comments.
struct Cx<'a> {
    file: FileId,
    base: usize,
    text: &'a str,
    /// The file's comments, found when first needed.
    comments: &'a OnceCell<Vec<Comment>>,
    /// What is kept of the syntax as written: doc comments (but for
    /// [`Keep::Items`]), permissions as statements ([`Keep::Syntax`],
    /// else as [`Permission`]s where [`fast`] reads the block).
    keep: Keep,
    /// Room to gather a block's statements and permissions in, reused
    /// from block to block: each block's are then allocated once, at
    /// their size.
    scratch: &'a RefCell<(Vec<Statement>, Vec<Permission>)>,
    /// The file's pattern names, each allocated once.
    names: &'a RefCell<FxHashSet<Name>>,
    /// Names shared with other files, if any.
    shared: Option<&'a Names>,
}

impl Cx<'_> {
    /// The span of a pair without trailing trivia (white space, byte order
    /// marks, comments): pest lets a rule that ends in a repetition swallow
    /// the trivia after it.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let start = self.base + s.start();
        let mut end = self.base + s.end();
        if is_token(pair.as_rule()) {
            // A token ends at its last character: nothing to trim.
            return Span::new(self.file, start, end);
        }
        loop {
            end = start
                + self.text[start..end]
                    .trim_end_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
                    .len();
            if !self.text.as_bytes()[start..end].contains(&b'#') {
                // No comment inside: the common case, without a search.
                return Span::new(self.file, start, end);
            }
            // The last comment starting before `end`, if `end` is inside it.
            let comments = self.comments();
            let i = comments.partition_point(|c| (c.span.start as usize) < end);
            let inside = i
                .checked_sub(1)
                .map(|i| &comments[i].span)
                .filter(|c| c.start as usize >= start && c.end as usize >= end);
            match inside {
                Some(c) => end = c.start as usize,
                None => return Span::new(self.file, start, end),
            }
        }
    }

    fn comments(&self) -> &[Comment] {
        self.comments
            .get_or_init(|| lexical::comments(self.file, self.text))
    }

    fn doc(&self, span: Span) -> Option<String> {
        if self.keep == Keep::Items {
            return None;
        }
        lexical::doc_before(self.text, self.comments(), span.start as usize)
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Item {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::access_level | Rule::component => Item::Acl(self.acl(pair, span)),
            Rule::reseller_decl => {
                let name = pair.into_inner().nth(1).map(|p| self.string(p));
                Item::Reseller(name.unwrap_or_else(|| Node::new(String::new(), span)))
            }
            Rule::object_decl => Item::Object(self.object(pair, span)),
            Rule::default_decl => Item::Default(self.default(pair)),
            Rule::environment => {
                let mut inner = pair.into_inner().skip(1);
                let name = self.string_or_empty(inner.next(), span);
                let defaults = inner.map(|p| self.default(p)).collect();
                Item::Environment(EnvironmentDecl {
                    name,
                    defaults,
                    span,
                })
            }
            Rule::guard => Item::Guard(self.guard(pair, span)),
            _ => Item::Test(self.test(pair, span)),
        }
    }

    fn acl(&self, pair: Pair<'_, Rule>, span: Span) -> AclDecl {
        let is_component = pair.as_rule() == Rule::component;
        let mut inner = pair.into_inner();
        let keyword = inner.next().map(|p| self.span(&p)).unwrap_or(span);
        let name = self.string_or_empty(inner.next(), span);
        let mut kind = Node::new(AclKind::Component, keyword);
        let mut statements: Arc<[Statement]> = Arc::from(Vec::new());
        for p in inner {
            match p.as_rule() {
                Rule::participant => {
                    let ty = Participant::parse(p.as_str()).unwrap_or(Participant::User);
                    kind = Node::new(AclKind::Participant(ty), self.span(&p));
                }
                Rule::block => {
                    statements = p.into_inner().map(|s| self.statement(s)).collect();
                }
                _ => {}
            }
        }
        if is_component {
            kind = Node::new(AclKind::Component, keyword);
        }
        AclDecl {
            kind,
            head: keyword.to(name.span),
            doc: self.doc(span),
            name,
            statements,
            permissions: Vec::new(),
            span,
        }
    }

    fn statement(&self, pair: Pair<'_, Rule>) -> Statement {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let strings = || -> Vec<Node<String>> {
            pair.clone()
                .into_inner()
                .filter(|p| p.as_rule() == Rule::string)
                .map(|p| self.string(p))
                .collect()
        };
        match rule {
            Rule::permission => Statement::Permission(self.permission(pair)),
            Rule::include => Statement::Include {
                names: strings(),
                span,
            },
            Rule::visible_to => Statement::VisibleTo {
                names: strings(),
                span,
            },
            Rule::hidden => Statement::Hidden(span),
            _ => {
                let s = strings()
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Node::new(String::new(), span));
                match rule {
                    Rule::group => Statement::Group(s),
                    Rule::subsystem => Statement::Subsystem(s),
                    _ => Statement::Description(s),
                }
            }
        }
    }

    fn permission(&self, pair: Pair<'_, Rule>) -> PermissionStmt {
        let span = self.span(&pair);
        self.permission_parts(pair.into_inner().collect(), span)
    }

    fn target(&self, pair: Pair<'_, Rule>) -> Target {
        let span = self.span(&pair);
        let mut pats = pair.into_inner().map(|p| self.pattern(p));
        let object = pats.next().unwrap_or_else(|| Node::new(Pattern::Any, span));
        let attribute = pats.next().unwrap_or_else(|| Node::new(Pattern::Any, span));
        Target { object, attribute }
    }

    fn pattern(&self, pair: Pair<'_, Rule>) -> Node<Pattern> {
        let span = self.span(&pair);
        let text = pair.as_str();
        let pat = match text.strip_suffix('*') {
            Some("") => Pattern::Any,
            Some(prefix) => Pattern::Prefix(self.name(prefix)),
            None => Pattern::Exact(self.name(text)),
        };
        Node::new(pat, span)
    }

    /// The file's one copy of a name.
    fn name(&self, text: &str) -> Name {
        let mut names = self.names.borrow_mut();
        if let Some(n) = names.get(text) {
            return n.clone();
        }
        let n: Name = match self.shared {
            Some(shared) => shared.intern(text),
            None => text.into(),
        };
        names.insert(n.clone());
        n
    }

    fn object(&self, pair: Pair<'_, Rule>, span: Span) -> ObjectDecl {
        let mut idents = pair.into_inner().filter(|p| p.as_rule() == Rule::ident);
        let name = idents
            .next()
            .map(|p| Node::new(p.as_str().to_string(), self.span(&p)))
            .unwrap_or_else(|| Node::new(String::new(), span));
        let attributes = idents
            .map(|p| Node::new(p.as_str().to_string(), self.span(&p)))
            .collect();
        ObjectDecl {
            name,
            attributes,
            doc: self.doc(span),
            span,
        }
    }

    fn default(&self, pair: Pair<'_, Rule>) -> DefaultDecl {
        let span = self.span(&pair);
        let mut ty = Node::new(DefaultType::Component, span);
        let mut acl = Node::new(String::new(), span);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::default_type => {
                    let t = Participant::parse(p.as_str())
                        .map_or(DefaultType::Component, DefaultType::Participant);
                    ty = Node::new(t, self.span(&p));
                }
                Rule::string => acl = self.string(p),
                _ => {}
            }
        }
        DefaultDecl { ty, acl, span }
    }

    fn guard(&self, pair: Pair<'_, Rule>, span: Span) -> GuardDecl {
        let mut name = Node::new(String::new(), span);
        let mut targets = Vec::new();
        let mut rules = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => name = self.string(p),
                Rule::guard_for => {
                    for t in p.into_inner() {
                        match t.as_rule() {
                            Rule::participant => {
                                let ty =
                                    Participant::parse(t.as_str()).unwrap_or(Participant::User);
                                targets.push(Node::new(GuardTarget::Type(ty), self.span(&t)));
                            }
                            Rule::string => {
                                let s = self.string(t);
                                targets.push(Node::new(GuardTarget::Named(s.node), s.span));
                            }
                            _ => {}
                        }
                    }
                }
                Rule::permission => rules.push(self.permission(p)),
                _ => {}
            }
        }
        GuardDecl {
            name,
            targets,
            rules,
            doc: self.doc(span),
            span,
        }
    }

    fn test(&self, pair: Pair<'_, Rule>, span: Span) -> TestDecl {
        let mut name = Node::new(String::new(), span);
        let mut expectations = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string => name = self.string(p),
                Rule::expect => {
                    let espan = self.span(&p);
                    let mut acl = Node::new(String::new(), espan);
                    let mut rest = Vec::new();
                    for q in p.into_inner() {
                        match q.as_rule() {
                            Rule::string => acl = self.string(q),
                            Rule::kw_expect => {}
                            _ => rest.push(q),
                        }
                    }
                    let rule = self.permission_parts(rest, espan);
                    expectations.push(Expectation {
                        acl,
                        rule,
                        span: espan,
                    });
                }
                _ => {}
            }
        }
        TestDecl {
            name,
            expectations,
            span,
        }
    }

    /// A permission from its parts (effect, access list, target) written
    /// inside another statement, such as `expect`.
    fn permission_parts(&self, parts: Vec<Pair<'_, Rule>>, span: Span) -> PermissionStmt {
        let mut effect = Node::new(Effect::Deny, span);
        let mut access = Vec::new();
        let mut target = Target {
            object: Node::new(Pattern::Any, span),
            attribute: Node::new(Pattern::Any, span),
        };
        let mut start = span.end;
        for p in parts {
            // Where the part starts (no trimming needed for a start).
            let at = self.base + p.as_span().start();
            start = start.min(Span::new(self.file, at, at).start);
            match p.as_rule() {
                Rule::effect => {
                    effect = Node::new(
                        Effect::parse(p.as_str()).unwrap_or(Effect::Deny),
                        self.span(&p),
                    );
                }
                Rule::access => {
                    let spec = Access::parse(p.as_str()).map_or(AccessSpec::All, AccessSpec::One);
                    access.push(Node::new(spec, self.span(&p)));
                }
                Rule::target => target = self.target(p),
                _ => {}
            }
        }
        let span = Span { start, ..span };
        PermissionStmt {
            effect,
            access: access.into_boxed_slice(),
            target,
            span,
        }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Node<String> {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        Node::new(unescape(raw), span)
    }

    fn string_or_empty(&self, pair: Option<Pair<'_, Rule>>, span: Span) -> Node<String> {
        pair.map(|p| self.string(p))
            .unwrap_or_else(|| Node::new(String::new(), span))
    }
}

/// Undo `\"` and `\\`.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Quote a name for the policy language.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first permission's object and attribute name addresses.
    fn first_names(parsed: &ParsedFile) -> Option<(usize, usize)> {
        parsed.items.iter().find_map(|item| match item {
            Item::Acl(acl) => acl.statements.iter().find_map(|s| match s {
                Statement::Permission(p) => Some((
                    p.target.object.node.identity(),
                    p.target.attribute.node.identity(),
                )),
                _ => None,
            }),
            _ => None,
        })
    }

    /// Files parsed with the same [`Names`] hold one copy of each name;
    /// a file parsed alone holds its own.
    #[test]
    fn files_sharing_names_hold_one_copy_of_each() {
        let a = "component \"A\" {\n    allow read Customers.name\n}\n";
        let b = "component \"B\" {\n    deny read Customers.name # note\n}\n";
        let names = Names::default();
        let one = first_names(&parse_file_sharing(FileId(0), a, &names));
        let two = first_names(&parse_file_sharing(FileId(1), b, &names));
        assert!(one.is_some());
        assert_eq!(one, two);
        let alone = first_names(&parse_file(FileId(2), b));
        assert!(alone.is_some());
        assert_ne!(one, alone);
    }

    /// Parsing an item from a slice of the text gives exactly what parsing
    /// it from the whole rest of the file gives, on real policies with
    /// random byte flips (broken items, items running past a keyword line).
    #[test]
    fn a_sliced_parse_is_a_whole_parse() {
        let mut texts: Vec<String> = Vec::new();
        for dir in ["policies/examples/acl", "policies/predefined"] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                texts.extend(std::fs::read_to_string(entry.path()).ok());
            }
        }
        // Items that legitimately go on past a line starting with a keyword.
        texts.push("object O {\ntest\nguard, x }\nenvironment \"e\" {\ndefault customer = \"C\"\n}\nreseller \"R\"\n".to_string());
        assert!(texts.len() > 5);
        fn whole(text: &str, pos: usize) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
            AclParser::parse(Rule::next_item, &text[pos..])
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bytes = b"{}\"\n #.*,abc";
        for text in &texts {
            for _ in 0..40 {
                let mut b = text.clone().into_bytes();
                for _ in 0..1 + next() % 4 {
                    let at = (next() % b.len().max(1) as u64) as usize;
                    if at < b.len() {
                        b[at] = bytes[(next() % bytes.len() as u64) as usize];
                    }
                }
                let Ok(t) = String::from_utf8(b) else {
                    continue;
                };
                let sliced = format!("{:?}", parse_file(FileId(0), &t));
                let reference = format!(
                    "{:?}",
                    parse_file_with(FileId(0), &t, (false, Keep::Syntax), whole, None)
                );
                assert_eq!(sliced, reference, "on:\n{t}");
            }
        }
    }
}
