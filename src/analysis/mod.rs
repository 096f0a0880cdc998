//! Analysis: runs the lints over the model, applies suppressions and the
//! configured severities. The one entry point every front end calls is
//! [`analyze`].

pub mod incremental;
pub mod lints;
pub mod region;
pub mod semantics;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;
use rayon::prelude::*;

use crate::source::{FileId, SourceMap};
use crate::syntax::{self, ast::ParsedFile};

/// What a lint is set to in `aclc.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Off,
    /// Reported at this severity.
    On(Severity),
}

/// Options of an analysis.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Severity overrides by lint code.
    pub levels: HashMap<String, Level>,
    /// Give every finding about a region its whole region
    /// ([`Diagnostic::regions`]); messages name only a few parts of it.
    pub full_regions: bool,
}

/// The result of analyzing a policy set.
#[derive(Debug)]
pub struct Analysis {
    /// The semantic model (with its sources).
    pub model: Model,
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The exact rule analysis (regions of every access level's decisions).
    pub semantics: semantics::Semantics,
    /// How long each phase took, in order (`aclc check --timings`).
    pub timings: Vec<(&'static str, Duration)>,
    /// Findings a re-analysis of an edited version can take over (kept by
    /// [`analyze_parsed_reusing`] only).
    pub lint_cache: incremental::LintCache,
}

impl Analysis {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// The findings of a policy set and the model they point into: what
/// [`analyze`] gives without the exact analysis, which is freed as soon as
/// the lints that read it have run (`aclc check`).
#[derive(Debug)]
pub struct Findings {
    /// The semantic model (with its sources).
    pub model: Model,
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each phase took, in order (`aclc check --timings`).
    pub timings: Vec<(&'static str, Duration)>,
}

/// Parse every file of `sources`, in parallel (files are independent), in
/// source order.
pub fn parse_all(sources: &SourceMap) -> Vec<ParsedFile> {
    parse_all_sharing(sources, &syntax::Names::default())
}

/// [`parse_all`], pattern names shared with every file parsed with `names`.
pub fn parse_all_sharing(sources: &SourceMap, names: &syntax::Names) -> Vec<ParsedFile> {
    parse_each(sources, |id, text| {
        syntax::parse_file_sharing(id, text, names)
    })
}

/// Every file of `sources` read by `parse`, in parallel, in source order.
pub(crate) fn parse_each(
    sources: &SourceMap,
    parse: impl Fn(FileId, &str) -> ParsedFile + Sync,
) -> Vec<ParsedFile> {
    (0..sources.len())
        .into_par_iter()
        .map(|i| {
            let id = FileId(i as u32);
            parse(id, &sources.file(id).text)
        })
        .collect()
}

/// Analyze a policy set held in memory: parse, build the model, run every
/// lint, apply suppressions and configured severities. The model keeps no
/// statements as written ([`Model::build_without_syntax`]): the lints read
/// the rules and includes, and a one-shot analysis has no editor to serve.
pub fn analyze(sources: SourceMap, options: &Options) -> Analysis {
    analyze_once(sources, options, Keep::Semantics)
}

/// The findings of a policy set: [`analyze`] with the exact analysis
/// freed before the lints that read only the dead rules run (they report
/// the most findings: at the messy legacy million, 258,000 of 372,000),
/// so the findings and the summaries are not held at once.
pub fn findings(sources: SourceMap, options: &Options) -> Findings {
    let Analysis {
        model,
        diagnostics,
        timings,
        ..
    } = analyze_once(sources, options, Keep::Findings);
    Findings {
        model,
        diagnostics,
        timings,
    }
}

/// What an analysis keeps beyond its findings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The exact analysis, whole.
    Semantics,
    /// The exact analysis, whole, and what a re-analysis can take over.
    Reusable,
    /// The findings only: the exact analysis is released early.
    Findings,
}

/// A one-shot analysis ([`analyze`], [`findings`]).
fn analyze_once(sources: SourceMap, options: &Options, keep: Keep) -> Analysis {
    let start = Instant::now();
    let names = syntax::Names::default();
    let parsed = parse_each(&sources, |id, text| {
        syntax::parse_rules_sharing(id, text, &names)
    });
    let parse = start.elapsed();
    let mut analysis = analyze_parsed_with(sources, parsed, options, None, false, keep, false);
    analysis.timings.insert(0, ("parse", parse));
    analysis
}

/// Analyze a policy set whose files are parsed already (one [`ParsedFile`]
/// per source, in source order), as a [`crate::workspace::Workspace`]
/// keeps them across edits.
pub fn analyze_parsed(sources: SourceMap, parsed: Vec<ParsedFile>, options: &Options) -> Analysis {
    analyze_parsed_with(sources, parsed, options, None, false, Keep::Semantics, true)
}

/// [`analyze_parsed`], reusing what it can of the analysis of an earlier
/// version of the same policy set (see [`semantics::Semantics::reusing`]);
/// the result is the same as without. `same_objects`: the files declare
/// the very objects they did for `previous` (written the same, at the same
/// places), so its catalog is shared and `parsed` may leave their
/// declarations out.
pub fn analyze_parsed_reusing(
    sources: SourceMap,
    parsed: Vec<ParsedFile>,
    options: &Options,
    previous: Option<&Analysis>,
    same_objects: bool,
) -> Analysis {
    analyze_parsed_with(
        sources,
        parsed,
        options,
        previous,
        same_objects,
        Keep::Reusable,
        true,
    )
}

/// The analysis, reusing what it can of `previous` (and sharing its
/// catalog when `same_objects`: [`analyze_parsed_reusing`]), keeping what
/// `keep` says; when `statements`, the model keeps the blocks' statements
/// as written.
fn analyze_parsed_with(
    sources: SourceMap,
    parsed: Vec<ParsedFile>,
    options: &Options,
    previous: Option<&Analysis>,
    same_objects: bool,
    keep: Keep,
    statements: bool,
) -> Analysis {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str| {
        let now = Instant::now();
        timings.push((name, now - clock));
        clock = now;
    };
    let catalog = previous.filter(|_| same_objects).map(|p| &p.model.catalog);
    let model = if let Some(catalog) = catalog {
        Model::build_sharing_catalog(sources, parsed, std::sync::Arc::clone(catalog))
    } else if statements {
        Model::build(sources, parsed)
    } else {
        Model::build_without_syntax(sources, parsed)
    };
    lap("model");
    let semantics = if keep == Keep::Findings && !options.full_regions && previous.is_none() {
        semantics::Semantics::for_findings(&model)
    } else {
        semantics::Semantics::reusing(&model, previous.map(|p| (&p.model, &p.semantics)))
    };
    let mut cx = lints::Context::new(&model, semantics);
    cx.full_regions = options.full_regions;
    lap("exact analysis");
    // Findings of blocks whose closure is as it was, over the same cells,
    // or that are written as they were, are the earlier analysis's.
    let mut kept = Vec::new();
    if let Some(p) = previous {
        let same_cells = p.semantics.universe == cx.semantics().universe;
        if let Some(k) = p
            .lint_cache
            .reusable(&model, &p.model, options.full_regions, same_cells)
        {
            cx.kept_guard = k.guards.then(|| k.closure.clone());
            cx.kept = Some(k.closure);
            cx.kept_block = Some(k.block);
            cx.kept_own = Some(k.own);
            kept = k.found;
        }
    }
    let (diagnostics, lint_cache) = run_lints_keeping(&mut cx, options, kept, keep);
    lap("lints");
    let semantics = cx.into_semantics();
    Analysis {
        model,
        diagnostics,
        semantics,
        timings,
        lint_cache,
    }
}

/// Run every registered lint.
pub fn run_lints(cx: &lints::Context<'_>, options: &Options) -> Vec<Diagnostic> {
    let found = run_some_lints(cx, |_| true);
    finish_lints(cx.model, options, found, Vec::new(), false, cx.full_regions).0
}

/// The findings of the registered lints `which` picks, in registry order
/// (`None` for the others); the lints run in parallel.
fn run_some_lints(
    cx: &lints::Context<'_>,
    which: impl Fn(&dyn lints::Lint) -> bool + Sync,
) -> Vec<Option<Vec<Diagnostic>>> {
    lints::ALL
        .par_iter()
        .map(|lint| {
            which(*lint).then(|| {
                let mut out = Vec::new();
                lint.check(cx, &mut out);
                out
            })
        })
        .collect()
}

/// [`run_lints`], with `kept`: findings taken over from an earlier
/// analysis (for the blocks the context's lints skip); also returns what
/// the next re-analysis can take over.
fn run_lints_keeping(
    cx: &mut lints::Context<'_>,
    options: &Options,
    kept: Vec<Diagnostic>,
    keep: Keep,
) -> (Vec<Diagnostic>, incremental::LintCache) {
    // Lints are independent: run them in parallel, keep registry order.
    let found = if keep == Keep::Findings {
        // The lints that read only the dead rules run once the rest of
        // the exact analysis is freed.
        let dead_rules_only = |l: &dyn lints::Lint| incremental::OWN_CODES.contains(&l.info().code);
        let mut found = run_some_lints(cx, |l| !dead_rules_only(l));
        cx.release_all_but_dead_rules();
        let last = run_some_lints(cx, dead_rules_only);
        for (f, l) in found.iter_mut().zip(last) {
            if l.is_some() {
                *f = l;
            }
        }
        found
    } else {
        run_some_lints(cx, |_| true)
    };
    finish_lints(
        cx.model,
        options,
        found,
        kept,
        keep == Keep::Reusable,
        cx.full_regions,
    )
}

/// The lints' findings (`found`, in registry order) and `kept` joined,
/// suppressed, set to their configured severities, sorted; and, when
/// `keep`, what a re-analysis can take over.
fn finish_lints(
    model: &Model,
    options: &Options,
    found: Vec<Option<Vec<Diagnostic>>>,
    kept: Vec<Diagnostic>,
    keep: bool,
    full_regions: bool,
) -> (Vec<Diagnostic>, incremental::LintCache) {
    // Joined at their final size: a vector grown by doubling would copy
    // hundreds of thousands of findings and hold room for as many more.
    let found: Vec<Vec<Diagnostic>> = found.into_iter().flatten().collect();
    let total = found.iter().map(Vec::len).sum::<usize>() + kept.len();
    let mut diags: Vec<Diagnostic> = Vec::with_capacity(total);
    for mut f in found {
        diags.append(&mut f);
    }
    diags.extend(kept);
    let cache = if keep {
        incremental::LintCache::of(&diags, full_regions)
    } else {
        incremental::LintCache::default()
    };
    let unused = lints::unused_ignore::apply_suppressions(model, &mut diags);
    diags.extend(unused);
    diags.retain_mut(|d| match options.levels.get(d.code) {
        Some(Level::Off) => false,
        Some(Level::On(s)) => {
            d.severity = *s;
            true
        }
        None => true,
    });
    sort_moving_once(&mut diags, |a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    (diags, cache)
}

/// Sort stably, as `slice::sort_by`, the order worked out on indexes and
/// then applied in place: the sort's buffer holds numbers, not the items
/// (findings: hundreds of thousands of them, 200 bytes each).
fn sort_moving_once<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| cmp(&items[a], &items[b]));
    // Position `i` takes the finding at `order[i]`: each cycle of the
    // permutation is followed once, a visited position marked as in place.
    for i in 0..order.len() {
        let mut j = i;
        while order[j] != j {
            let k = order[j];
            order[j] = j;
            if k == i {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort_moving_once;

    #[test]
    fn sorting_in_place_is_the_stable_sort() {
        // Pairs sorted by their first number: the second tells equal keys'
        // order apart.
        let mut seed = 7u64;
        for len in [0, 1, 2, 3, 10, 100, 1000] {
            let items: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 17, i)
                })
                .collect();
            let mut want = items.clone();
            want.sort_by_key(|a| a.0);
            let mut got = items;
            sort_moving_once(&mut got, |a, b| a.0.cmp(&b.0));
            assert_eq!(got, want, "{len} items");
        }
    }
}
