//! `importgate graph`: the import graph, drawn.

use super::shared::*;
use crate::cli;
use crate::report;
use crate::{graph, overview};
use crate::{EXIT_CLEAN, EXIT_TROUBLE};
use std::path::PathBuf;

/// `importgate graph`: exit 0 with the graph, 2 when the focus names nothing or the level
/// cannot be drawn.
pub(crate) fn run_graph(args: cli::GraphArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, outcome) =
        match whole_tree_run(args.config.config.as_deref(), args.threads, &cwd, false) {
            Ok(run) => run,
            Err(code) => return code,
        };
    use overview::graph_view::Level;
    let level = match args.level {
        Some(cli::LevelArg::Service) => Level::Service,
        Some(cli::LevelArg::Package) => Level::Package,
        Some(cli::LevelArg::Module) => Level::Module,
        None if config.services.is_empty() => Level::Package,
        None => Level::Service,
    };
    let view_options = overview::graph_view::ViewOptions {
        level,
        focus: args.focus.clone(),
        depth: args.depth,
        filter: graph::EdgeFilter {
            tests: args.tests,
            type_checking: config.graph_type_checking,
            lazy: true,
        },
    };
    let view = match overview::graph_view::build(&config, &outcome, &view_options) {
        Ok(view) => view,
        Err(error) => {
            say!("error: {error}");
            return EXIT_TROUBLE;
        }
    };
    if args.format == cli::GraphFormat::Mermaid
        && view.edges.len() > report::graph::MERMAID_MAX_EDGES
    {
        say!(
            "error: the {} graph has {} edges; Mermaid draws at most {} (GitHub and GitLab show \
             an error instead of the chart)\n  hint: draw a part of it with `--focus NAME \
             [--depth N]`, the services with `--level service`, or all of it with \
             `--format dot`",
            overview::graph_view::level_noun(view.level),
            view.edges.len(),
            report::graph::MERMAID_MAX_EDGES
        );
        return EXIT_TROUBLE;
    }
    let written = write_output(
        args.output_file.as_deref(),
        &cwd,
        true,
        |out, _| match args.format {
            cli::GraphFormat::Dot => report::graph::write_dot(&view, out),
            cli::GraphFormat::Mermaid => report::graph::write_mermaid(&view, out),
            cli::GraphFormat::Json => report::graph::write_json(&view, out),
        },
    );
    written.err().unwrap_or(EXIT_CLEAN)
}
