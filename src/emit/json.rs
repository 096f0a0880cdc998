//! `acl.json`: the compiled policy set, format version 2 (DESIGN §6):
//! each block once with its own permissions, and per access level the
//! evaluation order of the blocks that decide something for it.

use rayon::prelude::*;

use crate::analysis::region::Chunked;
use crate::analysis::semantics::Semantics;
use crate::model::{AccessLevel, AclId, Model, Scope};
use crate::runtime::{Block, DefaultAccessLevel, Document, Match, Permission, FORMAT_VERSION};
use crate::source::Origin;
use crate::syntax::ast::Pattern;

/// The file `build --emit json` writes.
pub const FILE_NAME: &str = "acl.json";

/// How a pattern matches, and its text (the name, the prefix without its
/// `*`, or `*`).
pub fn pattern_match(p: &Pattern) -> (Match, &str) {
    match p {
        Pattern::Any => (Match::Any, "*"),
        Pattern::Prefix(t) => (Match::Prefix, t),
        Pattern::Exact(t) => (Match::Exact, t),
    }
}

/// What [`order_of`] needs of every block, computed once per analysis: the
/// non-zero words of each block's own decided cells (a block's own cells are
/// few, but spread over the universe: scanning only its non-zero words makes
/// the common test, "does this block decide anything new", a few word
/// operations).
pub struct OrderIndex<'a> {
    model: &'a Model,
    semantics: &'a Semantics,
    /// Per block: the range of its words in `words`.
    starts: Vec<u32>,
    /// (word index, bits) of every block's own decided cells, block after
    /// block.
    words: Vec<(u32, u64)>,
    /// One past the highest word index of any own set or summary.
    span: u32,
    /// Per block: the range of its include targets in `targets`.
    include_starts: Vec<u32>,
    /// Every block's resolved include targets, in order, block after block
    /// (compact: the walk reads these, not the model's blocks).
    targets: Vec<AclId>,
}

impl<'a> OrderIndex<'a> {
    /// Index the blocks of an analysis.
    pub fn new(model: &'a Model, semantics: &'a Semantics) -> OrderIndex<'a> {
        let mut starts = Vec::with_capacity(model.acls.len() + 1);
        let mut words = Vec::new();
        let mut span = 0u32;
        for acl in &model.acls {
            starts.push(words.len() as u32);
            match semantics.own[acl.id.0 as usize].decided() {
                Some(own) => words.extend(own.nonzero_words()),
                None => words.extend(semantics.own_summary(model, acl.id).decided.nonzero_words()),
            }
            span = span.max(words.last().map_or(0, |&(w, _)| w + 1));
            if let Some((_, end)) = semantics.kept(acl.id).decided.words_span() {
                span = span.max(end);
            }
        }
        starts.push(words.len() as u32);
        let mut include_starts = Vec::with_capacity(model.acls.len() + 1);
        let mut targets = Vec::new();
        for acl in &model.acls {
            include_starts.push(targets.len() as u32);
            targets.extend(acl.includes.iter().filter_map(|i| i.target));
        }
        include_starts.push(targets.len() as u32);
        OrderIndex {
            model,
            semantics,
            starts,
            words,
            span,
            include_starts,
            targets,
        }
    }

    fn includes(&self, b: AclId) -> &[AclId] {
        let i = b.0 as usize;
        match (self.include_starts.get(i), self.include_starts.get(i + 1)) {
            (Some(&s), Some(&e)) => self.targets.get(s as usize..e as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    fn own(&self, b: AclId) -> &[(u32, u64)] {
        let i = b.0 as usize;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&s), Some(&e)) => self.words.get(s as usize..e as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Scratch space for [`order_of`], reusable across roots.
    pub fn scratch(&self) -> OrderScratch {
        OrderScratch {
            seen: vec![u32::MAX; self.model.acls.len()],
            decided: vec![0; self.span as usize],
            touched: Vec::new(),
            stack: Vec::new(),
        }
    }
}

/// Scratch space of [`order_of`]: the blocks visited (stamped with the
/// root's id) and the cells decided so far, a dense bitset over the
/// universe's words, reset word by word after each root.
pub struct OrderScratch {
    seen: Vec<u32>,
    decided: Vec<u64>,
    /// Words of `decided` made non-zero since the last reset.
    touched: Vec<u32>,
    stack: Vec<AclId>,
}

impl OrderScratch {
    fn word(&self, w: u32) -> u64 {
        self.decided.get(w as usize).copied().unwrap_or(0)
    }

    /// Whether every cell of these words is decided.
    fn covers_words(&self, words: &[(u32, u64)]) -> bool {
        words.iter().all(|&(w, bits)| bits & !self.word(w) == 0)
    }

    /// Whether every cell of `set` is decided (one pass over its words).
    fn covers(&self, set: &Chunked) -> bool {
        // A word past the scratch's span is decided nowhere.
        set.nonzero_words().all(|(w, bits)| {
            self.decided
                .get(w as usize)
                .is_some_and(|&d| bits & !d == 0)
        })
    }

    fn add_words(&mut self, words: &[(u32, u64)]) {
        for &(w, bits) in words {
            if let Some(d) = self.decided.get_mut(w as usize) {
                if *d == 0 {
                    self.touched.push(w);
                }
                *d |= bits;
            }
        }
    }

    fn reset(&mut self) {
        for w in self.touched.drain(..) {
            if let Some(d) = self.decided.get_mut(w as usize) {
                *d = 0;
            }
        }
    }
}

/// The evaluation order of `root`: the blocks of its effective rule list
/// (DESIGN §1: itself, then its includes depth-first, each block once)
/// that decide at least one request for it, in that order.
///
/// Exact, from the analysis: a block decides something for `root` when
/// its own permissions decide a cell no block before it decides. An
/// include whose whole summary is decided already is skipped with
/// everything below it (whatever it reaches decides only cells of its
/// summary), so the walk visits the blocks that decide something and
/// their siblings, not every block `root` reaches. With an include cycle
/// (an error; summaries inside it are not composed) every reached block is
/// visited.
///
/// `scratch` ([`OrderIndex::scratch`]) is reusable across calls with
/// distinct roots.
pub fn order_of(index: &OrderIndex<'_>, root: AclId, scratch: &mut OrderScratch) -> Vec<AclId> {
    let semantics = index.semantics;
    let prune = semantics.reach.acyclic();
    let mut order = Vec::new();
    let stamp = root.0;
    scratch.reset();
    scratch.stack.clear();
    scratch.stack.push(root);
    while let Some(b) = scratch.stack.pop() {
        let Some(mark) = scratch.seen.get_mut(b.0 as usize) else {
            continue;
        };
        if *mark == stamp {
            continue;
        }
        *mark = stamp;
        // A block whose own permissions decide something is in the order;
        // else the whole include is skipped when its summary is decided
        // already (its own cells are few, its summary's many: the cheap
        // test first).
        let own = index.own(b);
        if !scratch.covers_words(own) {
            order.push(b);
            scratch.add_words(own);
        } else if prune && b != root && scratch.covers(&semantics.kept(b).decided) {
            continue;
        }
        for &t in index.includes(b).iter().rev() {
            if scratch.seen.get(t.0 as usize) != Some(&stamp) {
                scratch.stack.push(t);
            }
        }
    }
    scratch.reset();
    order
}

/// The evaluation order of every access level (`None` for components),
/// computed in parallel.
pub fn orders(model: &Model, semantics: &Semantics) -> Vec<Option<Vec<u32>>> {
    let index = OrderIndex::new(model, semantics);
    model
        .acls
        .par_iter()
        .map_init(
            || index.scratch(),
            |scratch, acl| {
                (!acl.is_component()).then(|| {
                    order_of(&index, acl.id, scratch)
                        .into_iter()
                        .map(|b| b.0)
                        .collect()
                })
            },
        )
        .collect()
}

/// The own permissions of a block, one entry per access type.
pub fn permissions(acl: &AccessLevel) -> Vec<Permission> {
    let mut out = Vec::with_capacity(acl.rules.len());
    for r in &acl.rules {
        let (object_match, object) = pattern_match(&r.object);
        let (attribute_match, attribute) = pattern_match(&r.attribute);
        for access in r.access.iter() {
            out.push(Permission {
                effect: r.effect,
                access,
                object_match,
                object: object.to_string(),
                attribute_match,
                attribute: attribute.to_string(),
            });
        }
    }
    out
}

/// One block of the table.
pub fn compile_block(acl: &AccessLevel, order: Option<Vec<u32>>) -> Block {
    Block {
        name: acl.name.clone(),
        kind: acl.kind.as_str().to_string(),
        predefined: acl.origin == Origin::Predefined,
        hidden: acl.hidden.is_some(),
        group: acl.group.as_ref().map(|g| g.node.clone()),
        subsystem: acl.subsystem.as_ref().map(|g| g.node.clone()),
        description: acl.description.as_ref().map(|g| g.node.clone()),
        visible_to: acl.visible_to.iter().map(|v| v.node.clone()).collect(),
        includes: acl.includes.iter().map(|i| i.name.node.clone()).collect(),
        permissions: permissions(acl),
        order,
    }
}

/// Every default of the policy set.
pub fn compile_defaults(model: &Model) -> Vec<DefaultAccessLevel> {
    model
        .defaults
        .iter()
        .map(|d| {
            let (scope, environment) = match &d.scope {
                Scope::Predefined => ("predefined", None),
                Scope::AllEnvironments => ("all", None),
                Scope::Environment(e) => ("environment", Some(e.clone())),
            };
            DefaultAccessLevel {
                scope: scope.to_string(),
                environment,
                kind: d.decl.ty.node.as_str().to_string(),
                access_level: d.decl.acl.node.clone(),
            }
        })
        .collect()
}

/// Every declared reseller.
pub fn compile_resellers(model: &Model) -> Vec<String> {
    model
        .resellers
        .iter()
        .map(|r| r.name.node.clone())
        .collect()
}

/// Compile the whole policy set in memory.
pub fn compile(model: &Model, semantics: &Semantics) -> Document {
    let orders = orders(model, semantics);
    Document {
        version: FORMAT_VERSION,
        blocks: model
            .acls
            .iter()
            .zip(orders)
            .map(|(a, o)| compile_block(a, o))
            .collect(),
        defaults: compile_defaults(model),
        resellers: compile_resellers(model),
    }
}

/// The table of one block (as `aclc show --format json` prints it): the
/// block with its evaluation order (computed for a component too), and the
/// blocks of that order, each once, the order's indexes referring to this
/// document's `blocks`; no defaults, no resellers. Loads with
/// [`crate::runtime::Table::from_json`] to decide for that block. Also
/// returns the blocks of the document, in its order.
pub fn compile_one(model: &Model, semantics: &Semantics, id: AclId) -> (Document, Vec<AclId>) {
    let index = OrderIndex::new(model, semantics);
    let order = order_of(&index, id, &mut index.scratch());
    // The block itself first, then the others of its order.
    let mut members = vec![id];
    members.extend(order.iter().copied().filter(|&b| b != id));
    let position = |b: AclId| members.iter().position(|&m| m == b).unwrap_or(0) as u32;
    let indexes: Vec<u32> = order.iter().map(|&b| position(b)).collect();
    let blocks = members
        .iter()
        .enumerate()
        .map(|(k, &b)| compile_block(model.acl(b), (k == 0).then(|| indexes.clone())))
        .collect();
    let doc = Document {
        version: FORMAT_VERSION,
        blocks,
        defaults: Vec::new(),
        resellers: Vec::new(),
    };
    (doc, members)
}

/// Serialize as pretty JSON with a final newline (deterministic).
pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    s.push('\n');
    s
}

/// Blocks compiled and serialized per batch, in parallel.
const BATCH: usize = 64;

/// Write a table: compact JSON, one block per line (small, and a changed
/// block is a changed line in a diff), with a final newline.
pub fn write_document(
    doc: &Document,
    out: &mut (impl std::io::Write + ?Sized),
) -> std::io::Result<()> {
    write_framed(
        out,
        doc.version,
        doc.blocks.len(),
        |range| {
            doc.blocks[range]
                .iter()
                .map(|b| serde_json::to_vec(b).map_err(std::io::Error::other))
                .collect()
        },
        &doc.defaults,
        &doc.resellers,
    )
}

/// [`write_document`] as a string.
pub fn document_json(doc: &Document) -> String {
    let mut out = Vec::new();
    // Writing to a Vec fails only on a serialization error, which these
    // types cannot raise.
    let _ = write_document(doc, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_framed(
    out: &mut (impl std::io::Write + ?Sized),
    version: u32,
    blocks: usize,
    batch: impl Fn(std::ops::Range<usize>) -> std::io::Result<Vec<Vec<u8>>> + Sync,
    defaults: &[DefaultAccessLevel],
    resellers: &[String],
) -> std::io::Result<()> {
    write!(out, "{{\"version\":{version},\n\"blocks\":[")?;
    let starts: Vec<usize> = (0..blocks).step_by(BATCH).collect();
    let mut first = true;
    // Serialize a few batches in parallel, then write them in order.
    for group in starts.chunks(rayon::current_num_threads().max(1) * 2) {
        let done: Vec<std::io::Result<Vec<Vec<u8>>>> = group
            .par_iter()
            .map(|&s| batch(s..(s + BATCH).min(blocks)))
            .collect();
        for lines in done {
            for line in lines? {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                first = false;
                out.write_all(&line)?;
            }
        }
    }
    out.write_all(if first { b"],\n" } else { b"\n],\n" })?;
    out.write_all(b"\"defaults\":")?;
    serde_json::to_writer(&mut *out, defaults)?;
    out.write_all(b",\n\"resellers\":")?;
    serde_json::to_writer(&mut *out, resellers)?;
    out.write_all(b"}\n")
}

/// Write `acl.json` for an analyzed policy set: the bytes of
/// [`write_document`] of [`compile`], compiled a batch of blocks at a time
/// (in parallel), so the whole document is never held in memory.
pub fn write(
    model: &Model,
    semantics: &Semantics,
    out: &mut (impl std::io::Write + ?Sized),
) -> std::io::Result<()> {
    write_with_orders(model, &orders(model, semantics), out)
}

/// [`write`] with the evaluation orders computed already ([`orders`]).
pub fn write_with_orders(
    model: &Model,
    orders: &[Option<Vec<u32>>],
    out: &mut (impl std::io::Write + ?Sized),
) -> std::io::Result<()> {
    write_framed(
        out,
        FORMAT_VERSION,
        model.acls.len(),
        |range| {
            range
                .map(|i| {
                    let block = compile_block(&model.acls[i], orders[i].clone());
                    serde_json::to_vec(&block).map_err(std::io::Error::other)
                })
                .collect()
        },
        &compile_defaults(model),
        &compile_resellers(model),
    )
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::*;
    use crate::analysis::{analyze, Options};
    use crate::config::Predefined;

    fn analyzed(text: &str) -> crate::analysis::Analysis {
        let mut sources = crate::load::load_predefined(&Predefined::Embedded).unwrap_or_default();
        sources.add("p.acl", text, Origin::User);
        analyze(sources, &Options::default())
    }

    #[test]
    fn streamed_output_is_the_compiled_table() {
        let a = analyzed(
            "component \"C\" {\n    allow read X.*\n}\naccess_level \"L\" for customer {\n    deny read X.y\n    include \"C\"\n}\n",
        );
        let mut streamed = Vec::new();
        write(&a.model, &a.semantics, &mut streamed).unwrap_or_default();
        let whole = document_json(&compile(&a.model, &a.semantics));
        assert!(whole.contains("\"L\""));
        assert_eq!(String::from_utf8_lossy(&streamed), whole);
        let back: Document = serde_json::from_str(&whole).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, compile(&a.model, &a.semantics));
    }

    #[test]
    fn order_keeps_only_blocks_that_decide_something() {
        let a = analyzed(
            "component \"A\" {\n    allow read X.y\n}\n\
             component \"B\" {\n    allow read X.*\n    include \"A\"\n}\n\
             component \"Empty\" {\n}\n\
             access_level \"L\" for customer {\n    deny read X.*\n    include \"B\", \"Empty\"\n}\n\
             access_level \"M\" for customer {\n    include \"A\", \"B\"\n}\n",
        );
        let m = &a.model;
        let names = |id: AclId| -> Vec<String> {
            let index = OrderIndex::new(m, &a.semantics);
            order_of(&index, id, &mut index.scratch())
                .into_iter()
                .map(|b| m.acl(b).name.clone())
                .collect()
        };
        let id = |n: &str| m.lookup(n).unwrap_or_else(|| panic!("{n}"));
        // L's own deny decides every read of X: B and A decide nothing.
        assert_eq!(names(id("L")), ["L"]);
        // M: A decides X.y first; B the other attributes of X; B's include
        // of A adds nothing (A was reached first).
        assert_eq!(names(id("M")), ["A", "B"]);
    }
}
