//! Fuzz the whole pipeline the way `aclc check` and `aclc build` run it: the
//! embedded predefined library plus one user file made of the input, every
//! lint, every renderer, and (without errors) the compiled table, which must
//! load back into the runtime decider. Nothing may panic; the JSON and SARIF
//! renderings and the table must be valid JSON.

#![no_main]

use aclc::analysis::{analyze, Options};
use aclc::config::Predefined;
use aclc::load::load_predefined;
use aclc::render;
use aclc::source::Origin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(mut sources) = load_predefined(&Predefined::Embedded) else {
        panic!("the embedded predefined library does not load");
    };
    sources.add("fuzz.acl", text.as_ref(), Origin::User);
    let analysis = analyze(sources, &Options::default());
    let sources = &analysis.model.sources;
    let diags = &analysis.diagnostics;

    let _ = render::terminal::render(sources, diags, true);
    let _ = render::terminal::render(sources, diags, false);
    let _ = render::github::render(sources, diags);
    for json in [
        render::json::render(sources, diags),
        render::sarif::render(sources, diags),
    ] {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
            panic!("a renderer wrote invalid JSON ({e}):\n{json}");
        }
    }

    // `aclc test` runs the test blocks only when the policy set has no errors.
    if !analysis.has_errors() {
        let _ = aclc::testing::run(&analysis);
        let _ = aclc::testing::coverage(&analysis);
        let table = aclc::emit::json::compile(&analysis.model, &analysis.semantics);
        let json = aclc::emit::json::document_json(&table);
        if let Err(e) = aclc::runtime::Table::from_json(&json) {
            panic!("the compiled table does not load back: {e}\n{json}");
        }
    }
});
