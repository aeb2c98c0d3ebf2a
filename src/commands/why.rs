//! `importgate why A B`: the shortest import chain from one module to another.

use super::shared::*;
use crate::cli;
use crate::config;
use crate::graph;
use crate::report;
use crate::{EXIT_CLEAN, EXIT_TROUBLE, EXIT_VIOLATIONS};
use std::path::PathBuf;

/// `importgate why A B`: exit 0 with the chain, 1 when there is no path, 2 when A or B
/// names nothing in the graph.
pub(crate) fn run_why(args: cli::WhyArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) =
        match whole_tree_run(args.config.config.as_deref(), args.threads, &cwd, false) {
            Ok(run) => run,
            Err(code) => return code,
        };
    let filter = graph::EdgeFilter {
        tests: args.tests,
        type_checking: config.graph_type_checking,
        lazy: true,
    };
    let modules = graph::Digraph::modules(&outcome.project, filter);
    // A service's modules, or a module and its submodules (a literal module pattern).
    let members = |name: &str| -> Vec<bool> {
        let patterns = match config.services.iter().find(|service| service.name == name) {
            Some(service) => service.modules.clone(),
            None => config::ModulePattern::parse(name).into_iter().collect(),
        };
        modules.mark(|module| patterns.iter().any(|pattern| pattern.matches(module)))
    };
    let (from, to) = (members(&args.from), members(&args.to));
    // A name exists when it is a service or a module or package of the tree, whether or not
    // it imports anything: a module with no imports has no path, it is no usage error.
    let exists = |name: &str| {
        config.services.iter().any(|service| service.name == name)
            || outcome.project.has_module_or_package(name)
    };
    for name in [&args.from, &args.to] {
        if !exists(name) {
            say!("error: `{name}` is no service, module or package of the tree");
            return EXIT_TROUBLE;
        }
    }
    // A and B may overlap (`why app app.db`): as import-linter does, the modules in both are
    // left out of the start, so the chain leaves A's own modules for B's.
    let shared = from.iter().zip(&to).filter(|(a, b)| **a && **b).count();
    let from: Vec<bool> = from.iter().zip(&to).map(|(a, b)| *a && !*b).collect();
    let mut text = String::new();
    if shared > 0 {
        text.push_str(&format!(
            "note: {} in both `{}` and `{}` left out of the start\n",
            report::plural(shared, "module"),
            args.from,
            args.to
        ));
    }
    let code = match modules.shortest_path(&from, &to) {
        Some(chain) => {
            let first = modules.edges[chain[0]].from;
            text.push_str(&format!("{}\n", modules.names[first]));
            for &edge in &chain {
                let edge = &modules.edges[edge];
                text.push_str(&format!(
                    "  -> {}  ({}:{})\n",
                    modules.names[edge.to],
                    report::display_path(
                        &config.root.join(outcome.project.text(edge.witness.path)),
                        &cwd
                    ),
                    edge.witness.line
                ));
            }
            EXIT_CLEAN
        }
        None => {
            text.push_str(&format!("no path from `{}` to `{}`\n", args.from, args.to));
            EXIT_VIOLATIONS
        }
    };
    let written = write_output(None, &cwd, true, |out, _| out.write_all(text.as_bytes()));
    written.err().unwrap_or(code)
}
