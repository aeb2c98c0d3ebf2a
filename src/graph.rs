//! The first-party import graph, built once per run from the edges the files contributed
//! ([`ProjectFacts::edges`]), and the searches the graph checks and commands share: the
//! shortest chains from one set of modules into another, strongly connected components and
//! the shortest cycle through a module. Every search is linear in the graph's size.
//!
//! Nodes are dense indices; parallel imports between two modules are one edge that keeps
//! the import count and the first import (by file and line) as its witness, which reports
//! show as `file:line`.

use crate::model::edge_flags;
use crate::project::{ImportEdge, ProjectFacts};
use rayon::slice::ParallelSliceMut;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Which imports make edges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EdgeFilter {
    /// Imports in test files.
    pub tests: bool,
    /// Imports inside `if TYPE_CHECKING:`.
    pub type_checking: bool,
    /// Imports inside functions.
    pub lazy: bool,
}

impl EdgeFilter {
    /// Whether an import with these [`edge_flags`] is an edge.
    pub fn keeps(self, flags: u8) -> bool {
        (self.tests || flags & edge_flags::TEST == 0)
            && (self.type_checking || flags & edge_flags::TYPE_CHECKING == 0)
            && (self.lazy || flags & edge_flags::LAZY == 0)
    }
}

/// One edge: `from` imports `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    /// Importing node.
    pub from: usize,
    /// Imported node.
    pub to: usize,
    /// How many imports make this edge.
    pub count: usize,
    /// The first of them (by file, then line).
    pub witness: ImportEdge,
}

/// A directed graph of named nodes (modules, packages or services).
#[derive(Debug, Default)]
pub struct Digraph {
    /// Node names, sorted.
    pub names: Vec<String>,
    /// Edges sorted by (from, to), one per pair.
    pub edges: Vec<GraphEdge>,
    /// `edges[out_start[n]..out_start[n + 1]]` leave node `n`.
    out_start: Vec<usize>,
    /// Edge indices sorted by (to, from); `in_start` delimits them per node.
    in_order: Vec<usize>,
    in_start: Vec<usize>,
}

/// A chain of edges, each ending where the next starts.
pub type Chain = Vec<usize>;

impl Digraph {
    /// The module graph of a run: every importable module that imports or is imported.
    pub fn modules(facts: &ProjectFacts, filter: EdgeFilter) -> Self {
        Self::grouped(facts, filter, |module| Some(module.to_string()))
    }

    /// The graph of the groups `group_of` puts modules in (packages, services); modules it
    /// puts in no group, and imports within one group, are left out.
    pub fn grouped(
        facts: &ProjectFacts,
        filter: EdgeFilter,
        group_of: impl Fn(&str) -> Option<String>,
    ) -> Self {
        Self::grouped_except(facts, filter, group_of, |_, _| false)
    }

    /// [`Digraph::grouped`] without the imports `exempt(importer, imported)` names (a
    /// rule's `ignore-imports`): they are no edge, so no chain or cycle passes through them.
    pub fn grouped_except(
        facts: &ProjectFacts,
        filter: EdgeFilter,
        group_of: impl Fn(&str) -> Option<String>,
        exempt: impl Fn(&str, &str) -> bool,
    ) -> Self {
        // Name the group of every module once; imports become pairs of provisional group
        // numbers.
        let mut group_by_id: FxHashMap<u32, Option<u32>> = FxHashMap::default();
        let mut names: Vec<String> = Vec::new();
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut node = |id: u32| -> Option<u32> {
            *group_by_id.entry(id).or_insert_with(|| {
                let name = group_of(facts.text(id))?;
                let next = index.len() as u32;
                Some(*index.entry(name.clone()).or_insert_with(|| {
                    names.push(name);
                    next
                }))
            })
        };
        let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
        for (position, edge) in facts.edges.iter().enumerate() {
            if !filter.keeps(edge.flags) || exempt(facts.text(edge.from), facts.text(edge.to)) {
                continue;
            }
            if let (Some(from), Some(to)) = (node(edge.from), node(edge.to)) {
                if from != to {
                    pairs.push((from, to, position as u32));
                }
            }
        }
        // Sorted names make the output independent of the order files were merged in.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_unstable_by(|a, b| names[*a].cmp(&names[*b]));
        let mut renumber = vec![0u32; names.len()];
        for (new, old) in order.iter().enumerate() {
            renumber[*old] = new as u32;
        }
        let names: Vec<String> = order.iter().map(|old| names[*old].clone()).collect();
        // One edge per pair (a sort, not a hash map: half the time on large graphs), with
        // the count of its imports and the first of them as its witness.
        for pair in &mut pairs {
            pair.0 = renumber[pair.0 as usize];
            pair.1 = renumber[pair.1 as usize];
        }
        pairs.par_sort_unstable();
        let witness_key = |edge: &ImportEdge| (facts.text(edge.path), edge.line, edge.column);
        let edges = pairs
            .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
            .map(|run| {
                let witness = run
                    .iter()
                    .map(|pair| facts.edges[pair.2 as usize])
                    .min_by(|a, b| witness_key(a).cmp(&witness_key(b)))
                    .expect("a run is never empty");
                GraphEdge {
                    from: run[0].0 as usize,
                    to: run[0].1 as usize,
                    count: run.len(),
                    witness,
                }
            })
            .collect();
        Self::from_parts(names, edges)
    }

    /// A graph of named nodes and edges (node indices into `names`, which must be sorted).
    pub fn from_parts(names: Vec<String>, mut edges: Vec<GraphEdge>) -> Self {
        edges.sort_by_key(|edge| (edge.from, edge.to));
        let count = names.len();
        let mut out_start = vec![0; count + 1];
        for edge in &edges {
            out_start[edge.from + 1] += 1;
        }
        for node in 0..count {
            out_start[node + 1] += out_start[node];
        }
        let mut in_start = vec![0; count + 1];
        for edge in &edges {
            in_start[edge.to + 1] += 1;
        }
        for node in 0..count {
            in_start[node + 1] += in_start[node];
        }
        // A counting sort by target: edges are in (from, to) order, so each node's incoming
        // edges come out in `from` order.
        let mut in_order = vec![0; edges.len()];
        let mut next_slot = in_start.clone();
        for (position, edge) in edges.iter().enumerate() {
            in_order[next_slot[edge.to]] = position;
            next_slot[edge.to] += 1;
        }
        Self {
            names,
            edges,
            out_start,
            in_order,
            in_start,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Indices of the edges leaving `node`.
    pub fn outgoing(&self, node: usize) -> std::ops::Range<usize> {
        self.out_start[node]..self.out_start[node + 1]
    }

    /// Indices of the edges entering `node`.
    pub fn incoming(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.in_order[self.in_start[node]..self.in_start[node + 1]]
            .iter()
            .copied()
    }

    /// Every route from a source into a target: for each edge leaving a source, into a
    /// target or into a node that `may_pass` from which a target can be reached, that edge
    /// followed by the shortest chain from there (through nodes that `may_pass`). One route
    /// per first import: a module importing two targets, or two modules that lead to one,
    /// gives two. Routes of fewer than `min_hops` edges are skipped. One reverse
    /// breadth-first search: linear in the size of the graph.
    pub fn routes_into(
        &self,
        is_source: &[bool],
        is_target: &[bool],
        may_pass: &[bool],
        min_hops: usize,
    ) -> Vec<Chain> {
        const UNSEEN: usize = usize::MAX;
        let mut distance = vec![UNSEEN; self.len()];
        let mut next_edge = vec![UNSEEN; self.len()];
        let mut queue = VecDeque::new();
        for node in 0..self.len() {
            if is_target[node] {
                distance[node] = 0;
                queue.push_back(node);
            }
        }
        while let Some(node) = queue.pop_front() {
            for edge in self.incoming(node) {
                let before = self.edges[edge].from;
                if distance[before] != UNSEEN || !may_pass[before] || is_target[before] {
                    continue;
                }
                distance[before] = distance[node] + 1;
                next_edge[before] = edge;
                queue.push_back(before);
            }
        }
        let mut routes = Vec::new();
        for source in (0..self.len()).filter(|node| is_source[*node] && !is_target[*node]) {
            for first in self.outgoing(source) {
                let to = self.edges[first].to;
                if distance[to] == UNSEEN || (!is_target[to] && !may_pass[to]) {
                    continue;
                }
                let mut chain = vec![first];
                let mut at = to;
                while !is_target[at] {
                    let edge = next_edge[at];
                    chain.push(edge);
                    at = self.edges[edge].to;
                }
                if chain.len() >= min_hops {
                    routes.push(chain);
                }
            }
        }
        routes
    }

    /// The shortest chain from any node of `from` to any node of `to` (through any nodes),
    /// `None` when there is none. Breadth-first from the sources.
    pub fn shortest_path(&self, from: &[bool], to: &[bool]) -> Option<Chain> {
        const UNSEEN: usize = usize::MAX;
        let mut came_by = vec![UNSEEN; self.len()];
        let mut seen = vec![false; self.len()];
        let mut queue = VecDeque::new();
        for node in (0..self.len()).filter(|node| from[*node]) {
            seen[node] = true;
            queue.push_back(node);
        }
        while let Some(node) = queue.pop_front() {
            for edge in self.outgoing(node) {
                let next = self.edges[edge].to;
                if seen[next] {
                    continue;
                }
                seen[next] = true;
                came_by[next] = edge;
                if to[next] {
                    let mut chain = vec![edge];
                    let mut at = node;
                    while came_by[at] != UNSEEN {
                        chain.push(came_by[at]);
                        at = self.edges[came_by[at]].from;
                    }
                    chain.reverse();
                    return Some(chain);
                }
                queue.push_back(next);
            }
        }
        None
    }

    /// The strongly connected components with more than one node, each sorted, in the
    /// order of their smallest node (Tarjan's algorithm, iterative so deep graphs cannot
    /// overflow the stack).
    pub fn cyclic_components(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let count = self.len();
        let mut order = vec![UNSEEN; count];
        let mut low = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut components = Vec::new();
        let mut next_order = 0;
        for root in 0..count {
            if order[root] != UNSEEN {
                continue;
            }
            // (node, position in its outgoing edges)
            let mut work = vec![(root, self.out_start[root])];
            order[root] = next_order;
            low[root] = next_order;
            next_order += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (node, ref mut position)) = work.last_mut() {
                if *position < self.out_start[node + 1] {
                    let next = self.edges[*position].to;
                    *position += 1;
                    if order[next] == UNSEEN {
                        order[next] = next_order;
                        low[next] = next_order;
                        next_order += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        work.push((next, self.out_start[next]));
                    } else if on_stack[next] {
                        low[node] = low[node].min(order[next]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == order[node] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort_unstable();
                        components.push(component);
                    }
                }
            }
        }
        components.sort();
        components
    }

    /// The shortest cycle through `start` that stays inside `members`.
    pub fn shortest_cycle(&self, start: usize, members: &[bool]) -> Option<Chain> {
        // A breadth-first search from `start` back to it, inside the component.
        const UNSEEN: usize = usize::MAX;
        let mut came_by = vec![UNSEEN; self.len()];
        let mut seen = vec![false; self.len()];
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            for edge in self.outgoing(node) {
                let next = self.edges[edge].to;
                if next == start {
                    let mut chain = vec![edge];
                    let mut at = node;
                    while at != start {
                        chain.push(came_by[at]);
                        at = self.edges[came_by[at]].from;
                    }
                    chain.reverse();
                    return Some(chain);
                }
                if seen[next] || !members[next] {
                    continue;
                }
                seen[next] = true;
                came_by[next] = edge;
                queue.push_back(next);
            }
        }
        None
    }

    /// `a -> b (path:line) -> c (path:line)`: a chain with the import that makes each hop.
    pub fn describe(&self, chain: &[usize], facts: &ProjectFacts) -> String {
        self.describe_from(chain, facts, None)
    }

    /// [`Digraph::describe`], with the first hop at `first_import` instead of its edge's
    /// witness (one of the other imports the edge stands for).
    pub fn describe_from(
        &self,
        chain: &[usize],
        facts: &ProjectFacts,
        first_import: Option<&ImportEdge>,
    ) -> String {
        let Some(&first) = chain.first() else {
            return String::new();
        };
        let mut text = self.names[self.edges[first].from].clone();
        for (position, &edge) in chain.iter().enumerate() {
            let edge = &self.edges[edge];
            let witness = match first_import {
                Some(import) if position == 0 => import,
                _ => &edge.witness,
            };
            text.push_str(&format!(
                " -> {} ({}:{})",
                self.names[edge.to],
                facts.text(witness.path),
                witness.line
            ));
        }
        text
    }

    /// Marks the nodes whose names satisfy `predicate`.
    pub fn mark(&self, predicate: impl Fn(&str) -> bool) -> Vec<bool> {
        self.names.iter().map(|name| predicate(name)).collect()
    }
}

/// The module graphs of one run, built on first use for each edge filter (the graph checks
/// need two or three variants: chains count lazy imports, cycles do not).
#[derive(Debug, Default)]
pub struct GraphCache {
    built: std::sync::Mutex<Vec<(EdgeFilter, std::sync::Arc<Digraph>)>>,
    /// Every import by (importing, imported) module, each list sorted by file, line and
    /// column: built when a report first needs all the imports an edge stands for.
    imports_by_pair: std::sync::OnceLock<FxHashMap<(u32, u32), Vec<ImportEdge>>>,
}

impl GraphCache {
    /// The module graph with `filter`.
    pub fn modules(&self, facts: &ProjectFacts, filter: EdgeFilter) -> std::sync::Arc<Digraph> {
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some((_, graph)) = built.iter().find(|(kept, _)| *kept == filter) {
            return std::sync::Arc::clone(graph);
        }
        let graph = std::sync::Arc::new(Digraph::modules(facts, filter));
        built.push((filter, std::sync::Arc::clone(&graph)));
        graph
    }

    /// Every import of `to` by `from` (interned module ids), in file, line, column order,
    /// whatever its flags.
    pub fn imports_between(&self, facts: &ProjectFacts, from: u32, to: u32) -> &[ImportEdge] {
        let by_pair = self.imports_by_pair.get_or_init(|| {
            let mut by_pair: FxHashMap<(u32, u32), Vec<ImportEdge>> = FxHashMap::default();
            for edge in &facts.edges {
                by_pair.entry((edge.from, edge.to)).or_default().push(*edge);
            }
            for imports in by_pair.values_mut() {
                imports.sort_by(|a, b| {
                    (facts.text(a.path), a.line, a.column).cmp(&(
                        facts.text(b.path),
                        b.line,
                        b.column,
                    ))
                });
            }
            by_pair
        });
        by_pair.get(&(from, to)).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(names: &[&str], edges: &[(usize, usize)]) -> Digraph {
        let names = names.iter().map(|name| name.to_string()).collect();
        let edges = edges
            .iter()
            .enumerate()
            .map(|(line, &(from, to))| GraphEdge {
                from,
                to,
                count: 1,
                witness: ImportEdge {
                    from: 0,
                    to: 0,
                    path: 0,
                    line: line as u32 + 1,
                    column: 1,
                    flags: 0,
                },
            })
            .collect();
        Digraph::from_parts(names, edges)
    }

    fn hops(graph: &Digraph, chain: &[usize]) -> Vec<(usize, usize)> {
        chain
            .iter()
            .map(|edge| (graph.edges[*edge].from, graph.edges[*edge].to))
            .collect()
    }

    /// Not one route per source module: one per first import (a module importing two
    /// targets, or reaching one through two imports, gives two).
    #[test]
    fn routes_start_at_every_import_and_avoid_other_sources() {
        // 0 (source) -> 1 -> 2 -> 4 (target); 0 -> 3 -> 4; 5 (source) -> 0; 0 -> 6 (target).
        let g = graph(
            &["a", "b", "c", "d", "t", "z", "u"],
            &[(0, 1), (1, 2), (2, 4), (0, 3), (3, 4), (5, 0), (0, 6)],
        );
        let sources = [true, false, false, false, false, true, false];
        let targets = [false, false, false, false, true, false, true];
        let may_pass: Vec<bool> = (0..7).map(|n| !sources[n] && !targets[n]).collect();
        let routes = g.routes_into(&sources, &targets, &may_pass, 1);
        let mut found: Vec<Vec<(usize, usize)>> =
            routes.iter().map(|route| hops(&g, route)).collect();
        found.sort();
        assert_eq!(
            found,
            [
                vec![(0, 1), (1, 2), (2, 4)],
                vec![(0, 3), (3, 4)],
                vec![(0, 6)],
            ],
            "5 only reaches the targets through source 0"
        );
        // Direct imports are left to the direct check when two hops are asked for.
        let direct = graph(&["a", "t"], &[(0, 1)]);
        let (source, target) = ([true, false], [false, true]);
        assert!(direct
            .routes_into(&source, &target, &[false, false], 2)
            .is_empty());
        assert_eq!(
            direct
                .routes_into(&source, &target, &[false, false], 1)
                .len(),
            1
        );
    }

    #[test]
    fn shortest_path_and_no_path() {
        let g = graph(&["a", "b", "c", "d"], &[(0, 1), (1, 2), (0, 2), (2, 3)]);
        let from = g.mark(|name| name == "a");
        let to = g.mark(|name| name == "d");
        assert_eq!(
            hops(&g, &g.shortest_path(&from, &to).unwrap()),
            [(0, 2), (2, 3)]
        );
        assert!(g.shortest_path(&to, &from).is_none());
    }

    #[test]
    fn components_and_shortest_cycles() {
        // 0 -> 1 -> 2 -> 0 and 1 -> 0: the component {0,1,2}, shortest cycle through 0 is
        // 0 -> 1 -> 0. 3 -> 4 has no cycle.
        let g = graph(
            &["a", "b", "c", "d", "e"],
            &[(0, 1), (1, 2), (2, 0), (1, 0), (3, 4)],
        );
        let components = g.cyclic_components();
        assert_eq!(components, vec![vec![0, 1, 2]]);
        let members = [true, true, true, false, false];
        assert_eq!(
            hops(&g, &g.shortest_cycle(0, &members).unwrap()),
            [(0, 1), (1, 0)]
        );
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let count = 200_000;
        let names: Vec<String> = (0..count).map(|n| format!("m{n:06}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut edges: Vec<(usize, usize)> = (0..count - 1).map(|n| (n, n + 1)).collect();
        edges.push((count - 1, 0));
        let g = graph(&names, &edges);
        assert_eq!(g.cyclic_components().len(), 1);
    }
}
