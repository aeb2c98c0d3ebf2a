//! The floor for `importgate check` on Rust code: read and parse every `.rs` file below a
//! directory with syn, in parallel on threads with the parsing stack importgate gives its
//! own, and nothing else. `scripts/bench-rust.sh` compares the two.
//!
//! Usage: `cargo bench --bench rust_parse_floor -- DIR [RUNS]` prints one line per run:
//! `files=N bytes=B items=I seconds=S`.

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
        eprintln!("usage: rust_parse_floor DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|runs| runs.parse().ok()).unwrap_or(1);
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
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
            .map(|entry| entry.into_path())
            .collect();
        let (bytes, items) = pool.install(|| {
            files
                .par_iter()
                .map(|path| match std::fs::read(path) {
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes);
                        (
                            bytes.len(),
                            importgate::frontend::rust::facts::parse_only(&text),
                        )
                    }
                    Err(_) => (0, 0),
                })
                .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        });
        println!(
            "files={} bytes={bytes} items={items} seconds={:.4}",
            files.len(),
            started.elapsed().as_secs_f64()
        );
    }
}
