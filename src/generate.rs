//! A generator of realistic policy sets for benchmarks and scale tests.
//!
//! A catalog of telecom objects and attributes; thousands of components in
//! layers, each including a few components of the layers below (so include
//! graphs are deep and shared, as in a real library); access levels of
//! every participant type built from them, with own overrides, visibility
//! and descriptions; resellers, guards and tests; spread over a number of
//! files. Rules follow one consistent site policy (the same request gets the
//! same decision wherever it is written), with a sprinkling of deliberate
//! mistakes, so findings are as rare as in a maintained policy set. The
//! number of permission statements is exactly the number asked for.
//! Deterministic for a seed.

use std::fmt::Write as _;

use crate::syntax::ast::Participant;

/// A small deterministic PRNG (xorshift64*); statistical quality is
/// irrelevant here, reproducibility is not.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// Shape of a generated policy set.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// How many permission statements in access levels and components.
    pub permissions: usize,
    /// Number of `.acl` files (at least 2: the catalog has a file of its own).
    pub files: usize,
    /// Seed.
    pub seed: u64,
    /// What kind of policy set.
    pub kind: Kind,
}

/// The kinds of policy set the generator writes: the tidy library of a
/// maintained site, and the shapes real operators' sets also take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// A layered component library whose rules follow one site policy;
    /// an access level reaches about a hundred components; few findings.
    #[default]
    Tidy,
    /// A random include DAG: every component includes three components
    /// chosen at random among all later ones, so an access level reaches
    /// thousands; rules on random catalog entries with random effects.
    Wide,
    /// [`Kind::Wide`] with every rule `allow`.
    WideAllow,
    /// Long include chains: each component includes the next.
    Deep,
    /// A messy legacy set: random effects, a third of the rules with
    /// wildcards (`*`, `Prefix*`), a finding or more per permission.
    Legacy,
    /// A catalog of 5,000 objects of 40 attributes, rules spread over it.
    Catalog,
    /// 5,000 resellers; every access level names 200 of them in
    /// `visible_to`.
    Resellers,
    /// Long names of components (some 55 characters) and objects (50).
    LongNames,
}

impl Kind {
    /// Every kind, with the name `examples/generate` takes.
    pub const ALL: [(&'static str, Kind); 8] = [
        ("tidy", Kind::Tidy),
        ("wide", Kind::Wide),
        ("wide-allow", Kind::WideAllow),
        ("deep", Kind::Deep),
        ("legacy", Kind::Legacy),
        ("catalog", Kind::Catalog),
        ("resellers", Kind::Resellers),
        ("long-names", Kind::LongNames),
    ];

    /// The kind of a name of [`Kind::ALL`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    /// Its name in [`Kind::ALL`].
    pub fn name(self) -> &'static str {
        Kind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("tidy", |(n, _)| n)
    }
}

const NOUNS: [&str; 20] = [
    "Customers",
    "Accounts",
    "Invoices",
    "Payments",
    "Tariffs",
    "Rates",
    "Products",
    "Subscriptions",
    "Services",
    "Vendors",
    "Resellers",
    "Destinations",
    "Currencies",
    "Nodes",
    "CallHandling",
    "Reports",
    "Batches",
    "Tickets",
    "Numbers",
    "Discounts",
];

const ATTRIBUTES: [&str; 24] = [
    "id",
    "name",
    "status",
    "balance",
    "credit_limit",
    "billing_period",
    "currency",
    "created_at",
    "updated_at",
    "notes",
    "owner",
    "email",
    "phone",
    "address",
    "tax_id",
    "discount",
    "rate_plan",
    "valid_from",
    "valid_to",
    "priority",
    "limits",
    "quota",
    "usage",
    "history",
];

/// Catalog objects.
const OBJECTS: usize = 400;
/// Objects a component's rules are about (a band around its own).
const BAND: usize = 10;
/// Permission statements of a component, on average.
const RULES_PER_COMPONENT: usize = 150;
/// Own permission statements of an access level.
const RULES_PER_LEVEL: usize = 20;
/// Include depth of the component library.
const LAYERS: usize = 12;
/// How far (in positions of its layer) a component's includes may be from
/// its own position.
const NEIGHBOURHOOD: usize = 3;
/// One rule in this many of the top layer has its effect flipped against
/// the site policy: the occasional mistake a linter is there to catch.
const MISTAKES: usize = 5_000;

fn object(o: usize) -> String {
    format!("{}{}", NOUNS[o % NOUNS.len()], o / NOUNS.len())
}

/// The site policy: `delete` is always denied, and so is every access to
/// one attribute in nine; everything else is allowed.
fn policy_allows(o: usize, a: usize, delete: bool) -> bool {
    !delete && (o * 31 + a * 7) % 9 != 0
}

/// Generate a policy set: `(file name, text)` pairs.
pub fn policy_set(shape: Shape) -> Vec<(String, String)> {
    if shape.kind != Kind::Tidy {
        return messy::policy_set(shape);
    }
    let mut rng = Rng(shape.seed.max(1));
    let files = shape.files.max(2);
    let mut out: Vec<String> = vec![String::new(); files];
    catalog(&mut out[0]);
    let levels = (shape.permissions / 10 / RULES_PER_LEVEL).max(1);
    let level_rules = levels * RULES_PER_LEVEL;
    let component_rules = shape.permissions.saturating_sub(level_rules);
    let components = component_rules.div_ceil(RULES_PER_COMPONENT).max(1);
    let per_layer = components.div_ceil(LAYERS);
    // Share out the component rules exactly: sizes vary around the average.
    let mut left = component_rules;
    for c in 0..components {
        let remaining = components - c;
        let n = if remaining == 1 {
            left
        } else {
            let avg = left / remaining;
            avg * 2 / 3 + rng.below(avg * 2 / 3 + 1)
        };
        // What a component cannot hold goes to the access levels.
        let n = n.min(left).min(BAND * ATTRIBUTES.len());
        left -= n;
        let file = &mut out[1 + c % (files - 1)];
        component(file, &mut rng, c, n, components, per_layer);
    }
    // Access levels of every participant type take the rest.
    let mut left = shape.permissions - (component_rules - left);
    for l in 0..levels {
        let n = if l + 1 == levels {
            left
        } else {
            RULES_PER_LEVEL.min(left)
        };
        left -= n;
        let file = &mut out[1 + l % (files - 1)];
        access_level(file, &mut rng, l, n, per_layer.min(components));
    }
    finish(out)
}

/// End a generated set: a guard and a test in its last file, and the
/// files named in order (`generated-00.acl` holds the catalog).
fn finish(mut out: Vec<String>) -> Vec<(String, String)> {
    if let Some(last) = out.last_mut() {
        let _ = writeln!(
            last,
            "guard \"no self-care user reaches the secret\" {{\n    for customer, account\n    deny all Secret.*\n}}\n"
        );
        let _ = writeln!(
            last,
            "test \"level 0 has no secret\" {{\n    expect \"Level 0\" deny all Secret.key\n}}"
        );
    }
    out.into_iter()
        .enumerate()
        .map(|(i, text)| (format!("generated-{i:02}.acl"), text))
        .collect()
}

fn catalog(out: &mut String) {
    let _ = writeln!(out, "## The generated catalog.");
    for o in 0..OBJECTS {
        let _ = writeln!(out, "object {} {{ {} }}", object(o), ATTRIBUTES.join(", "));
    }
    let _ = writeln!(out, "object Secret {{ key }}\n");
    for r in 0..10 {
        let _ = writeln!(out, "reseller \"Reseller {r}\"");
    }
}

/// Component `c` with `n` permission statements, including a few
/// components of the next layers down.
fn component(
    out: &mut String,
    rng: &mut Rng,
    c: usize,
    n: usize,
    components: usize,
    per_layer: usize,
) {
    let layer = c / per_layer;
    let band = c % OBJECTS;
    let _ = writeln!(out, "## Generated component {c} (layer {layer}).");
    let _ = writeln!(out, "component \"Component {c}\" {{");
    let _ = writeln!(out, "    group \"Layer {layer}\"");
    // Distinct (object, attribute) pairs of the band, in random order.
    let mut pairs: Vec<(usize, usize)> = (0..BAND * ATTRIBUTES.len())
        .map(|i| {
            (
                (band + i / ATTRIBUTES.len()) % OBJECTS,
                i % ATTRIBUTES.len(),
            )
        })
        .collect();
    for i in (1..pairs.len()).rev() {
        pairs.swap(i, rng.below(i + 1));
    }
    // Libraries end a component with a catch-all now and then.
    let catch_all = n > 1 && rng.chance(100);
    let specific = if catch_all { n - 1 } else { n };
    for &(o, a) in pairs.iter().take(specific) {
        let name = object(o);
        let attr = ATTRIBUTES[a];
        let mistake = layer == 0 && rng.below(MISTAKES) == 0;
        let allow = policy_allows(o, a, false) != mistake;
        let effect = if allow { "allow" } else { "deny" };
        let access = match (allow, rng.below(6)) {
            (false, 0) => "all",
            (_, 0 | 1) => "read",
            (_, 2) => "update",
            (_, 3) => "insert",
            _ => "read, update",
        };
        let _ = writeln!(out, "    {effect} {access} {name}.{attr}");
    }
    if catch_all {
        let _ = writeln!(out, "    deny delete {}.*", object(band));
    }
    if layer + 1 < LAYERS {
        // A few components of the next layers, near this one's position in
        // its layer: neighbours share what they include (a diamond-rich
        // graph), and an access level reaches dozens of components, not the
        // whole library.
        let position = c % per_layer;
        let mut incs = Vec::new();
        let count = 2 + rng.below(2);
        for _ in 0..count {
            let near = (position + rng.below(NEIGHBOURHOOD)) % per_layer;
            let target = ((layer + 1) * per_layer + near).min(components - 1);
            if target > c && !incs.contains(&target) {
                incs.push(target);
            }
        }
        for t in incs {
            let _ = writeln!(out, "    include \"Component {t}\"");
        }
    }
    let _ = writeln!(out, "}}\n");
}

/// Access level `l` with `n` own permission statements and three
/// components of the top layer.
fn access_level(out: &mut String, rng: &mut Rng, l: usize, n: usize, top: usize) {
    let ty = Participant::ALL[l % Participant::ALL.len()];
    let _ = writeln!(out, "access_level \"Level {l}\" for {} {{", ty.as_str());
    let _ = writeln!(
        out,
        "    description \"Generated {} access level {l}\"",
        ty.as_str()
    );
    if matches!(
        ty,
        Participant::Customer
            | Participant::Account
            | Participant::Representative
            | Participant::CcStaff
    ) {
        let _ = writeln!(
            out,
            "    visible_to \"Reseller {}\", \"Reseller {}\"",
            l % 10,
            (l + 3) % 10
        );
    }
    if l % 50 == 7 {
        let _ = writeln!(out, "    hidden");
    }
    // Own overrides: specific pages hidden from this level.
    let mut seen = Vec::with_capacity(n);
    while seen.len() < n {
        let pair = (rng.below(OBJECTS), rng.below(ATTRIBUTES.len()));
        if seen.contains(&pair) {
            continue;
        }
        seen.push(pair);
        let _ = writeln!(
            out,
            "    deny update {}.{}",
            object(pair.0),
            ATTRIBUTES[pair.1]
        );
    }
    let mut incs: Vec<usize> = Vec::new();
    while incs.len() < 3.min(top) {
        let t = rng.below(top);
        if !incs.contains(&t) {
            incs.push(t);
        }
    }
    for t in incs {
        let _ = writeln!(out, "    include \"Component {t}\"");
    }
    let _ = writeln!(out, "}}\n");
}

mod messy;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_exactly_the_permissions_asked_for() {
        for permissions in [1, 150, 10_000, 33_333] {
            for (_, kind) in Kind::ALL {
                let set = policy_set(Shape {
                    permissions,
                    files: 5,
                    seed: 3,
                    kind,
                });
                let mut sources = crate::source::SourceMap::new();
                for (name, text) in &set {
                    sources.add(name.clone(), text.clone(), crate::source::Origin::User);
                }
                let analysis = crate::analysis::analyze(sources, &Default::default());
                let count: usize = analysis.model.acls.iter().map(|a| a.rules.len()).sum();
                assert_eq!(count, permissions, "{kind:?}");
                // Wildcards reach the guarded secret: those sets violate
                // the guard.
                let wildcards = matches!(kind, Kind::Legacy | Kind::Catalog);
                assert!(
                    wildcards || !analysis.has_errors(),
                    "{kind:?}: {:?}",
                    analysis.diagnostics.first()
                );
                assert_eq!(set.len(), 5);
            }
        }
    }

    /// The findings of every shape are the same on one thread as on many.
    #[test]
    fn findings_do_not_depend_on_the_number_of_threads() {
        for (_, kind) in Kind::ALL {
            let set = policy_set(Shape {
                permissions: 4_000,
                files: 4,
                seed: 11,
                kind,
            });
            let analyze = |threads: usize| {
                let mut sources = crate::source::SourceMap::new();
                for (name, text) in &set {
                    sources.add(name.clone(), text.clone(), crate::source::Origin::User);
                }
                let run = || crate::analysis::analyze(sources, &Default::default());
                match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                    Ok(pool) => pool.install(run).diagnostics,
                    Err(_) => Vec::new(),
                }
            };
            let (one, many) = (analyze(1), analyze(4));
            assert!(
                kind != Kind::Legacy || !one.is_empty(),
                "a legacy set has findings"
            );
            assert_eq!(one, many, "{kind:?}");
        }
    }
}
