//! The include graph: strongly connected components (iterative Tarjan) and a
//! shortest cycle through each, so a 50,000-deep include chain never recurses.

use std::collections::VecDeque;

use super::{AclId, Model};

/// One include cycle: each step is (access level, index of the include in it
/// that leads to the next step); the last step leads back to the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The steps, starting at the first-declared member.
    pub steps: Vec<(AclId, usize)>,
}

impl Model {
    /// Every include cycle, one per strongly connected component that has one.
    pub fn include_cycles(&self) -> Vec<Cycle> {
        let n = self.acls.len();
        let mut cycles = Vec::new();
        for comp in self.strongly_connected() {
            let first = comp.iter().copied().min().unwrap_or(AclId(0));
            let cyclic = comp.len() > 1
                || self
                    .acl(first)
                    .includes
                    .iter()
                    .any(|i| i.target == Some(first));
            if !cyclic {
                continue;
            }
            let mut in_comp = vec![false; n];
            for c in &comp {
                in_comp[c.0 as usize] = true;
            }
            if let Some(steps) = self.shortest_cycle(first, &in_comp) {
                cycles.push(Cycle { steps });
            }
        }
        cycles.sort_by_key(|c| c.steps.first().map(|s| s.0));
        cycles
    }

    /// BFS from `start` inside the component back to `start`.
    fn shortest_cycle(&self, start: AclId, in_comp: &[bool]) -> Option<Vec<(AclId, usize)>> {
        let n = self.acls.len();
        // pred[v] = (u, include index in u) on a shortest path start → v.
        let mut pred: Vec<Option<(AclId, usize)>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::from([start]);
        seen[start.0 as usize] = true;
        while let Some(u) = queue.pop_front() {
            for (k, inc) in self.acl(u).includes.iter().enumerate() {
                let Some(v) = inc.target else { continue };
                if !in_comp[v.0 as usize] {
                    continue;
                }
                if v == start {
                    let mut steps = vec![(u, k)];
                    let mut cur = u;
                    while cur != start {
                        let (p, pk) = pred[cur.0 as usize]?;
                        steps.push((p, pk));
                        cur = p;
                    }
                    steps.reverse();
                    return Some(steps);
                }
                if !seen[v.0 as usize] {
                    seen[v.0 as usize] = true;
                    pred[v.0 as usize] = Some((u, k));
                    queue.push_back(v);
                }
            }
        }
        None
    }

    /// Strongly connected components of the include graph (iterative Tarjan).
    pub fn strongly_connected(&self) -> Vec<Vec<AclId>> {
        strongly_connected(self.acls.len(), |v, pos| {
            self.acls[v as usize]
                .includes
                .get(pos)
                .map(|i| i.target.map(|t| t.0))
        })
        .into_iter()
        .map(|comp| comp.into_iter().map(AclId).collect())
        .collect()
    }
}

/// Strongly connected components of a graph of `n` nodes (iterative
/// Tarjan), each emitted after every component it reaches. `successor(v,
/// pos)` is node `v`'s edge at position `pos`: `None` past the last,
/// `Some(None)` for an edge that leads nowhere (an unresolved include).
pub(crate) fn strongly_connected(
    n: usize,
    successor: impl Fn(u32, usize) -> Option<Option<u32>>,
) -> Vec<Vec<u32>> {
    const UNVISITED: u32 = u32::MAX;
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    let mut next_index = 0u32;
    // Call stack of (node, next edge position).
    let mut calls: Vec<(u32, usize)> = Vec::new();
    for root in 0..n as u32 {
        if index[root as usize] != UNVISITED {
            continue;
        }
        calls.push((root, 0));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut pos)) = calls.last_mut() {
            if let Some(target) = successor(v, *pos) {
                *pos += 1;
                let Some(w) = target else { continue };
                if index[w as usize] == UNVISITED {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    calls.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}
