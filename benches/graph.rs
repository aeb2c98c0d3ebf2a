//! The import graph's cost: building it from a run's edges and searching it (chains from
//! one set of modules into another, the shortest path, strongly connected components, the
//! shortest cycle), on a synthetic graph of 100,000 modules or on a real corpus.
//!
//! Usage:
//!   cargo bench --bench graph                         # synthetic, MODULES=100000, RUNS=7
//!   cargo bench --bench graph -- --corpus DIR         # DIR/rules.toml, after one full check
//!
//! Prints the median of RUNS timed runs for each step (and, for a corpus, the full check it
//! is part of). `scripts/bench-graph.sh` runs both.

use importgate::config::Config;
use importgate::engine::{check, CheckOptions};
use importgate::graph::{Digraph, EdgeFilter};
use importgate::model::edge_flags;
use importgate::project::ProjectFacts;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator (xorshift64*): the same graph on every run and machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// `packages` packages of `per_package` modules. Each module imports four modules of its
/// own package and two of lower packages (a layered tree, as real code mostly is), with a
/// few imports the other way that make cycles; some imports are lazy, `TYPE_CHECKING` or in
/// tests.
fn synthetic(packages: usize, per_package: usize) -> ProjectFacts {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let name = |package: usize, module: usize| format!("p{package:04}.m{module:03}");
    let mut facts = ProjectFacts::default();
    for package in 0..packages {
        for module in 0..per_package {
            let mut edges = Vec::new();
            let mut import = |to: String, random: &mut Random| {
                let mut flags = 0;
                if random.chance(100) {
                    flags |= edge_flags::LAZY;
                }
                if random.chance(30) {
                    flags |= edge_flags::TYPE_CHECKING;
                }
                if random.chance(100) {
                    flags |= edge_flags::TEST;
                }
                let line = edges.len() as u32 + 1;
                edges.push((to, line, 1, flags));
            };
            for _ in 0..4 {
                let target = if module > 0 && !random.chance(10) {
                    random.below(module)
                } else {
                    random.below(per_package)
                };
                if target != module {
                    import(name(package, target), &mut random);
                }
            }
            for _ in 0..2 {
                let target = if package > 0 && !random.chance(1) {
                    random.below(package)
                } else {
                    random.below(packages)
                };
                import(name(target, random.below(per_package)), &mut random);
            }
            let path = format!("p{package:04}/m{module:03}.py");
            facts.add_edges(
                &name(package, module),
                &path,
                edges
                    .iter()
                    .map(|(to, line, column, flags)| (to.as_str(), *line, *column, *flags)),
            );
        }
    }
    facts
}

/// Runs `step` `runs` times; the median time and the last result.
fn timed<T>(runs: usize, mut step: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut result = None;
    for _ in 0..runs {
        let started = Instant::now();
        result = Some(std::hint::black_box(step()));
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], result.expect("at least one run"))
}

fn report(step: &str, median: Duration, what: String) {
    println!(
        "{step:<28} {:>9.2} ms   {what}",
        median.as_secs_f64() * 1000.0
    );
}

/// The steps both modes time, on the graph of `facts`: `sources` and `targets` choose the
/// chain search's sets by module name.
fn search_steps(
    facts: &ProjectFacts,
    runs: usize,
    sources: &dyn Fn(&str) -> bool,
    targets: &dyn Fn(&str) -> bool,
) -> Duration {
    let filter = EdgeFilter {
        tests: false,
        type_checking: false,
        lazy: true,
    };
    let (build, graph) = timed(runs, || Digraph::modules(facts, filter));
    report(
        "build the module graph",
        build,
        format!(
            "{} modules, {} edges from {} imports",
            graph.len(),
            graph.edges.len(),
            facts.edges.len()
        ),
    );
    let is_source = graph.mark(sources);
    let is_target = graph.mark(|module| targets(module) && !sources(module));
    let may_pass: Vec<bool> = is_source
        .iter()
        .zip(&is_target)
        .map(|(source, target)| !source && !target)
        .collect();
    let (chains, found) = timed(runs, || {
        graph.routes_into(&is_source, &is_target, &may_pass, 2)
    });
    report(
        "routes into a set (IG002)",
        chains,
        format!(
            "{} sources, {} targets: {} routes, longest {} hops",
            is_source.iter().filter(|&&s| s).count(),
            is_target.iter().filter(|&&t| t).count(),
            found.len(),
            found.iter().map(Vec::len).max().unwrap_or(0)
        ),
    );
    let (path, shortest) = timed(runs, || graph.shortest_path(&is_source, &is_target));
    report(
        "shortest path (why)",
        path,
        format!("{} hops", shortest.map_or(0, |chain| chain.len())),
    );
    let (tarjan, components) = timed(runs, || graph.cyclic_components());
    let largest = components.iter().max_by_key(|component| component.len());
    report(
        "cyclic components (IG030)",
        tarjan,
        format!(
            "{} components, the largest {} modules",
            components.len(),
            largest.map_or(0, Vec::len)
        ),
    );
    if let Some(largest) = largest {
        let mut members = vec![false; graph.len()];
        for node in largest {
            members[*node] = true;
        }
        let (cycle, shortest) = timed(runs, || graph.shortest_cycle(largest[0], &members));
        report(
            "shortest cycle in it",
            cycle,
            format!("{} hops", shortest.map_or(0, |chain| chain.len())),
        );
    }
    build + chains + path + tarjan
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(7)
        .max(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => {
            let modules: usize = std::env::var("MODULES")
                .ok()
                .and_then(|modules| modules.parse().ok())
                .unwrap_or(100_000);
            let per_package = 100;
            let packages = modules.div_ceil(per_package);
            let facts = synthetic(packages, per_package);
            println!(
                "synthetic graph: {} modules in {packages} packages, {} imports; medians of {runs} runs",
                packages * per_package,
                facts.edges.len()
            );
            let top = format!("p{:04}.", packages - 1);
            search_steps(
                &facts,
                runs,
                &|module| module.starts_with(&top),
                &|module| module.starts_with("p0000."),
            );
        }
        (Some("--corpus"), Some(dir)) => {
            let dir = std::path::PathBuf::from(dir);
            let config = match Config::load(&dir.join("rules.toml")) {
                Ok(config) => config,
                Err(error) => {
                    eprintln!("error: {error:?}");
                    std::process::exit(2);
                }
            };
            let (full, outcome) = timed(runs, || check(&config, &CheckOptions::default()));
            let Ok(outcome) = outcome else {
                eprintln!("error: the check failed");
                std::process::exit(2);
            };
            println!(
                "corpus {}: {} files; medians of {runs} runs",
                dir.display(),
                outcome.production_files + outcome.test_files
            );
            report(
                "full check (graph included)",
                full,
                format!("{} diagnostics", outcome.diagnostics.len()),
            );
            // The chain search of a boundary: the first service's modules into the last's.
            let first = config
                .services
                .first()
                .map(|service| service.modules.clone());
            let last = config
                .services
                .last()
                .map(|service| service.modules.clone());
            let in_group = |patterns: &Option<Vec<importgate::config::ModulePattern>>,
                            module: &str| {
                patterns
                    .as_ref()
                    .is_some_and(|patterns| patterns.iter().any(|p| p.matches(module)))
            };
            let graph_total = search_steps(
                &outcome.project,
                runs,
                &|module| in_group(&first, module),
                &|module| in_group(&last, module),
            );
            println!(
                "graph build + searches: {:.1} % of the full check",
                graph_total.as_secs_f64() / full.as_secs_f64() * 100.0
            );
        }
        _ => {
            eprintln!("usage: graph [--corpus DIR]");
            std::process::exit(2);
        }
    }
}
