//! The floor for `importgate check`: read and parse every source file of one language
//! below a directory — `.py` with ruff's parser, `.rs` with syn — in parallel on threads
//! with the parsing stack importgate gives its own, and nothing else. `scripts/bench.sh`
//! and `scripts/bench-rust.sh` compare the two.
//!
//! Usage: `cargo bench --bench parse_floor -- DIR [RUNS] [python|rust]` prints one line
//! per run: `files=N bytes=B statements=S seconds=T` (top-level statements or items).

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;
use walkdir::WalkDir;

// The same allocator as the importgate binary, so the floor is the parser's, not malloc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let Some(dir) = args.next() else {
        eprintln!("usage: parse_floor DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|runs| runs.parse().ok()).unwrap_or(1);
    let rust = args.next().as_deref() == Some("rust");
    let (extension, parse): (&str, fn(&str) -> usize) = if rust {
        ("rs", importgate::frontend::rust::facts::parse_only)
    } else {
        ("py", importgate::frontend::python::parse_only)
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(importgate::frontend::nesting::PARSE_STACK_BYTES)
        .build()
        .expect("a thread pool");
    for _ in 0..runs {
        let started = Instant::now();
        // The walk is part of the floor: a linter cannot parse what it has not listed.
        let files: Vec<PathBuf> = WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == extension))
            .map(|entry| entry.into_path())
            .collect();
        let (bytes, statements) = pool.install(|| {
            files
                .par_iter()
                .map(|path| match std::fs::read(path) {
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes);
                        (bytes.len(), parse(&text))
                    }
                    Err(_) => (0, 0),
                })
                .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        });
        println!(
            "files={} bytes={bytes} statements={statements} seconds={:.4}",
            files.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
