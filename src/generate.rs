//! A generator of realistic policy sets for benchmarks and scale tests:
//! a catalog, thousands of components in layers (each including a few of
//! the layer below, so include graphs are deep and shared), access levels
//! of every participant type built from them, resellers, defaults, guards
//! and tests, spread over a number of files. Deterministic for a seed.

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

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Shape of a generated policy set.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// About how many permissions in all.
    pub permissions: usize,
    /// Number of `.acl` files.
    pub files: usize,
    /// Seed.
    pub seed: u64,
}

const OBJECTS: usize = 400;
const ATTRIBUTES: usize = 24;
const RULES_PER_COMPONENT: usize = 150;
const INCLUDES_PER_COMPONENT: usize = 3;
const LAYERS: usize = 12;

/// Generate a policy set: `(file name, text)` pairs.
pub fn policy_set(shape: Shape) -> Vec<(String, String)> {
    let mut rng = Rng(shape.seed.max(1));
    let files = shape.files.max(1);
    let mut out: Vec<String> = vec![String::new(); files];
    // Catalog.
    for o in 0..OBJECTS {
        let attrs: Vec<String> = (0..ATTRIBUTES).map(|a| format!("attr{a}")).collect();
        let _ = writeln!(out[0], "object Obj{o} {{ {} }}", attrs.join(", "));
    }
    let _ = writeln!(out[0], "object Secret {{ key }}");
    for r in 0..10 {
        let _ = writeln!(out[0], "reseller \"Reseller {r}\"");
    }
    let components = (shape.permissions * 9 / 10 / RULES_PER_COMPONENT).max(LAYERS);
    let per_layer = components.div_ceil(LAYERS);
    let levels = (shape.permissions / 10 / 20).max(1);
    // Components: layer 0 is the top; each includes components of deeper
    // layers. A component owns a band of objects, so contradictions and
    // shadowing stay as rare as in a real library.
    for c in 0..components {
        let file = &mut out[1 % files + c % (files.max(2) - 1).max(1)];
        let layer = c / per_layer;
        let _ = writeln!(file, "## Generated component {c} (layer {layer}).");
        let _ = writeln!(file, "component \"Component {c}\" {{");
        let _ = writeln!(file, "    group \"Layer {layer}\"");
        let band = c % OBJECTS;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..RULES_PER_COMPONENT {
            let o = (band + rng.below(8)) % OBJECTS;
            let a = rng.below(ATTRIBUTES);
            let access =
                ["read", "update", "insert", "delete", "read, update", "all"][rng.below(6)];
            if !seen.insert((o, a)) {
                continue;
            }
            let effect = if rng.chance(85) { "allow" } else { "deny" };
            let _ = writeln!(file, "    {effect} {access} Obj{o}.attr{a}");
        }
        if rng.chance(10) {
            // A catch-all after the specific rules, as libraries write them.
            let _ = writeln!(file, "    allow read Obj{band}.*");
        }
        if layer + 1 < LAYERS {
            let mut incs = Vec::new();
            for _ in 0..INCLUDES_PER_COMPONENT {
                let next = (layer + 1 + rng.below(2)).min(LAYERS - 1);
                let target = (next * per_layer + rng.below(per_layer)).min(components - 1);
                if target > c && !incs.contains(&target) {
                    incs.push(target);
                }
            }
            for t in incs {
                let _ = writeln!(file, "    include \"Component {t}\"");
            }
        }
        let _ = writeln!(file, "}}\n");
    }
    // Access levels of every participant type.
    for l in 0..levels {
        let file = &mut out[1 % files + l % (files.max(2) - 1).max(1)];
        let ty = Participant::ALL[l % Participant::ALL.len()];
        let _ = writeln!(file, "access_level \"Level {l}\" for {} {{", ty.as_str());
        if matches!(
            ty,
            Participant::Customer
                | Participant::Account
                | Participant::Representative
                | Participant::CcStaff
        ) {
            let _ = writeln!(file, "    visible_to \"Reseller {}\"", l % 10);
        }
        for _ in 0..20 {
            let o = rng.below(OBJECTS);
            let a = rng.below(ATTRIBUTES);
            let _ = writeln!(file, "    deny update Obj{o}.attr{a}");
        }
        for _ in 0..3 {
            let _ = writeln!(
                file,
                "    include \"Component {}\"",
                rng.below(per_layer.min(components))
            );
        }
        let _ = writeln!(file, "}}\n");
    }
    let last = files - 1;
    let _ = writeln!(
        out[last],
        "guard \"no self-care user reaches the secret\" {{\n    for customer, account\n    deny all Secret.*\n}}\n"
    );
    let _ = writeln!(
        out[last],
        "test \"level 0 has no secret\" {{\n    expect \"Level 0\" deny all Secret.key\n}}"
    );
    out.into_iter()
        .enumerate()
        .map(|(i, text)| (format!("generated-{i:02}.acl"), text))
        .collect()
}
