//! Go to definition, find references and rename, from the [`Index`] of the
//! latest analysis; document and workspace symbols.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    DocumentSymbol, Location, OneOf, Position, PrepareRenameResponse, Range, SymbolKind, TextEdit,
    Uri, WorkspaceEdit, WorkspaceSymbol,
};

use super::convert;
use super::library;
use super::symbols::{is_identifier, Index, Occurrence, Role};
use crate::analysis::Analysis;
use crate::source::{LineIndex, Origin, Span};
use crate::syntax::ast::{AclKind, Item};

/// The occurrence under the cursor.
pub fn occurrence_at<'i>(
    a: &Analysis,
    index: &'i Index,
    path: &str,
    pos: Position,
) -> Option<&'i Occurrence> {
    let sources = &a.model.sources;
    let file = sources.find(path)?;
    let at = convert::offset(sources, file, pos);
    index.at(file, at)
}

/// Where the name under the cursor is declared (the predefined library
/// too, as read-only copies).
pub fn definition(a: &Analysis, index: &Index, path: &str, pos: Position) -> Vec<Location> {
    let Some(o) = occurrence_at(a, index, path, pos) else {
        return Vec::new();
    };
    let sources = &a.model.sources;
    index
        .definitions(&a.model, &o.symbol)
        .into_iter()
        .filter_map(|s| library::location(sources, s))
        .collect()
}

/// Every place the name under the cursor is written (with its
/// declarations when `declarations`).
pub fn references(
    a: &Analysis,
    index: &Index,
    path: &str,
    pos: Position,
    declarations: bool,
) -> Vec<Location> {
    let Some(o) = occurrence_at(a, index, path, pos) else {
        return Vec::new();
    };
    let sources = &a.model.sources;
    index
        .occurrences(&o.symbol)
        .filter(|x| declarations || x.role != Role::Declaration)
        .filter_map(|x| library::location(sources, x.span))
        .collect()
}

/// The range of a name without its quotes.
fn inner(a: &Analysis, o: &Occurrence) -> Range {
    let span = if o.symbol.quoted() && o.span.len() >= 2 {
        Span::new(
            o.span.file,
            o.span.start as usize + 1,
            o.span.end as usize - 1,
        )
    } else {
        o.span
    };
    convert::range(&a.model.sources, span)
}

/// Why the name cannot be renamed, if it cannot.
fn refusal(a: &Analysis, index: &Index, o: &Occurrence) -> Option<String> {
    let name = o.symbol.name();
    let what = o.symbol.what();
    if index.is_predefined(&a.model, &o.symbol) {
        return Some(format!(
            "`{name}` is predefined ({what} of the platform's library): it cannot be renamed"
        ));
    }
    if index.definitions(&a.model, &o.symbol).is_empty() {
        return Some(format!(
            "`{name}` is not declared ({what}): declare it first, or correct the name here"
        ));
    }
    None
}

/// `prepareRename`: the name under the cursor, or why it cannot be renamed.
pub fn prepare_rename(
    a: &Analysis,
    index: &Index,
    path: &str,
    pos: Position,
) -> Result<Option<PrepareRenameResponse>, String> {
    let Some(o) = occurrence_at(a, index, path, pos) else {
        return Ok(None);
    };
    if let Some(why) = refusal(a, index, o) {
        return Err(why);
    }
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: inner(a, o),
        placeholder: o.symbol.name().to_string(),
    }))
}

/// Rename the name under the cursor in every file, or say why not.
pub fn rename(
    a: &Analysis,
    index: &Index,
    path: &str,
    pos: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(o) = occurrence_at(a, index, path, pos) else {
        return Ok(None);
    };
    if let Some(why) = refusal(a, index, o) {
        return Err(why);
    }
    let what = o.symbol.what();
    if new_name.is_empty() || new_name.contains(['\n', '\r']) {
        return Err(format!(
            "`{new_name}` cannot name {what}: a name is one line, not empty"
        ));
    }
    if !o.symbol.quoted() && !is_identifier(new_name) {
        return Err(format!(
            "`{new_name}` cannot name {what}: write letters, digits and `_`, starting with a letter or `_`"
        ));
    }
    let renamed = o.symbol.renamed(new_name);
    if renamed != o.symbol && !index.definitions(&a.model, &renamed).is_empty() {
        return Err(format!(
            "`{new_name}` is declared already ({what}): renaming would merge the two"
        ));
    }
    let text = if o.symbol.quoted() {
        crate::syntax::quote(new_name)
    } else {
        new_name.to_string()
    };
    let sources = &a.model.sources;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for x in index.occurrences(&o.symbol) {
        let file = sources.file(x.span.file);
        let Some(uri) = super::state::uri_of(&file.path) else {
            continue;
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(convert::range(sources, x.span), text.clone()));
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }))
}

/// The symbol kind shown for a declaration.
fn kind_of(kind: AclKind) -> SymbolKind {
    match kind {
        AclKind::Component => SymbolKind::MODULE,
        AclKind::Participant(_) => SymbolKind::CLASS,
    }
}

#[allow(deprecated, reason = "the `deprecated` field must be written")]
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    selection: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() { "\"\"".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

/// The outline of a text (parsed as it is now, syntax errors and all).
pub fn document_symbols(text: &str) -> Vec<DocumentSymbol> {
    let file = crate::source::FileId(0);
    let lines = LineIndex::new(text);
    let range = |s: Span| {
        let (sl, sc) = lines.utf16_position(text, s.start);
        let (el, ec) = lines.utf16_position(text, s.end);
        Range::new(Position::new(sl, sc), Position::new(el, ec))
    };
    let mut out = Vec::new();
    for item in crate::syntax::parse_file(file, text).items {
        match item {
            Item::Acl(d) => {
                let children = d
                    .statements
                    .iter()
                    .filter_map(|s| match s {
                        crate::syntax::ast::Statement::Permission(p) => Some(symbol(
                            crate::model::Rule::from_stmt(p).display(),
                            None,
                            SymbolKind::FIELD,
                            range(p.span),
                            range(p.span),
                            Vec::new(),
                        )),
                        crate::syntax::ast::Statement::Include { names, span } => {
                            let list: Vec<&str> = names.iter().map(|n| n.node.as_str()).collect();
                            Some(symbol(
                                format!("include {}", list.join(", ")),
                                None,
                                SymbolKind::PACKAGE,
                                range(*span),
                                range(*span),
                                Vec::new(),
                            ))
                        }
                        _ => None,
                    })
                    .collect();
                out.push(symbol(
                    d.name.node.clone(),
                    Some(d.kind.node.as_str().to_string()),
                    kind_of(d.kind.node),
                    range(d.span),
                    range(d.name.span),
                    children,
                ));
            }
            Item::Reseller(n) => out.push(symbol(
                n.node.clone(),
                Some("reseller".into()),
                SymbolKind::CONSTANT,
                range(n.span),
                range(n.span),
                Vec::new(),
            )),
            Item::Object(o) => {
                let children = o
                    .attributes
                    .iter()
                    .map(|a| {
                        symbol(
                            a.node.clone(),
                            None,
                            SymbolKind::PROPERTY,
                            range(a.span),
                            range(a.span),
                            Vec::new(),
                        )
                    })
                    .collect();
                out.push(symbol(
                    o.name.node.clone(),
                    Some("object".into()),
                    SymbolKind::STRUCT,
                    range(o.span),
                    range(o.name.span),
                    children,
                ));
            }
            Item::Default(d) => out.push(symbol(
                format!("default {}", d.ty.node.as_str()),
                Some(d.acl.node.clone()),
                SymbolKind::VARIABLE,
                range(d.span),
                range(d.ty.span),
                Vec::new(),
            )),
            Item::Environment(e) => {
                let children = e
                    .defaults
                    .iter()
                    .map(|d| {
                        symbol(
                            format!("default {}", d.ty.node.as_str()),
                            Some(d.acl.node.clone()),
                            SymbolKind::VARIABLE,
                            range(d.span),
                            range(d.ty.span),
                            Vec::new(),
                        )
                    })
                    .collect();
                out.push(symbol(
                    e.name.node.clone(),
                    Some("environment".into()),
                    SymbolKind::NAMESPACE,
                    range(e.span),
                    range(e.name.span),
                    children,
                ));
            }
            Item::Guard(g) => out.push(symbol(
                g.name.node.clone(),
                Some("guard".into()),
                SymbolKind::INTERFACE,
                range(g.span),
                range(g.name.span),
                Vec::new(),
            )),
            Item::Test(t) => out.push(symbol(
                t.name.node.clone(),
                Some("test".into()),
                SymbolKind::METHOD,
                range(t.span),
                range(t.name.span),
                Vec::new(),
            )),
        }
    }
    out
}

/// How many workspace symbols one query returns at most.
const WORKSPACE_SYMBOLS: usize = 500;

/// A declaration of the policy set, as workspace symbols list it.
struct Declared<'m> {
    origin: Origin,
    name: &'m str,
    kind: SymbolKind,
    /// What it is (for the user's declarations).
    detail: &'static str,
    span: Span,
}

/// Every declaration of the policy set: access levels and components,
/// resellers, catalog objects (where first declared), guards, tests.
fn declarations(model: &crate::model::Model) -> impl Iterator<Item = Declared<'_>> {
    let origin = |span: Span| model.sources.file(span.file).origin;
    let acls = model.acls.iter().map(|acl| Declared {
        origin: acl.origin,
        name: &acl.name,
        kind: kind_of(acl.kind),
        detail: acl.kind.as_str(),
        span: acl.name_span,
    });
    let resellers = model.resellers.iter().map(|r| Declared {
        origin: r.origin,
        name: &r.name.node,
        kind: SymbolKind::CONSTANT,
        detail: "reseller",
        span: r.name.span,
    });
    let objects = model.catalog.objects.iter().filter_map(move |(name, o)| {
        let span = *o.spans.first()?;
        Some(Declared {
            origin: origin(span),
            name,
            kind: SymbolKind::STRUCT,
            detail: "object",
            span,
        })
    });
    let guards = model.guards.iter().map(|g| Declared {
        origin: g.origin,
        name: &g.decl.name.node,
        kind: SymbolKind::INTERFACE,
        detail: "guard",
        span: g.decl.name.span,
    });
    let tests = model.tests.iter().map(move |t| Declared {
        origin: origin(t.name.span),
        name: &t.name.node,
        kind: SymbolKind::METHOD,
        detail: "test",
        span: t.name.span,
    });
    acls.chain(resellers)
        .chain(objects)
        .chain(guards)
        .chain(tests)
}

/// The declarations of the policy set whose name contains `query`
/// (case-insensitive), the user's first, then the predefined library's.
pub fn workspace_symbols(a: &Analysis, query: &str) -> Vec<WorkspaceSymbol> {
    let model = &a.model;
    let sources = &model.sources;
    let q = query.to_lowercase();
    let hit = |name: &str| q.is_empty() || name.to_lowercase().contains(&q);
    let mut found: Vec<Declared<'_>> = declarations(model).filter(|d| hit(d.name)).collect();
    // The user's declarations first, each group by name.
    found.sort_by(|x, y| {
        (x.origin != Origin::User, x.name, x.span.file, x.span.start).cmp(&(
            y.origin != Origin::User,
            y.name,
            y.span.file,
            y.span.start,
        ))
    });
    found
        .into_iter()
        .take(WORKSPACE_SYMBOLS)
        .filter_map(|d| {
            let location = library::location(sources, d.span)?;
            let container = match d.origin {
                Origin::Predefined => "predefined",
                Origin::User => d.detail,
            };
            Some(WorkspaceSymbol {
                name: d.name.to_string(),
                kind: d.kind,
                tags: None,
                container_name: Some(container.to_string()),
                location: OneOf::Left(location),
                data: None,
            })
        })
        .collect()
}
