//! Where every name of a policy set is declared and used: access levels
//! and components, resellers, catalog objects and attributes. Built once
//! per analysis from its model (the same one `aclc check` uses), it answers
//! go to definition, find references, rename, and the code lens counts.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::model::Model;
use crate::source::{FileId, Origin, Span};
use crate::syntax::ast::{GuardTarget, Item, Pattern, PermissionStmt, Statement};

/// A name that can be declared and referred to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// An access level or component.
    Acl(Arc<str>),
    /// A reseller.
    Reseller(Arc<str>),
    /// A catalog object.
    Object(Arc<str>),
    /// An attribute of a catalog object: object, attribute.
    Attribute(Arc<str>, Arc<str>),
}

impl Symbol {
    /// The name as the user writes it (unquoted).
    pub fn name(&self) -> &str {
        match self {
            Symbol::Acl(n) | Symbol::Reseller(n) | Symbol::Object(n) => n,
            Symbol::Attribute(_, a) => a,
        }
    }

    /// What kind of thing it is, in words, with its article.
    pub fn what(&self) -> &'static str {
        match self {
            Symbol::Acl(_) => "an access level or component",
            Symbol::Reseller(_) => "a reseller",
            Symbol::Object(_) => "an object",
            Symbol::Attribute(..) => "an attribute",
        }
    }

    /// Whether the name is written quoted (`"Name"`) rather than bare.
    pub fn quoted(&self) -> bool {
        matches!(self, Symbol::Acl(_) | Symbol::Reseller(_))
    }

    /// The same kind of symbol with another name.
    pub fn renamed(&self, name: &str) -> Symbol {
        let n: Arc<str> = name.into();
        match self {
            Symbol::Acl(_) => Symbol::Acl(n),
            Symbol::Reseller(_) => Symbol::Reseller(n),
            Symbol::Object(_) => Symbol::Object(n),
            Symbol::Attribute(o, _) => Symbol::Attribute(Arc::clone(o), n),
        }
    }
}

/// Where what is the role of an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// It declares the name.
    Declaration,
    /// An `include`.
    Include,
    /// A `default … = "Name"`.
    Default,
    /// A test's `expect "Name"`.
    Test,
    /// A guard's `for "Name"`.
    Guard,
    /// A `visible_to` name.
    VisibleTo,
    /// The object or attribute of a permission (in a block, guard or test).
    Target,
}

/// One place a name is written.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The name.
    pub symbol: Symbol,
    /// Where (a quoted name: with its quotes).
    pub span: Span,
    /// What it is there.
    pub role: Role,
}

/// Every occurrence of every name, by file, in text order.
#[derive(Debug, Default)]
pub struct Index {
    by_file: HashMap<FileId, Vec<Occurrence>>,
    by_symbol: HashMap<Symbol, Vec<(FileId, usize)>>,
}

impl Index {
    /// The index of an analysis's model.
    pub fn new(a: &Analysis) -> Index {
        let mut b = Builder::default();
        b.model(&a.model);
        let mut index = Index::default();
        for o in b.out {
            index.by_file.entry(o.span.file).or_default().push(o);
        }
        for (file, list) in &mut index.by_file {
            list.sort_by_key(|o| (o.span.start, o.span.end));
            for (i, o) in list.iter().enumerate() {
                index
                    .by_symbol
                    .entry(o.symbol.clone())
                    .or_default()
                    .push((*file, i));
            }
        }
        for list in index.by_symbol.values_mut() {
            list.sort_unstable();
        }
        index
    }

    /// The occurrence at byte offset `at` of `file` (the innermost).
    pub fn at(&self, file: FileId, at: u32) -> Option<&Occurrence> {
        self.by_file
            .get(&file)?
            .iter()
            .filter(|o| o.span.start <= at && at <= o.span.end)
            .min_by_key(|o| o.span.len())
    }

    /// The occurrences of a file, in text order.
    pub fn in_file(&self, file: FileId) -> &[Occurrence] {
        self.by_file.get(&file).map_or(&[], Vec::as_slice)
    }

    /// Every occurrence of `symbol`, by file and position.
    pub fn occurrences<'a>(&'a self, symbol: &Symbol) -> impl Iterator<Item = &'a Occurrence> {
        self.by_symbol
            .get(symbol)
            .into_iter()
            .flatten()
            .filter_map(|(f, i)| self.by_file.get(f).and_then(|l| l.get(*i)))
    }

    /// Where `symbol` is declared: for an access level or a reseller the
    /// declaration that stands (the first), for objects and attributes
    /// every declaration (declarations of one object merge).
    pub fn definitions(&self, model: &Model, symbol: &Symbol) -> Vec<Span> {
        match symbol {
            Symbol::Acl(n) => model
                .lookup(n)
                .map(|id| vec![model.acl(id).name_span])
                .unwrap_or_default(),
            Symbol::Reseller(n) => model
                .resellers
                .iter()
                .find(|r| *r.name.node == **n)
                .map(|r| vec![r.name.span])
                .unwrap_or_default(),
            _ => self
                .occurrences(symbol)
                .filter(|o| o.role == Role::Declaration)
                .map(|o| o.span)
                .collect(),
        }
    }

    /// Whether the symbol is declared (or used) in the predefined library:
    /// it cannot be renamed.
    pub fn is_predefined(&self, model: &Model, symbol: &Symbol) -> bool {
        self.occurrences(symbol)
            .any(|o| model.sources.file(o.span.file).origin != Origin::User)
    }
}

#[derive(Default)]
struct Builder {
    out: Vec<Occurrence>,
}

impl Builder {
    fn push(&mut self, symbol: Symbol, span: Span, role: Role) {
        self.out.push(Occurrence { symbol, span, role });
    }

    fn model(&mut self, model: &Model) {
        // The blocks (most of the names) in parallel.
        let per_block: Vec<Vec<Occurrence>> = model
            .acls
            .par_iter()
            .map(|acl| {
                let mut b = Builder::default();
                b.acl(acl);
                b.out
            })
            .collect();
        self.out.extend(per_block.into_iter().flatten());
        self.rest(model);
    }

    fn acl(&mut self, acl: &crate::model::AccessLevel) {
        {
            self.push(
                Symbol::Acl(acl.name.as_str().into()),
                acl.name_span,
                Role::Declaration,
            );
            for s in acl.statements.iter() {
                match s {
                    Statement::Include { names, .. } => {
                        for n in names {
                            self.push(Symbol::Acl(n.node.as_str().into()), n.span, Role::Include);
                        }
                    }
                    Statement::VisibleTo { names, .. } => {
                        for n in names {
                            self.push(
                                Symbol::Reseller(n.node.as_str().into()),
                                n.span,
                                Role::VisibleTo,
                            );
                        }
                    }
                    Statement::Permission(p) => self.target(p),
                    _ => {}
                }
            }
        }
    }

    /// Everything but the blocks.
    fn rest(&mut self, model: &Model) {
        for r in &model.redeclarations {
            let symbol = match r.what {
                "component" | "access level" => Symbol::Acl(r.name.as_str().into()),
                "reseller" => Symbol::Reseller(r.name.as_str().into()),
                _ => continue,
            };
            self.push(symbol, r.second, Role::Declaration);
        }
        for r in &model.resellers {
            self.push(
                Symbol::Reseller(r.name.node.as_str().into()),
                r.name.span,
                Role::Declaration,
            );
        }
        for d in &model.defaults {
            self.push(
                Symbol::Acl(d.decl.acl.node.as_str().into()),
                d.decl.acl.span,
                Role::Default,
            );
        }
        for g in &model.guards {
            for t in &g.decl.targets {
                if let GuardTarget::Named(n) = &t.node {
                    self.push(Symbol::Acl(n.as_str().into()), t.span, Role::Guard);
                }
            }
            for p in &g.decl.rules {
                self.target(p);
            }
        }
        for t in &model.tests {
            for e in &t.expectations {
                self.push(
                    Symbol::Acl(e.acl.node.as_str().into()),
                    e.acl.span,
                    Role::Test,
                );
                self.target(&e.rule);
            }
        }
        // The catalog keeps objects, not their declarations: each object
        // declaration is parsed again for its attributes' places.
        for (name, o) in &model.catalog.objects {
            for &span in &o.spans {
                match object_decl(model, span) {
                    Some(decl) => self.object(&decl),
                    // Not where expected: the whole file, once.
                    None => {
                        let text = &model.sources.file(span.file).text;
                        for item in crate::syntax::parse_file(span.file, text).items {
                            if let Item::Object(decl) = item {
                                if decl.name.span == span && decl.name.node == *name {
                                    self.object(&decl);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn object(&mut self, o: &crate::syntax::ast::ObjectDecl) {
        let object: Arc<str> = o.name.node.as_str().into();
        self.push(
            Symbol::Object(Arc::clone(&object)),
            o.name.span,
            Role::Declaration,
        );
        for a in &o.attributes {
            self.push(
                Symbol::Attribute(Arc::clone(&object), a.node.as_str().into()),
                a.span,
                Role::Declaration,
            );
        }
    }

    /// The object and attribute of a permission, when written as names.
    fn target(&mut self, p: &PermissionStmt) {
        let (o, a) = (&p.target.object, &p.target.attribute);
        if let Pattern::Exact(object) = &o.node {
            self.push(Symbol::Object(Arc::clone(object)), o.span, Role::Target);
            if let Pattern::Exact(attr) = &a.node {
                self.push(
                    Symbol::Attribute(Arc::clone(object), Arc::clone(attr)),
                    a.span,
                    Role::Target,
                );
            }
        }
    }
}

/// The object declaration whose name is at `name`, parsed from its own
/// text (`object` to the first `}` after the name); `None` when that does
/// not parse as exactly that declaration (a `}` in a comment inside it).
fn object_decl(model: &Model, name: Span) -> Option<crate::syntax::ast::ObjectDecl> {
    let text = &model.sources.file(name.file).text;
    let start = text
        .get(..name.start as usize)?
        .trim_end()
        .strip_suffix("object")?
        .len();
    let end = name.end as usize + text.get(name.end as usize..)?.find('}')? + 1;
    let parsed = crate::syntax::parse_file(name.file, text.get(start..end)?);
    if !parsed.errors.is_empty() || parsed.items.len() != 1 {
        return None;
    }
    let Some(Item::Object(mut decl)) = parsed.items.into_iter().next() else {
        return None;
    };
    let shift = |s: Span| Span::new(s.file, s.start as usize + start, s.end as usize + start);
    decl.name.span = shift(decl.name.span);
    for a in &mut decl.attributes {
        a.span = shift(a.span);
    }
    (decl.name.span == name).then_some(decl)
}

/// Whether `name` can be written bare as an object or attribute name.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
