//! The containment tree of a set of patterns of one field.
//!
//! Patterns of our language — `*`, prefix globs `P*` and exact names — are
//! pairwise nested or disjoint (laminar), so the patterns in use form a tree
//! by containment: `*` at the root, each prefix under the longest prefix
//! that contains it, each name under the longest prefix it starts with.
//! Each node stands for its *residual* class: the names it matches that no
//! more specific pattern in use matches. Names are arbitrary strings beyond
//! the patterns in use (the catalog is open), so no residual is empty:
//! `P` followed by a character no pattern continues with is always left.

use crate::syntax::ast::Pattern;

/// A node index in a [`PatternTree`]; nodes are numbered in preorder, so a
/// subtree is the index range `[node, end(node))`. The root (`*`) is 0.
pub type NodeId = u32;

/// The containment tree of a set of patterns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatternTree {
    /// Pattern of each node, in preorder; node 0 is `*`.
    patterns: Vec<Pattern>,
    /// Parent of each node (the root is its own parent).
    parent: Vec<NodeId>,
    /// One past the last node of each node's subtree.
    end: Vec<NodeId>,
}

/// Sort key of a non-root pattern: by text, and a prefix before the exact
/// name with the same text (it contains it). In this order every subtree is
/// contiguous, which is what makes the order a preorder.
fn key(p: &Pattern) -> (&str, u8) {
    match p {
        Pattern::Any => ("", 0),
        Pattern::Prefix(t) => (&**t, 1),
        Pattern::Exact(t) => (&**t, 2),
    }
}

impl PatternTree {
    /// The tree of `patterns` (duplicates and `*` are fine).
    pub fn new(patterns: impl IntoIterator<Item = Pattern>) -> PatternTree {
        let mut sorted: Vec<Pattern> = patterns
            .into_iter()
            .filter(|p| !matches!(p, Pattern::Any))
            .collect();
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
        sorted.dedup();
        let n = sorted.len() + 1;
        let mut tree = PatternTree {
            patterns: Vec::with_capacity(n),
            parent: Vec::with_capacity(n),
            end: vec![n as NodeId; n],
        };
        tree.patterns.push(Pattern::Any);
        tree.parent.push(0);
        // Open prefixes, innermost last: the ancestors of the next node.
        let mut open: Vec<NodeId> = Vec::new();
        for p in sorted {
            let id = tree.patterns.len() as NodeId;
            let text = p.text();
            while let Some(&top) = open.last() {
                if text.starts_with(tree.patterns[top as usize].text()) {
                    break;
                }
                tree.end[top as usize] = id;
                open.pop();
            }
            tree.parent.push(open.last().copied().unwrap_or(0));
            let is_prefix = matches!(p, Pattern::Prefix(_));
            tree.patterns.push(p);
            if is_prefix {
                open.push(id);
            } else {
                tree.end[id as usize] = id + 1;
            }
        }
        tree
    }

    /// Number of nodes (classes).
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Always false: the root is always there.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The pattern of a node.
    pub fn pattern(&self, node: NodeId) -> &Pattern {
        &self.patterns[node as usize]
    }

    /// The parent of a node (`None` for the root).
    pub fn parent(&self, node: NodeId) -> Option<NodeId> {
        (node != 0).then(|| self.parent[node as usize])
    }

    /// One past the last node of the subtree of `node`.
    pub fn end(&self, node: NodeId) -> NodeId {
        self.end[node as usize]
    }

    /// The node of a pattern in use.
    pub fn find(&self, pattern: &Pattern) -> Option<NodeId> {
        if matches!(pattern, Pattern::Any) {
            return Some(0);
        }
        let k = key(pattern);
        self.patterns[1..]
            .binary_search_by(|p| key(p).cmp(&k))
            .ok()
            .map(|i| i as NodeId + 1)
    }

    /// The node whose residual class holds `name`.
    pub fn class_of(&self, name: &str) -> NodeId {
        let mut node = 0;
        // Descend: among the children, the one matching `name` (at most one
        // does, the children being pairwise disjoint).
        loop {
            let mut child = node + 1;
            let end = self.end(node);
            let mut next = None;
            while child < end {
                if self.patterns[child as usize].matches(name) {
                    next = Some(child);
                    break;
                }
                child = self.end(child);
            }
            match next {
                Some(c) => node = c,
                None => return node,
            }
        }
    }

    /// The direct children of a node.
    pub fn children(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let end = self.end(node);
        let mut child = node + 1;
        std::iter::from_fn(move || {
            (child < end).then(|| {
                let c = child;
                child = self.end(c);
                c
            })
        })
    }

    /// The node and its ancestors, the node first.
    pub fn ancestors(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut cur = Some(node);
        std::iter::from_fn(move || {
            let n = cur?;
            cur = self.parent(n);
            Some(n)
        })
    }

    /// A name in the residual class of `node`: it matches the node's pattern
    /// and its ancestors', and no other pattern of the tree.
    pub fn representative(&self, node: NodeId) -> String {
        // No pattern in use continues a name with `~` (names in patterns are
        // identifiers), so `P~` is in the residual of `P*`, `~` in that of `*`.
        match self.pattern(node) {
            Pattern::Any => "~".to_string(),
            Pattern::Prefix(p) => format!("{p}~"),
            Pattern::Exact(n) => n.to_string(),
        }
    }
}

/// A pattern as written (`*`, `Name*`, `Name`), for the tests.
#[cfg(test)]
pub(super) fn p(s: &str) -> Pattern {
    if s == "*" {
        Pattern::Any
    } else if let Some(x) = s.strip_suffix('*') {
        Pattern::Prefix(x.into())
    } else {
        Pattern::Exact(s.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_preorder_containment_tree() {
        let t = PatternTree::new(["Foo", "Fo*", "Foo*", "Bar", "Foob*", "*", "Foo"].map(p));
        let shown: Vec<String> = (0..t.len() as NodeId)
            .map(|n| {
                format!(
                    "{}<{}:{}",
                    t.pattern(n),
                    t.parent(n)
                        .map_or("-".to_string(), |x| t.pattern(x).to_string()),
                    t.end(n)
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "*<-:6",
                "Bar<*:2",
                "Fo*<*:6",
                "Foo*<Fo*:6",
                "Foo<Foo*:5",
                "Foob*<Foo*:6"
            ]
        );
        assert_eq!(t.class_of("Foobar"), 5);
        assert_eq!(t.class_of("Foo"), 4);
        assert_eq!(t.class_of("Fox"), 2);
        assert_eq!(t.class_of("Baz"), 0);
        for n in 0..t.len() as NodeId {
            assert_eq!(t.class_of(&t.representative(n)), n);
        }
    }
}
