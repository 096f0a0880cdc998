//! The typed syntax tree. Spans never take part in equality, so two trees
//! that differ only in layout compare equal (the formatter relies on this).

use std::fmt;
use std::sync::Arc;

use crate::source::Span;

/// A value with the span it was written at.
#[derive(Clone, Debug)]
pub struct Node<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Node<T> {
    /// Wrap a value.
    pub fn new(node: T, span: Span) -> Node<T> {
        Node { node, span }
    }
}

impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}
impl<T: Eq> Eq for Node<T> {}

/// The participant types of an access level (DESIGN §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Participant {
    /// Administrative users.
    User,
    /// Customers (self-care).
    Customer,
    /// Accounts (end-user self-care).
    Account,
    /// Resellers.
    Reseller,
    /// Distributors.
    Distributor,
    /// Sales representatives.
    Representative,
    /// Customer-care staff.
    CcStaff,
    /// Vendors.
    Vendor,
}

impl Participant {
    /// All participant types, in DESIGN order.
    pub const ALL: [Participant; 8] = [
        Participant::User,
        Participant::Customer,
        Participant::Account,
        Participant::Reseller,
        Participant::Distributor,
        Participant::Representative,
        Participant::CcStaff,
        Participant::Vendor,
    ];

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Participant::User => "user",
            Participant::Customer => "customer",
            Participant::Account => "account",
            Participant::Reseller => "reseller",
            Participant::Distributor => "distributor",
            Participant::Representative => "representative",
            Participant::CcStaff => "cc_staff",
            Participant::Vendor => "vendor",
        }
    }

    /// Parse the keyword.
    pub fn parse(s: &str) -> Option<Participant> {
        Participant::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether `visible_to` applies to this type (DESIGN §1).
    pub fn has_visibility(self) -> bool {
        matches!(
            self,
            Participant::Customer
                | Participant::Account
                | Participant::Representative
                | Participant::CcStaff
        )
    }
}

/// What kind of access level a block declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AclKind {
    /// A reusable building block (`component "…"`).
    Component,
    /// An access level for a participant type.
    Participant(Participant),
}

impl AclKind {
    /// With its article, as prose: "a component", "an account access level".
    pub fn described(self) -> String {
        match self {
            AclKind::Component => "a component".to_string(),
            AclKind::Participant(Participant::Account) => "an account access level".to_string(),
            AclKind::Participant(p) => format!("a {} access level", p.as_str()),
        }
    }

    /// `component` or the participant keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            AclKind::Component => "component",
            AclKind::Participant(p) => p.as_str(),
        }
    }
}

impl fmt::Display for AclKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// `Access` and `Effect` live in the runtime crate, which a service embeds
// without the parser; the syntax tree uses the very same types.
pub use aclc_runtime::{Access, Effect};

/// A set of access types (bit per [`Access`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct AccessSet(pub u8);

impl AccessSet {
    /// All four.
    pub const ALL: AccessSet = AccessSet(0b1111);

    /// Whether `a` is in the set.
    pub fn contains(self, a: Access) -> bool {
        self.0 & a.bit() != 0
    }

    /// Add `a`.
    pub fn insert(&mut self, a: Access) {
        self.0 |= a.bit();
    }

    /// The members in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Access> {
        Access::ALL.into_iter().filter(move |a| self.contains(*a))
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for AccessSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Access::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

/// An access type as written: one of the four, or `all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessSpec {
    /// One access type.
    One(Access),
    /// `all`: the four.
    All,
}

/// A name in a pattern, shared: the parser gives every occurrence of the
/// same name in a file (or in files parsed together) one allocation, and
/// the model and the analysis clone it without copying (a million
/// permissions name a few thousand names).
pub type Name = std::sync::Arc<str>;

/// An object or attribute pattern.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pattern {
    /// `*`: every name.
    Any,
    /// `Name*`: every name starting with the prefix (stored without the `*`).
    Prefix(Name),
    /// One name.
    Exact(Name),
}

impl Pattern {
    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Prefix(p) => name.starts_with(&**p),
            Pattern::Exact(n) => **n == *name,
        }
    }

    /// `any`, `prefix` or `exact` (the SQL `*_match` column).
    pub fn kind_str(&self) -> &'static str {
        match self {
            Pattern::Any => "any",
            Pattern::Prefix(_) => "prefix",
            Pattern::Exact(_) => "exact",
        }
    }

    /// The identity of the pattern: its kind and the address of its name.
    /// Equal identities mean equal patterns, so a map keyed by identity
    /// hashes and compares a word, not a name; equal patterns may have
    /// different identities (the parser keeps one copy of a name per file,
    /// or per set of files parsed with the same [`crate::syntax::Names`]),
    /// so such a map may hold a pattern more than once. The address is only
    /// meaningful while the pattern is alive: whoever keys a map by it keeps
    /// the patterns alive as long as the map.
    pub fn identity(&self) -> usize {
        match self {
            Pattern::Any => 0,
            // Names live in reference-counted allocations, word-aligned:
            // the lowest bit is free to tell a prefix from a name.
            Pattern::Prefix(p) => std::sync::Arc::as_ptr(p) as *const u8 as usize | 1,
            Pattern::Exact(n) => std::sync::Arc::as_ptr(n) as *const u8 as usize,
        }
    }

    /// How many bytes the pattern takes as written (`Name*`: the name and
    /// the star).
    pub fn written_len(&self) -> usize {
        match self {
            Pattern::Any => 1,
            Pattern::Prefix(p) => p.len() + 1,
            Pattern::Exact(n) => n.len(),
        }
    }

    /// The name, the prefix without its `*`, or `*`.
    pub fn text(&self) -> &str {
        match self {
            Pattern::Any => "*",
            Pattern::Prefix(p) | Pattern::Exact(p) => p,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Any => f.write_str("*"),
            Pattern::Prefix(p) => write!(f, "{p}*"),
            Pattern::Exact(n) => f.write_str(n),
        }
    }
}

/// `Object.attribute`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The object pattern.
    pub object: Node<Pattern>,
    /// The attribute pattern.
    pub attribute: Node<Pattern>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.object.node, self.attribute.node)
    }
}

/// `allow|deny ACCESS[, ACCESS…] OBJECT.ATTRIBUTE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionStmt {
    /// Allow or deny.
    pub effect: Node<Effect>,
    /// The access types as written (a boxed slice: one to four, held
    /// exactly, a million times over in a large set).
    pub access: Box<[Node<AccessSpec>]>,
    /// What it applies to.
    pub target: Target,
    /// The whole statement.
    pub span: Span,
}

impl PermissionStmt {
    /// The access types named, `all` expanded.
    pub fn access_set(&self) -> AccessSet {
        let mut set = AccessSet::default();
        for a in &self.access {
            match a.node {
                AccessSpec::One(x) => set.insert(x),
                AccessSpec::All => set = AccessSet::ALL,
            }
        }
        set
    }
}

/// A permission as it decides: allow or deny, the access types it names
/// (`all` expanded), its patterns and where it is written. The model's
/// rules ([`crate::model::Rule`]); a file read for its items alone
/// ([`crate::syntax::parse_items_sharing`]) gives its blocks' permissions
/// in this form directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    /// Allow or deny.
    pub effect: Effect,
    /// The access types the statement names.
    pub access: AccessSet,
    /// Object pattern.
    pub object: Pattern,
    /// Attribute pattern.
    pub attribute: Pattern,
    /// The statement.
    pub span: Span,
}

/// A statement inside an access level or component block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// An own permission.
    Permission(PermissionStmt),
    /// `include "A", "B"`.
    Include {
        /// The names, in order.
        names: Vec<Node<String>>,
        /// The whole statement.
        span: Span,
    },
    /// `group "…"`.
    Group(Node<String>),
    /// `subsystem "…"`.
    Subsystem(Node<String>),
    /// `description "…"`.
    Description(Node<String>),
    /// `hidden`.
    Hidden(Span),
    /// `visible_to "R", …`.
    VisibleTo {
        /// The reseller names.
        names: Vec<Node<String>>,
        /// The whole statement.
        span: Span,
    },
}

/// `access_level "…" for TYPE { … }` or `component "…" { … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclDecl {
    /// Component or participant type (span: the type keyword).
    pub kind: Node<AclKind>,
    /// The declared name.
    pub name: Node<String>,
    /// `##` doc comment lines before the declaration.
    pub doc: Option<String>,
    /// The statements, in textual order. Shared: the model keeps them, and
    /// a [`crate::workspace::Workspace`] analyzes the same parse again and
    /// again without copying them.
    pub statements: Arc<[Statement]>,
    /// The permissions, in order, when the file was read for its items
    /// alone ([`crate::syntax::parse_items_sharing`]): then `statements`
    /// holds the other statements only. Otherwise empty.
    pub permissions: Vec<Permission>,
    /// From the keyword to the end of the name: the declaration's "head".
    pub head: Span,
    /// The whole block.
    pub span: Span,
}

/// `object Name { attr, … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectDecl {
    /// The object name.
    pub name: Node<String>,
    /// Its attributes.
    pub attributes: Vec<Node<String>>,
    /// `##` doc comment.
    pub doc: Option<String>,
    /// The whole declaration.
    pub span: Span,
}

/// What a `default` statement names as its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefaultType {
    /// A participant type.
    Participant(Participant),
    /// `component` (never allowed to be overridden).
    Component,
}

impl DefaultType {
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            DefaultType::Participant(p) => p.as_str(),
            DefaultType::Component => "component",
        }
    }
}

/// `default TYPE = "Name"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultDecl {
    /// The participant type.
    pub ty: Node<DefaultType>,
    /// The access level named.
    pub acl: Node<String>,
    /// The whole statement.
    pub span: Span,
}

/// `environment "name" { default … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentDecl {
    /// The environment name.
    pub name: Node<String>,
    /// Its defaults.
    pub defaults: Vec<DefaultDecl>,
    /// The whole block.
    pub span: Span,
}

/// Who a guard applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuardTarget {
    /// Every access level of a participant type.
    Type(Participant),
    /// One named access level (aclc extension).
    Named(String),
}

/// `guard "…" { for …  PERMISSION… }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardDecl {
    /// What the guard says.
    pub name: Node<String>,
    /// Who it applies to.
    pub targets: Vec<Node<GuardTarget>>,
    /// What must hold.
    pub rules: Vec<PermissionStmt>,
    /// `##` doc comment.
    pub doc: Option<String>,
    /// The whole block.
    pub span: Span,
}

/// `expect "ACL" allow|deny ACCESS… OBJ.ATTR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The access level tested.
    pub acl: Node<String>,
    /// The expected decision and region.
    pub rule: PermissionStmt,
    /// The whole statement.
    pub span: Span,
}

/// `test "…" { expect … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestDecl {
    /// The test's name.
    pub name: Node<String>,
    /// Its expectations.
    pub expectations: Vec<Expectation>,
    /// The whole block.
    pub span: Span,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An access level or component.
    Acl(AclDecl),
    /// `reseller "…"`.
    Reseller(Node<String>),
    /// A catalog object.
    Object(ObjectDecl),
    /// A default for all environments.
    Default(DefaultDecl),
    /// Defaults for one environment.
    Environment(EnvironmentDecl),
    /// A guard.
    Guard(GuardDecl),
    /// A policy test.
    Test(TestDecl),
}

/// A comment in the source (`#` or `##`), kept for doc comments,
/// suppressions and the formatter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after the `#` marker(s), trimmed.
    pub text: String,
    /// `##`.
    pub doc: bool,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
    /// The whole comment.
    pub span: Span,
}

/// One syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What was wrong, in plain words.
    pub message: String,
    /// What was expected, in plain words (for the label).
    pub label: String,
    /// Where.
    pub span: Span,
    /// The top-level block skipped because of it, when known.
    pub skipped: Option<Span>,
}

/// A parsed file: every item that parsed, every comment, every syntax error.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// Items in textual order.
    pub items: Vec<Item>,
    /// Comments in textual order.
    pub comments: Vec<Comment>,
    /// Syntax errors in textual order.
    pub errors: Vec<SyntaxError>,
}
