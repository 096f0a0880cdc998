//! A policy set kept in memory across edits: what the language server and
//! watch mode hold. Every file's parse is kept, so an edit re-parses only
//! the file that changed before the whole set is re-analyzed with the same
//! [`analyze_parsed`] that `aclc check` runs.

use std::sync::Arc;

use crate::analysis::{analyze_parsed, parse_all, Analysis, Options};
use crate::source::{FileId, Origin, SourceMap};
use crate::syntax::{self, ast::ParsedFile};

/// A policy set with its files parsed.
#[derive(Clone, Debug)]
pub struct Workspace {
    sources: SourceMap,
    parsed: Vec<ParsedFile>,
    options: Options,
}

impl Workspace {
    /// Parse every file of `sources` (in parallel).
    pub fn new(sources: SourceMap, options: Options) -> Workspace {
        let parsed = parse_all(&sources);
        Workspace {
            sources,
            parsed,
            options,
        }
    }

    /// The files.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Set the text of the user file at `path` (added if it is new) and
    /// re-parse that file alone; returns its id.
    pub fn set_text(&mut self, path: &str, text: impl Into<Arc<str>>) -> FileId {
        let text = text.into();
        let id = match self.sources.find(path) {
            Some(id) => {
                self.sources.set_text(id, text);
                id
            }
            None => self.sources.add(path, text, Origin::User),
        };
        let parsed = syntax::parse_file(id, &self.sources.file(id).text);
        match self.parsed.get_mut(id.0 as usize) {
            Some(slot) => *slot = parsed,
            None => self.parsed.push(parsed),
        }
        id
    }

    /// Analyze the policy set as it is now.
    pub fn analyze(&self) -> Analysis {
        analyze_parsed(self.sources.clone(), self.parsed.clone(), &self.options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    /// Whatever the edits, a workspace's analysis is the one a fresh
    /// analysis of the same texts gives.
    #[test]
    fn an_edited_workspace_analyzes_like_a_fresh_one() {
        let a = "component \"A\" {\n    allow read X.y\n    allow read X.y\n}\n";
        let b = "access_level \"B\" for customer {\n    include \"A\"\n}\n";
        let mut sources = SourceMap::new();
        sources.add("a.acl", a, Origin::User);
        sources.add("b.acl", b, Origin::User);
        let mut ws = Workspace::new(sources, Options::default());
        let edited = "access_level \"B\" for customer {\n    include \"Z\"\n}\n";
        ws.set_text("b.acl", edited);
        ws.set_text("c.acl", "component \"Z\" {\n    deny read X.*\n}\n");
        let mut fresh = SourceMap::new();
        fresh.add("a.acl", a, Origin::User);
        fresh.add("b.acl", edited, Origin::User);
        fresh.add(
            "c.acl",
            "component \"Z\" {\n    deny read X.*\n}\n",
            Origin::User,
        );
        let codes = |an: &Analysis| -> Vec<(String, u32)> {
            an.diagnostics
                .iter()
                .map(|d| (d.code.to_string(), d.span.start))
                .collect()
        };
        let incremental = ws.analyze();
        let expected = analyze(fresh, &Options::default());
        assert_eq!(incremental.diagnostics, expected.diagnostics);
        assert_eq!(
            codes(&incremental),
            [
                ("unused-component".to_string(), 10),
                ("redundant-rule".to_string(), 39),
                ("empty-access-level".to_string(), 0)
            ]
        );
    }
}
