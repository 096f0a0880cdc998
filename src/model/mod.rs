//! The semantic model of a whole policy set: symbol table, include graph,
//! catalog, defaults, guards and tests. Built once from parsed files; the
//! analysis, emitters and front ends only read it.

pub mod eval;
pub mod graph;
pub mod reach;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::source::{FileId, Origin, SourceMap, Span};
use crate::syntax::ast::*;

/// Index of an access level or component in [`Model::acls`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AclId(pub u32);

impl AclId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// One own permission of an access level: a statement, `all` expanded.
pub use crate::syntax::ast::Permission as Rule;

impl Rule {
    /// Whether the rule applies to this request.
    pub fn matches(&self, access: Access, object: &str, attribute: &str) -> bool {
        self.access.contains(access)
            && self.object.matches(object)
            && self.attribute.matches(attribute)
    }

    /// [`Rule::from_stmt`] for a statement about to be dropped: its
    /// patterns are moved into the rule (and left as `*`).
    fn taken_from(p: &mut PermissionStmt) -> Rule {
        Rule {
            effect: p.effect.node,
            access: p.access_set(),
            object: std::mem::replace(&mut p.target.object.node, Pattern::Any),
            attribute: std::mem::replace(&mut p.target.attribute.node, Pattern::Any),
            span: p.span,
        }
    }

    /// Build from a statement.
    pub fn from_stmt(p: &PermissionStmt) -> Rule {
        Rule {
            effect: p.effect.node,
            access: p.access_set(),
            object: p.target.object.node.clone(),
            attribute: p.target.attribute.node.clone(),
            span: p.span,
        }
    }

    /// Where the object and the attribute pattern are written: the target
    /// ends the statement (`Object.attribute`, nothing between the
    /// patterns and the dot), so they are found from the statement's end
    /// and the patterns' lengths, and a model need not keep the statement
    /// itself.
    pub fn target_spans(&self) -> (Span, Span) {
        let (file, end) = (self.span.file, self.span.end as usize);
        let attribute_start = end.saturating_sub(self.attribute.written_len());
        let object_end = attribute_start.saturating_sub(1);
        let object_start = object_end.saturating_sub(self.object.written_len());
        (
            Span::new(file, object_start, object_end),
            Span::new(file, attribute_start, end),
        )
    }

    /// The rule written as a permission, e.g. `deny read SelfCare.identity`.
    pub fn display(&self) -> String {
        let access = if self.access == AccessSet::ALL {
            "all".to_string()
        } else {
            self.access.to_string()
        };
        format!(
            "{} {access} {}.{}",
            self.effect, self.object, self.attribute
        )
    }
}

/// One name in an `include` statement.
#[derive(Clone, Debug)]
pub struct Include {
    /// The name as written.
    pub name: Node<String>,
    /// What it resolves to (`None`: undeclared).
    pub target: Option<AclId>,
    /// The whole `include` statement.
    pub stmt: Span,
}

/// An access level or component, as the model sees it.
#[derive(Clone, Debug)]
pub struct AccessLevel {
    /// Its id.
    pub id: AclId,
    /// Its name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// Keyword to name.
    pub head: Span,
    /// The whole block.
    pub span: Span,
    /// Component or participant type.
    pub kind: AclKind,
    /// Predefined library or user file.
    pub origin: Origin,
    /// `##` doc comment.
    pub doc: Option<String>,
    /// `group "…"`.
    pub group: Option<Node<String>>,
    /// `subsystem "…"`.
    pub subsystem: Option<Node<String>>,
    /// `description "…"`.
    pub description: Option<Node<String>>,
    /// `hidden`, where written.
    pub hidden: Option<Span>,
    /// `visible_to` names.
    pub visible_to: Vec<Node<String>>,
    /// Spans of the `visible_to` statements.
    pub visible_to_stmts: Vec<Span>,
    /// Own permissions in order.
    pub rules: Vec<Rule>,
    /// Includes in order.
    pub includes: Vec<Include>,
    /// The statements as written (for lints about layout; empty in a
    /// model built by [`Model::build_without_syntax`]).
    pub statements: std::sync::Arc<[Statement]>,
}

impl AccessLevel {
    /// The block a declaration declares (its id is set when it is added
    /// to a model).
    fn from_decl(decl: AclDecl, origin: Origin, syntax: Syntax) -> AccessLevel {
        let mut acl = AccessLevel {
            id: AclId(0),
            name: decl.name.node,
            name_span: decl.name.span,
            head: decl.head,
            span: decl.span,
            kind: decl.kind.node,
            origin,
            doc: decl.doc,
            group: None,
            subsystem: None,
            description: None,
            hidden: None,
            visible_to: Vec::new(),
            visible_to_stmts: Vec::new(),
            // Read for their meaning alone, the permissions come as rules
            // already (and the statements hold the others).
            rules: decl.permissions,
            includes: Vec::new(),
            statements: decl.statements,
        };
        // Sized exactly: a million rules pushed one by one would leave a
        // quarter of their vectors unused on average.
        let permissions = acl
            .statements
            .iter()
            .filter(|s| matches!(s, Statement::Permission(_)))
            .count();
        acl.rules.reserve_exact(permissions);
        // Kept, the statements are shared with the model; dropped, they
        // are taken out of it here.
        let mut statements = match syntax {
            Syntax::Keep => std::sync::Arc::clone(&acl.statements),
            Syntax::Drop => std::mem::replace(&mut acl.statements, std::sync::Arc::from([])),
        };
        let owned = match syntax {
            Syntax::Keep => None,
            Syntax::Drop => std::sync::Arc::get_mut(&mut statements),
        };
        if let Some(owned) = owned {
            // Dropped anyway: the rules take their patterns over (no
            // count of a shared name raised here and lowered at once by
            // the drop, from both threads of a diff).
            for stmt in owned.iter_mut() {
                match stmt {
                    Statement::Permission(p) => acl.rules.push(Rule::taken_from(p)),
                    other => acl.add_statement(other),
                }
            }
            return acl;
        }
        for stmt in statements.iter() {
            match stmt {
                Statement::Permission(p) => acl.rules.push(Rule::from_stmt(p)),
                other => acl.add_statement(other),
            }
        }
        acl
    }

    /// What a statement other than a permission sets.
    fn add_statement(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Permission(_) => {}
            Statement::Include { names, span } => {
                self.includes.extend(names.iter().map(|n| Include {
                    name: n.clone(),
                    target: None,
                    stmt: *span,
                }))
            }
            Statement::Group(g) => self.group = Some(g.clone()),
            Statement::Subsystem(s) => self.subsystem = Some(s.clone()),
            Statement::Description(d) => self.description = Some(d.clone()),
            Statement::Hidden(s) => self.hidden = Some(*s),
            Statement::VisibleTo { names, span } => {
                self.visible_to.extend(names.iter().cloned());
                self.visible_to_stmts.push(*span);
            }
        }
    }

    /// Whether this is a component.
    pub fn is_component(&self) -> bool {
        self.kind == AclKind::Component
    }
}

/// Where a default applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The platform's own defaults (predefined library).
    Predefined,
    /// All environments (an operator's override).
    AllEnvironments,
    /// One virtual billing environment.
    Environment(String),
}

impl Scope {
    /// How the scope is written in messages.
    pub fn describe(&self) -> String {
        match self {
            Scope::Predefined => "the predefined defaults".to_string(),
            Scope::AllEnvironments => "all environments".to_string(),
            Scope::Environment(e) => format!("environment `{e}`"),
        }
    }
}

/// A `default` statement in its scope.
#[derive(Clone, Debug)]
pub struct DefaultEntry {
    /// Where it applies.
    pub scope: Scope,
    /// The statement.
    pub decl: DefaultDecl,
    /// Predefined library or user file.
    pub origin: Origin,
    /// What it resolves to.
    pub target: Option<AclId>,
}

/// A catalog object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogObject {
    /// Its attributes.
    pub attributes: BTreeSet<String>,
    /// Where it is declared.
    pub spans: Vec<Span>,
    /// `##` doc comment of its first declaration.
    pub doc: Option<String>,
}

/// The object catalog (empty: no catalog, catalog lints off).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Objects by name.
    pub objects: BTreeMap<String, CatalogObject>,
}

impl Catalog {
    /// Whether any object is declared.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// A name declared more than once.
#[derive(Clone, Debug)]
pub struct Redeclaration {
    /// What kind of thing (`access level`, `reseller`, …).
    pub what: &'static str,
    /// The name.
    pub name: String,
    /// The declaration that stands.
    pub first: Span,
    /// The one ignored.
    pub second: Span,
    /// Whether the first is predefined and the second a user file's.
    pub redefines_predefined: bool,
}

/// A declared reseller.
#[derive(Clone, Debug)]
pub struct Reseller {
    /// Its name.
    pub name: Node<String>,
    /// Predefined library or user file.
    pub origin: Origin,
}

/// A guard with where it was declared.
#[derive(Clone, Debug)]
pub struct Guard {
    /// The declaration.
    pub decl: GuardDecl,
    /// Predefined library or user file.
    pub origin: Origin,
}

/// The semantic model of a policy set.
#[derive(Debug, Default)]
pub struct Model {
    /// All source files.
    pub sources: SourceMap,
    /// Every access level and component (first declaration of each name).
    pub acls: Vec<AccessLevel>,
    by_name: HashMap<String, AclId>,
    /// Resellers (first declaration of each name).
    pub resellers: Vec<Reseller>,
    reseller_names: HashMap<String, usize>,
    /// The object catalog.
    pub catalog: Arc<Catalog>,
    /// Every default statement.
    pub defaults: Vec<DefaultEntry>,
    /// Guards.
    pub guards: Vec<Guard>,
    /// Tests.
    pub tests: Vec<TestDecl>,
    /// Syntax errors of all files.
    pub syntax_errors: Vec<SyntaxError>,
    /// Comments per file (indexed by `FileId`).
    pub comments: Vec<Vec<Comment>>,
    /// Names declared twice.
    pub redeclarations: Vec<Redeclaration>,
}

/// Whether a model keeps the blocks' statements as written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Keep,
    Drop,
}

impl Model {
    /// Build the model from parsed files (one per source, in source order).
    pub fn build(sources: SourceMap, parsed: Vec<ParsedFile>) -> Model {
        Model::build_with(sources, parsed, Syntax::Keep, None)
    }

    /// [`Model::build`] with the catalog of an earlier model of the same
    /// policy set whose files declared the very objects these do (written
    /// the same, at the same places): the object declarations of `parsed`
    /// are not read, and the catalog is shared, not built again (over a
    /// catalog of thousands of objects, most of a re-analysis's model).
    pub fn build_sharing_catalog(
        sources: SourceMap,
        parsed: Vec<ParsedFile>,
        catalog: Arc<Catalog>,
    ) -> Model {
        Model::build_with(sources, parsed, Syntax::Keep, Some(catalog))
    }

    /// Build the model without the blocks' statements as written
    /// ([`AccessLevel::statements`] left empty), for a command that reads
    /// permissions and includes only (`aclc diff`, and every one-shot
    /// analysis: [`crate::analysis::analyze`]): the statements are
    /// the larger part of a parsed policy set's memory.
    pub fn build_without_syntax(sources: SourceMap, parsed: Vec<ParsedFile>) -> Model {
        Model::build_with(sources, parsed, Syntax::Drop, None)
    }

    fn build_with(
        sources: SourceMap,
        parsed: Vec<ParsedFile>,
        syntax: Syntax,
        shared: Option<Arc<Catalog>>,
    ) -> Model {
        let mut m = Model {
            sources,
            ..Model::default()
        };
        let mut catalog = Catalog::default();
        let mut test_names: HashMap<String, Span> = HashMap::new();
        let mut guard_names: HashMap<String, Span> = HashMap::new();
        let mut acl_decls = Vec::new();
        for (index, file) in parsed.into_iter().enumerate() {
            let origin = m.sources.file(FileId(index as u32)).origin;
            m.syntax_errors.extend(file.errors);
            m.comments.push(file.comments);
            for item in file.items {
                match item {
                    Item::Acl(decl) => acl_decls.push((decl, origin)),
                    Item::Reseller(name) => m.add_reseller(name, origin),
                    Item::Object(_) if shared.is_some() => {}
                    Item::Object(obj) => {
                        let entry = catalog.objects.entry(obj.name.node.clone()).or_default();
                        entry
                            .attributes
                            .extend(obj.attributes.iter().map(|a| a.node.clone()));
                        entry.spans.push(obj.name.span);
                        if entry.doc.is_none() {
                            entry.doc = obj.doc;
                        }
                    }
                    Item::Default(decl) => {
                        let scope = match origin {
                            Origin::Predefined => Scope::Predefined,
                            Origin::User => Scope::AllEnvironments,
                        };
                        m.defaults.push(DefaultEntry {
                            scope,
                            decl,
                            origin,
                            target: None,
                        });
                    }
                    Item::Environment(env) => {
                        for decl in env.defaults {
                            let scope = Scope::Environment(env.name.node.clone());
                            m.defaults.push(DefaultEntry {
                                scope,
                                decl,
                                origin,
                                target: None,
                            });
                        }
                    }
                    Item::Guard(decl) => {
                        if let Some(first) = guard_names.get(&decl.name.node) {
                            m.redeclarations.push(Redeclaration {
                                what: "guard",
                                name: decl.name.node.clone(),
                                first: *first,
                                second: decl.name.span,
                                redefines_predefined: false,
                            });
                        } else {
                            guard_names.insert(decl.name.node.clone(), decl.name.span);
                        }
                        m.guards.push(Guard { decl, origin });
                    }
                    Item::Test(decl) => {
                        if let Some(first) = test_names.get(&decl.name.node) {
                            m.redeclarations.push(Redeclaration {
                                what: "test",
                                name: decl.name.node.clone(),
                                first: *first,
                                second: decl.name.span,
                                redefines_predefined: false,
                            });
                        } else {
                            test_names.insert(decl.name.node.clone(), decl.name.span);
                        }
                        m.tests.push(decl);
                    }
                }
            }
        }
        m.catalog = shared.unwrap_or_else(|| Arc::new(catalog));
        // Blocks are built in parallel (their rules are most of the work),
        // then registered in order: the first declaration of a name stands.
        let built: Vec<AccessLevel> = acl_decls
            .into_par_iter()
            .map(|(decl, origin)| AccessLevel::from_decl(decl, origin, syntax))
            .collect();
        for acl in built {
            m.add_acl(acl);
        }
        m.resolve();
        m
    }

    fn add_acl(&mut self, mut acl: AccessLevel) {
        if let Some(&first) = self.by_name.get(&acl.name) {
            let first = &self.acls[first.index()];
            self.redeclarations.push(Redeclaration {
                what: if first.is_component() {
                    "component"
                } else {
                    "access level"
                },
                name: acl.name,
                first: first.name_span,
                second: acl.name_span,
                redefines_predefined: first.origin == Origin::Predefined
                    && acl.origin == Origin::User,
            });
            return;
        }
        let id = AclId(self.acls.len() as u32);
        acl.id = id;
        self.by_name.insert(acl.name.clone(), id);
        self.acls.push(acl);
    }

    fn add_reseller(&mut self, name: Node<String>, origin: Origin) {
        if let Some(&i) = self.reseller_names.get(&name.node) {
            let first = &self.resellers[i];
            self.redeclarations.push(Redeclaration {
                what: "reseller",
                name: name.node.clone(),
                first: first.name.span,
                second: name.span,
                redefines_predefined: first.origin == Origin::Predefined && origin == Origin::User,
            });
            return;
        }
        self.reseller_names
            .insert(name.node.clone(), self.resellers.len());
        self.resellers.push(Reseller { name, origin });
    }

    fn resolve(&mut self) {
        let by_name = &self.by_name;
        for acl in &mut self.acls {
            for inc in &mut acl.includes {
                inc.target = by_name.get(&inc.name.node).copied();
            }
        }
        for d in &mut self.defaults {
            d.target = by_name.get(&d.decl.acl.node).copied();
        }
    }

    /// The access level or component with this id.
    pub fn acl(&self, id: AclId) -> &AccessLevel {
        &self.acls[id.index()]
    }

    /// Look up by name.
    pub fn lookup(&self, name: &str) -> Option<AclId> {
        self.by_name.get(name).copied()
    }

    /// Whether a reseller of this name is declared.
    pub fn has_reseller(&self, name: &str) -> bool {
        self.reseller_names.contains_key(name)
    }

    /// Every access level and component name (for "did you mean").
    pub fn acl_names(&self) -> impl Iterator<Item = &str> {
        self.acls.iter().map(|a| a.name.as_str())
    }

    /// Comments of a file.
    pub fn comments_of(&self, file: FileId) -> &[Comment] {
        self.comments
            .get(file.0 as usize)
            .map_or(&[], Vec::as_slice)
    }
}
