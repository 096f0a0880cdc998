//! The generator's untidy shapes (every [`Kind`] but [`Kind::Tidy`]): the
//! policy sets a linter meets when an operator adopts it on years of
//! unreviewed changes. Same building blocks as the tidy set (a catalog,
//! components, access levels of every participant type, resellers, a guard
//! and a test), but random include graphs, random effects, wildcards, huge
//! catalogs, long reseller lists and long names.

use std::fmt::Write as _;

use super::{Kind, Rng, Shape, ATTRIBUTES, NOUNS};
use crate::syntax::ast::Participant;

/// How components include each other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Graph {
    /// Three components chosen at random among all later ones.
    Random,
    /// The next component (a chain as long as the library).
    Chain,
    /// Two or three components of the next of twelve layers, near the
    /// component's own position (closures of about a hundred).
    Layered,
}

/// The parameters of one kind.
struct Params {
    objects: usize,
    attributes: usize,
    rules_per_component: usize,
    /// Rules with a wildcard (`*` or `Prefix*`), per mille.
    wildcards: u64,
    /// Every rule `allow` (else effects are random).
    all_allow: bool,
    graph: Graph,
    resellers: usize,
    /// Resellers named in each `visible_to`.
    visible: usize,
    /// Long names of components and objects.
    long_names: bool,
}

impl Params {
    fn of(kind: Kind) -> Params {
        let base = Params {
            objects: 400,
            attributes: ATTRIBUTES.len(),
            rules_per_component: 40,
            wildcards: 0,
            all_allow: false,
            graph: Graph::Random,
            resellers: 10,
            visible: 2,
            long_names: false,
        };
        match kind {
            Kind::Tidy | Kind::Wide => base,
            Kind::WideAllow => Params {
                all_allow: true,
                ..base
            },
            Kind::Deep => Params {
                graph: Graph::Chain,
                ..base
            },
            Kind::Legacy => Params {
                wildcards: 333,
                ..base
            },
            Kind::Catalog => Params {
                objects: 5_000,
                attributes: 40,
                wildcards: 20,
                graph: Graph::Layered,
                ..base
            },
            Kind::Resellers => Params {
                graph: Graph::Layered,
                resellers: 5_000,
                visible: 200,
                ..base
            },
            Kind::LongNames => Params {
                graph: Graph::Layered,
                long_names: true,
                ..base
            },
        }
    }
}

/// Own permission statements of an access level.
const RULES_PER_LEVEL: usize = 20;
/// Layers of a [`Graph::Layered`] library.
const LAYERS: usize = 12;
/// What makes a long name long.
const FILLER: &str = "regional_wholesale_billing_department";

struct Writer {
    p: Params,
    rng: Rng,
}

impl Writer {
    fn object(&self, o: usize) -> String {
        let base = format!("{}{}", NOUNS[o % NOUNS.len()], o / NOUNS.len());
        if self.p.long_names {
            format!("{base}_{FILLER}")
        } else {
            base
        }
    }

    fn attribute(&self, a: usize) -> String {
        match a / ATTRIBUTES.len() {
            0 => ATTRIBUTES[a].to_string(),
            n => format!("{}_{n}", ATTRIBUTES[a % ATTRIBUTES.len()]),
        }
    }

    fn component_name(&self, c: usize) -> String {
        if self.p.long_names {
            format!("Component {c} {}", FILLER.replace('_', " "))
        } else {
            format!("Component {c}")
        }
    }

    /// An `Object.attribute` target about objects near `near` (or anywhere,
    /// when `None`), with a wildcard now and then.
    fn target(&mut self, near: Option<usize>) -> String {
        let o = match near {
            Some(n) => (n + self.rng.below(10)) % self.p.objects,
            None => self.rng.below(self.p.objects),
        };
        let a = self.rng.below(self.p.attributes);
        let object = self.object(o);
        let attribute = self.attribute(a);
        if !self.rng.chance(self.p.wildcards) {
            return format!("{object}.{attribute}");
        }
        // A prefix of the object's noun and number (`Customers1*`), or of
        // the attribute (`bal*`).
        let noun = NOUNS[o % NOUNS.len()];
        let object_prefix = format!("{noun}{}*", (o / NOUNS.len()) % 10);
        let attribute_prefix = format!("{}*", &ATTRIBUTES[a % ATTRIBUTES.len()][..2]);
        match self.rng.below(12) {
            0 => "*.*".to_string(),
            1 | 2 => format!("{object_prefix}.*"),
            3..=5 => format!("{object}.*"),
            6 | 7 => format!("*.{attribute}"),
            8 | 9 => format!("{object}.{attribute_prefix}"),
            _ => format!("{object_prefix}.{attribute}"),
        }
    }

    fn access(&mut self) -> &'static str {
        ["read", "update", "insert", "delete", "read, update", "all"][self.rng.below(6)]
    }

    fn effect(&mut self) -> &'static str {
        if self.p.all_allow || self.rng.chance(500) {
            "allow"
        } else {
            "deny"
        }
    }

    fn catalog(&self, out: &mut String) {
        let _ = writeln!(out, "## The generated catalog.");
        let attributes: Vec<String> = (0..self.p.attributes).map(|a| self.attribute(a)).collect();
        let attributes = attributes.join(", ");
        for o in 0..self.p.objects {
            let _ = writeln!(out, "object {} {{ {attributes} }}", self.object(o));
        }
        let _ = writeln!(out, "object Secret {{ key }}\n");
        for r in 0..self.p.resellers {
            let _ = writeln!(out, "reseller \"Reseller {r}\"");
        }
    }

    /// Component `c` of `components`, with `n` permission statements.
    fn component(&mut self, out: &mut String, c: usize, n: usize, components: usize) {
        let name = self.component_name(c);
        let _ = writeln!(out, "## Generated component {c}.\ncomponent \"{name}\" {{");
        let near = (self.p.graph == Graph::Layered).then_some(c % self.p.objects);
        for _ in 0..n {
            let (effect, access, target) = (self.effect(), self.access(), self.target(near));
            let _ = writeln!(out, "    {effect} {access} {target}");
        }
        let later = components - c - 1;
        let mut incs: Vec<usize> = Vec::new();
        match self.p.graph {
            Graph::Random => {
                for _ in 0..3.min(later) {
                    let t = c + 1 + self.rng.below(later);
                    if !incs.contains(&t) {
                        incs.push(t);
                    }
                }
            }
            Graph::Chain => incs.extend((later > 0).then_some(c + 1)),
            Graph::Layered => {
                let per_layer = components.div_ceil(LAYERS).max(1);
                let layer = c / per_layer;
                if layer + 1 < LAYERS {
                    for _ in 0..2 + self.rng.below(2) {
                        let near = (c % per_layer + self.rng.below(3)) % per_layer;
                        let t = ((layer + 1) * per_layer + near).min(components - 1);
                        if t > c && !incs.contains(&t) {
                            incs.push(t);
                        }
                    }
                }
            }
        }
        for t in incs {
            let _ = writeln!(out, "    include \"{}\"", self.component_name(t));
        }
        let _ = writeln!(out, "}}\n");
    }

    /// Access level `l` with `n` own permissions, including components
    /// among the first `top`.
    fn access_level(&mut self, out: &mut String, l: usize, n: usize, top: usize) {
        let ty = Participant::ALL[l % Participant::ALL.len()];
        let _ = writeln!(out, "access_level \"Level {l}\" for {} {{", ty.as_str());
        if matches!(
            ty,
            Participant::Customer
                | Participant::Account
                | Participant::Representative
                | Participant::CcStaff
        ) {
            let mut names: Vec<usize> = Vec::new();
            while names.len() < self.p.visible.min(self.p.resellers) {
                let r = self.rng.below(self.p.resellers);
                if !names.contains(&r) {
                    names.push(r);
                }
            }
            let names: Vec<String> = names.iter().map(|r| format!("\"Reseller {r}\"")).collect();
            let _ = writeln!(out, "    visible_to {}", names.join(", "));
        }
        for _ in 0..n {
            let (effect, access, target) = (self.effect(), self.access(), self.target(None));
            let _ = writeln!(out, "    {effect} {access} {target}");
        }
        let mut incs: Vec<usize> = Vec::new();
        while incs.len() < 3.min(top) {
            let t = self.rng.below(top);
            if !incs.contains(&t) {
                incs.push(t);
            }
        }
        for t in incs {
            let _ = writeln!(out, "    include \"{}\"", self.component_name(t));
        }
        let _ = writeln!(out, "}}\n");
    }
}

/// Generate a policy set of an untidy kind.
pub(super) fn policy_set(shape: Shape) -> Vec<(String, String)> {
    let mut w = Writer {
        p: Params::of(shape.kind),
        rng: Rng(shape.seed.max(1)),
    };
    let files = shape.files.max(2);
    let mut out: Vec<String> = vec![String::new(); files];
    w.catalog(&mut out[0]);
    let levels = (shape.permissions / 10 / RULES_PER_LEVEL).max(1);
    let level_rules = (levels * RULES_PER_LEVEL).min(shape.permissions);
    let component_rules = shape.permissions - level_rules;
    let per = w.p.rules_per_component;
    let components = component_rules.div_ceil(per).max(1);
    for c in 0..components {
        let n = per.min(component_rules.saturating_sub(c * per));
        w.component(&mut out[1 + c % (files - 1)], c, n, components);
    }
    // Access levels reach the library from its first tenth (a chain from
    // anywhere in it), so a random graph is reached almost whole.
    let top = match w.p.graph {
        Graph::Chain => components,
        Graph::Random | Graph::Layered => components.div_ceil(10),
    };
    let mut left = level_rules;
    for l in 0..levels {
        let n = if l + 1 == levels {
            left
        } else {
            RULES_PER_LEVEL.min(left)
        };
        left -= n;
        w.access_level(&mut out[1 + l % (files - 1)], l, n, top);
    }
    super::finish(out)
}
