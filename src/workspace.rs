//! A policy set kept in memory across edits: what the language server and
//! watch mode hold. Every file's parse is kept, so an edit re-parses only
//! the file that changed before the whole set is re-analyzed by the same
//! engine `aclc check` runs ([`analyze_parsed_reusing`], which reuses the
//! latest analysis where nothing changed: the own-permission analysis of
//! unchanged blocks, and the composition of blocks whose include closure
//! is unchanged, the cells when their targets are the same, the
//! `contradiction` and `dead-include` findings of blocks whose closure is
//! written as it was, and the catalog lints' findings of blocks written as
//! they were: [`crate::analysis::incremental`]; and the catalog itself
//! while no edit changes or moves an object declaration).
//! `tests/workspace_prop.rs` checks random edits against fresh analyses.

use std::sync::Arc;

use crate::analysis::{analyze_parsed_reusing, parse_all, Analysis, Options};
use crate::source::{FileId, Origin, SourceMap};
use crate::syntax::{
    self,
    ast::{Item, ObjectDecl, ParsedFile},
};

/// A policy set with its files parsed, and its latest analysis.
#[derive(Clone, Debug)]
pub struct Workspace {
    sources: SourceMap,
    parsed: Vec<ParsedFile>,
    options: Options,
    latest: Option<Arc<Analysis>>,
    /// Whether an edit since the latest analysis changed the object
    /// declarations (else its catalog is shared).
    objects_changed: bool,
}

impl Workspace {
    /// Parse every file of `sources` (in parallel).
    pub fn new(sources: SourceMap, options: Options) -> Workspace {
        let parsed = parse_all(&sources);
        Workspace {
            sources,
            parsed,
            options,
            latest: None,
            objects_changed: true,
        }
    }

    /// The files.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Set the text of the user file at `path` (added if it is new) and
    /// re-parse that file alone; returns its id.
    pub fn set_text(&mut self, path: &str, text: impl Into<Arc<str>>) -> FileId {
        self.set_text_parsed(path, text, None)
    }

    /// The id the file at `path` has, or would get if added now.
    pub fn file_id(&self, path: &str) -> FileId {
        self.sources
            .find(path)
            .unwrap_or(FileId(self.sources.len() as u32))
    }

    /// [`Workspace::set_text`] with the text parsed already (by
    /// [`syntax::parse_file`] with the id [`Workspace::file_id`] gave, as
    /// the language server does while it waits for more edits); the parse
    /// is used only if that id is still the file's, else the text is parsed
    /// again.
    pub fn set_text_parsed(
        &mut self,
        path: &str,
        text: impl Into<Arc<str>>,
        parsed: Option<(FileId, ParsedFile)>,
    ) -> FileId {
        let text = text.into();
        let id = match self.sources.find(path) {
            Some(id) => {
                self.sources.set_text(id, text);
                id
            }
            None => self.sources.add(path, text, Origin::User),
        };
        let parsed = match parsed {
            Some((at, parsed)) if at == id => parsed,
            _ => syntax::parse_file(id, &self.sources.file(id).text),
        };
        match self.parsed.get_mut(id.0 as usize) {
            Some(slot) => {
                self.objects_changed |= !objects(slot).eq(objects(&parsed));
                *slot = parsed;
            }
            None => {
                self.objects_changed |= objects(&parsed).next().is_some();
                self.parsed.push(parsed);
            }
        }
        id
    }

    /// Analyze the policy set as it is now. The analysis of blocks whose
    /// permissions did not change since the latest analysis is reused; the
    /// result is exactly a fresh analysis's.
    pub fn analyze(&mut self) -> Arc<Analysis> {
        let same_objects = self.latest.is_some() && !self.objects_changed;
        let parsed = if same_objects {
            // The model shares the latest catalog: the object declarations
            // (thousands, over a big catalog) are not copied for it.
            self.parsed
                .iter()
                .map(|f| ParsedFile {
                    items: f
                        .items
                        .iter()
                        .filter(|i| !matches!(i, Item::Object(_)))
                        .cloned()
                        .collect(),
                    comments: f.comments.clone(),
                    errors: f.errors.clone(),
                })
                .collect()
        } else {
            self.parsed.clone()
        };
        let analysis = Arc::new(analyze_parsed_reusing(
            self.sources.clone(),
            parsed,
            &self.options,
            self.latest.as_deref(),
            same_objects,
        ));
        self.objects_changed = false;
        if let Some(old) = self.latest.replace(Arc::clone(&analysis)) {
            // Freeing a large analysis takes a while; nobody waits for it.
            rayon::spawn(move || drop(old));
        }
        analysis
    }
}

/// The object declarations of a parsed file.
fn objects(file: &ParsedFile) -> impl Iterator<Item = &ObjectDecl> {
    file.items.iter().filter_map(|i| match i {
        Item::Object(o) => Some(o),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::generate::{policy_set, Shape};

    /// The user files `texts` (path, text).
    fn sources(texts: &[(String, String)]) -> SourceMap {
        let mut s = SourceMap::new();
        for (name, text) in texts {
            s.add(name.clone(), text.clone(), Origin::User);
        }
        s
    }

    /// Edit file `file` of `texts` (its first `from` becomes `to`) in
    /// `texts` and in `ws`; the workspace's re-analysis, and a fresh
    /// analysis of the same texts.
    fn edit(
        ws: &mut Workspace,
        texts: &mut [(String, String)],
        (file, from, to): (usize, &str, &str),
    ) -> (Arc<Analysis>, Analysis) {
        let text = texts[file].1.replacen(from, to, 1);
        assert_ne!(text, texts[file].1, "the edit {from:?} applies");
        texts[file].1 = text.clone();
        ws.set_text(&texts[file].0, text);
        (ws.analyze(), analyze(sources(texts), &Options::default()))
    }

    /// The catalog is shared while no edit touches an object declaration
    /// (or moves one), and built again, as a fresh analysis builds it,
    /// when one does.
    #[test]
    fn the_catalog_is_shared_while_the_objects_stay_as_declared() {
        let mut texts = vec![
            (
                "a.acl".to_string(),
                "component \"C\" {\n    allow read A.x\n}\n\nobject A { x, y }\n".to_string(),
            ),
            (
                "b.acl".to_string(),
                "access_level \"L\" for user {\n    deny read A.y\n    include \"C\"\n}\n"
                    .to_string(),
            ),
        ];
        let mut ws = Workspace::new(sources(&texts), Options::default());
        let mut latest = ws.analyze();
        // Each edit, and whether the catalog stays shared.
        let edits: [(usize, &str, &str, bool); 5] = [
            (1, "deny read A.y", "deny read A.z", true),
            // Before the object: its declaration moves.
            (
                0,
                "allow read A.x",
                "allow read A.x\n    allow read A.y",
                false,
            ),
            (0, "allow read A.x\n", "", false),
            (0, "{ x, y }", "{ x, z }", false),
            (1, "deny read A.z", "allow read A.z", true),
        ];
        for (file, from, to, shared) in edits {
            let (reused, fresh) = edit(&mut ws, &mut texts, (file, from, to));
            assert_eq!(
                Arc::ptr_eq(&reused.model.catalog, &latest.model.catalog),
                shared,
                "after {to:?}"
            );
            assert_eq!(reused.model.catalog, fresh.model.catalog, "after {to:?}");
            assert_eq!(reused.diagnostics, fresh.diagnostics, "after {to:?}");
            latest = reused;
        }
    }

    /// Whatever the edits, a workspace's analysis (reusing the previous
    /// one) is the one a fresh analysis of the same texts gives.
    #[test]
    fn an_edited_workspace_analyzes_like_a_fresh_one() {
        let mut texts: Vec<(String, String)> = policy_set(Shape {
            permissions: 3_000,
            files: 4,
            seed: 7,
            kind: crate::generate::Kind::Tidy,
        });
        let mut ws = Workspace::new(sources(&texts), Options::default());
        ws.analyze();
        // Each edit: (file, text before, text after); the last ones change
        // the cells (a new object, a new attribute prefix).
        let edits: [(usize, &str, &str); 6] = [
            (1, "    allow ", "    deny "),
            (2, "    deny ", "    allow read Customers0.*\n    deny "),
            (3, "    include ", "    # include "),
            (1, "    deny ", "    allow "),
            (
                2,
                "    allow read ",
                "    allow read Brand.new\n    allow read ",
            ),
            (
                3,
                "    allow update ",
                "    deny update Customers1.bal*\n    allow update ",
            ),
        ];
        for (file, from, to) in edits {
            let (reused, fresh) = edit(&mut ws, &mut texts, (file, from, to));
            assert_eq!(reused.diagnostics, fresh.diagnostics, "after {to:?}");
            let own = |a: &Analysis| {
                let sem = &a.semantics;
                let each = a.model.acls.iter().map(|b| sem.own_summary(&a.model, b.id));
                each.map(|s| (s.decided.len(), s.allowed.len()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(own(&reused), own(&fresh));
            for (a, b) in reused
                .semantics
                .summaries
                .iter()
                .zip(&fresh.semantics.summaries)
            {
                assert_eq!((&a.decided, &a.allowed), (&b.decided, &b.allowed));
            }
        }
        // A new file is analyzed with the rest.
        ws.set_text(
            "new.acl",
            "component \"Z\" {\n    deny read X.*\n    deny read X.*\n}\n",
        );
        let codes: Vec<&str> = ws.analyze().diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"redundant-rule"), "{codes:?}");
    }
}
