//! `importgate graph` and `importgate audit`: every format on the demo and on the graph
//! fixture, focus and errors, and the HTML audit rendered in headless Chromium (screenshot
//! and DOM).

mod common;

use common::{fixture, importgate, repo_root, stable_settings, transcript};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The transcripts of several runs, each under the command line that made it.
fn transcripts<P: AsRef<Path>>(runs: impl IntoIterator<Item = (P, Vec<&'static str>)>) -> String {
    runs.into_iter()
        .map(|(cwd, args)| {
            format!(
                "$ importgate {}\n{}",
                args.join(" "),
                transcript(cwd.as_ref(), &args)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn graph_draws_every_level_in_every_format() {
    let demo = repo_root();
    let case = fixture("cases/import-graph");
    let runs = [
        (&demo, vec!["graph"]),
        (&demo, vec!["graph", "--format", "mermaid"]),
        (&demo, vec!["graph", "--format", "json"]),
        (&demo, vec!["graph", "--level", "package", "--tests"]),
        (
            &case,
            vec!["graph", "--level", "module", "--format", "mermaid"],
        ),
        (
            &case,
            vec!["graph", "--level", "module", "--format", "json"],
        ),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

/// A Rust package's graph: at package level a module with modules below it stands for
/// them (`toolkit::store` for its `cache` and `disk`), crates and binaries for
/// themselves; `why` walks the same graph with Rust names.
#[test]
fn rust_graphs_group_modules_by_their_parent_module() {
    let case = fixture("cases/rust-package");
    let runs = [
        (
            &case,
            vec!["graph", "--level", "package", "--format", "mermaid"],
        ),
        (
            &case,
            vec!["graph", "--level", "module", "--format", "json"],
        ),
        (&case, vec!["why", "report", "toolkit::store::disk"]),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

/// DOT at package and module level draws each service's nodes in a `cluster_<service>`
/// subgraph; nodes of no service stay outside.
#[test]
fn dot_groups_packages_and_modules_in_a_cluster_per_service() {
    let demo = repo_root();
    let runs = [
        (&demo, vec!["graph", "--level", "package"]),
        (
            &demo,
            vec!["graph", "--level", "module", "--focus", "shared"],
        ),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

/// Mermaid draws at most 500 edges (GitHub and GitLab show an error instead): a larger
/// graph is refused with exit 2 and a hint, and the hint's ways out work.
#[test]
fn mermaid_refuses_more_than_500_edges_with_a_hint() {
    let tree = tempfile::tempdir().expect("tempdir");
    let mut files = vec![(
        "rules.toml".to_string(),
        "[[service]]\nname = \"app\"\n".to_string(),
    )];
    files.push(("app/__init__.py".to_string(), String::new()));
    // 24 modules that each import the 22 after them (wrapping): 528 edges, and a leaf that
    // imports one of them.
    for module in 0..24 {
        let imports: String = (1..=22)
            .map(|step| format!("import app.m{}\n", (module + step) % 24))
            .collect();
        files.push((format!("app/m{module}.py"), imports));
    }
    files.push(("app/leaf.py".to_string(), "import app.m0\n".to_string()));
    common::write_files(tree.path(), &files);
    let refused = transcript(
        tree.path(),
        &["graph", "--level", "module", "--format", "mermaid"],
    );
    stable_settings().bind(|| insta::assert_snapshot!(refused));
    let dot = importgate(tree.path(), &["graph", "--level", "module"])
        .output()
        .expect("runs");
    assert!(dot.status.success());
    assert_eq!(
        String::from_utf8_lossy(&dot.stdout).matches(" -> ").count(),
        529
    );
    let focused = importgate(
        tree.path(),
        &[
            "graph", "--level", "module", "--format", "mermaid", "--focus", "app.leaf", "--depth",
            "1",
        ],
    )
    .output()
    .expect("runs");
    assert!(focused.status.success(), "{focused:?}");
    assert_eq!(
        String::from_utf8_lossy(&focused.stdout)
            .matches(" -->")
            .count(),
        1
    );
    let services = importgate(tree.path(), &["graph", "--format", "mermaid"])
        .output()
        .expect("runs");
    assert!(services.status.success(), "{services:?}");
}

#[test]
fn graph_focus_limits_the_drawing_to_a_neighbourhood() {
    let case = fixture("cases/import-graph");
    // From the repository root, with a relative --config.
    let config = "tests/fixtures/cases/import-graph/rules.toml";
    let runs = [
        (
            case.clone(),
            vec!["graph", "--level", "module", "--focus", "app.models"],
        ),
        (
            case.clone(),
            vec![
                "graph", "--level", "module", "--focus", "lib.a", "--depth", "2",
            ],
        ),
        // A module names its group at a coarser level.
        (
            case.clone(),
            vec!["graph", "--focus", "pay.ledger", "--format", "mermaid"],
        ),
        (case.clone(), vec!["graph", "--focus", "nosuch"]),
        (
            repo_root(),
            vec![
                "graph", "--config", config, "--level", "package", "--focus", "auth",
            ],
        ),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

#[test]
fn graph_without_services_draws_packages_and_refuses_the_service_level() {
    let case = fixture("cases/missing-names");
    let runs = [
        (&case, vec!["graph"]),
        (&case, vec!["graph", "--level", "service"]),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

#[test]
fn audit_reports_in_markdown_and_json() {
    let case = fixture("cases/import-graph");
    let runs = [
        (repo_root(), vec!["audit"]),
        (case.clone(), vec!["audit"]),
        (
            repo_root(),
            vec![
                "audit",
                "--config",
                "tests/fixtures/cases/import-graph/rules.toml",
                "--format",
                "json",
            ],
        ),
        (fixture("cases/missing-names"), vec!["audit"]),
    ];
    stable_settings().bind(|| insta::assert_snapshot!(transcripts(runs)));
}

/// The names `audit duplicates` lists in `cwd`, in its order (it exits 0).
fn duplicate_candidates(cwd: &Path) -> Vec<String> {
    let output = importgate(cwd, &["audit", "duplicates", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    document["duplicates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|group| group["symbol"].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn audit_duplicates_still_lists_the_candidates() {
    assert_eq!(
        duplicate_candidates(&repo_root()),
        ["SessionManager", "refresh"]
    );
}

/// One definition of "imports between services": the audit's matrix counts what
/// `importgate graph` draws (production without `--tests`, production and test with it), so
/// the demo's `TYPE_CHECKING` import of auth_service is in neither.
#[test]
fn the_audit_matrix_counts_the_imports_the_graph_draws() {
    let json = |args: &[&str]| -> serde_json::Value {
        let output = importgate(&repo_root(), args).output().expect("runs");
        serde_json::from_slice(&output.stdout).expect("json")
    };
    let audit = json(&["audit", "--format", "json"]);
    assert_eq!(audit["service_imports_include_type_checking"], false);
    let matrix: Vec<(String, String, u64, u64)> = audit["service_imports"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|cell| {
            (
                cell["from"].as_str().expect("from").to_string(),
                cell["to"].as_str().expect("to").to_string(),
                cell["production"].as_u64().expect("count"),
                cell["test"].as_u64().expect("count"),
            )
        })
        .collect();
    let edges = |graph: serde_json::Value| -> Vec<(String, String, u64)> {
        graph["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| {
                (
                    edge["from"].as_str().expect("from").to_string(),
                    edge["to"].as_str().expect("to").to_string(),
                    edge["imports"].as_u64().expect("count"),
                )
            })
            .collect()
    };
    let production: Vec<(String, String, u64)> = matrix
        .iter()
        .filter(|cell| cell.2 > 0)
        .map(|(from, to, production, _)| (from.clone(), to.clone(), *production))
        .collect();
    assert_eq!(production, edges(json(&["graph", "--format", "json"])));
    let everything: Vec<(String, String, u64)> = matrix
        .iter()
        .map(|(from, to, production, test)| (from.clone(), to.clone(), production + test))
        .collect();
    assert_eq!(
        everything,
        edges(json(&["graph", "--format", "json", "--tests"]))
    );
    let backend_to_auth = matrix
        .iter()
        .find(|cell| cell.0 == "netra_backend" && cell.1 == "auth_service")
        .expect("a cell");
    assert_eq!((backend_to_auth.2, backend_to_auth.3), (8, 2));
}

/// `[duplicates] ignore-names` leaves framework conventions (`Command`, `Migration`,
/// `*Admin`) out of the audit's candidates; the real candidate and the registered symbol
/// stay.
#[test]
fn audit_duplicates_leave_out_the_ignored_names() {
    assert_eq!(
        duplicate_candidates(&fixture("cases/duplicate-candidates")),
        ["Invoice", "round_money"]
    );
}

#[test]
fn audit_does_not_turn_consolidation_candidates_into_diagnostics() {
    // The audit collects every public definition; the counts must still be those of
    // `check`, where the demo's registry reports registered duplicates only.
    let audit = importgate(&repo_root(), &["audit", "--format", "json"])
        .output()
        .expect("runs");
    let check = importgate(
        &repo_root(),
        &["check", "--output-format", "json", "--no-baseline"],
    )
    .output()
    .expect("runs");
    let audit: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(audit["summary"]["by_code"], check["summary"]["by_code"]);
    assert_eq!(audit["duplicates"].as_array().map(Vec::len), Some(2));
}

/// Debian's Chromium, where the CI installs it (`CHROMIUM` overrides).
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|path| path.exists())
}

/// Runs headless Chromium on `url` with `args`, in a fresh profile, without network
/// chatter; returns stdout.
fn headless(browser: &Path, profile: &Path, args: &[&str], url: &str) -> String {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 DOM")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The rows of a table in the dumped DOM, as lists of cell texts.
fn table_rows(dom: &str, id: &str) -> Vec<Vec<String>> {
    let start = dom
        .find(&format!("id=\"table-{id}\""))
        .unwrap_or_else(|| panic!("table {id} in the DOM"));
    let body = &dom[start..];
    let body = &body[body.find("<tbody>").expect("tbody")..body.find("</tbody>").expect("end")];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let text = &cell[cell.find('>').expect(">") + 1..];
                    text[..text.find("</td>").expect("</td>")].to_string()
                })
                .collect()
        })
        .collect()
}

#[test]
fn audit_html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        // The CI installs Chromium and sets CI, so there the test always runs.
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is needed for this test in CI: apt-get install chromium"
        );
        eprintln!("skipped: no Chromium (apt-get install chromium, or set CHROMIUM)");
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let page = scratch.path().join("audit.html");
    let output = importgate(
        &repo_root(),
        &[
            "audit",
            "--format",
            "html",
            "-o",
            page.to_str().expect("utf-8 path"),
        ],
    )
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let html = std::fs::read_to_string(&page).expect("written");
    // Self-contained: nothing is fetched when the page is viewed.
    for reference in ["src=", "href=", "@import", "url(http"] {
        assert!(
            !html.contains(reference),
            "the page refers to `{reference}`"
        );
    }
    let url = format!("file://{}", page.display());
    let profile = scratch.path().join("profile");

    // The DOM after the page's script ran: the service graph and the sortable tables.
    let dom = headless(&browser, &profile, &["--dump-dom"], &url);
    assert!(dom.contains("data-sortable=\"ready\""), "the script ran");
    assert_eq!(count(&dom, "<g class=\"node\""), 5, "one box per service");
    assert_eq!(
        count(&dom, "<g class=\"edge error\""),
        4,
        "three forbidden pairs and a banned import"
    );
    assert_eq!(count(&dom, "<g class=\"edge plain\""), 1);
    assert!(dom.contains("data-from=\"netra_backend\" data-to=\"auth_service\" data-imports=\"8\""));
    for section in [
        "service-imports",
        "by-check",
        "by-rule",
        "by-service",
        "top-files",
        "duplicates",
    ] {
        assert!(
            dom.contains(&format!("id=\"table-{section}\"")),
            "{section}"
        );
    }
    let tables = count(&dom, "class=\"sortable\"");
    assert_eq!(count(&dom, "aria-sort=\"none\""), count(&dom, "</th>"));
    assert!(count(&dom, "<button type=\"button\"") >= tables * 3);
    let by_check = table_rows(&dom, "by-check");
    assert_eq!(by_check[0][..3], ["IG001", "forbidden-import", "11"]);

    // Sorting, driven through the address the page keeps the order in: errors ascending.
    let sorted = headless(
        &browser,
        &profile,
        &["--dump-dom"],
        &format!("{url}#sort=by-check.2.asc"),
    );
    let errors: Vec<u32> = table_rows(&sorted, "by-check")
        .iter()
        .map(|row| row[2].parse().expect("a count"))
        .collect();
    assert_eq!(errors.len(), by_check.len());
    assert!(
        errors.windows(2).all(|pair| pair[0] <= pair[1]),
        "{errors:?}"
    );
    assert!(sorted.contains("aria-sort=\"ascending\""));
    let names: Vec<String> = table_rows(
        &headless(
            &browser,
            &profile,
            &["--dump-dom"],
            &format!("{url}#sort=by-check.1.desc"),
        ),
        "by-check",
    )
    .into_iter()
    .map(|row| row[1].clone())
    .collect();
    let mut expected = names.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, expected);

    // The screenshot: a page with the graph drawn, its forbidden imports in red.
    let screenshot = scratch.path().join("audit.png");
    headless(
        &browser,
        &profile,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", screenshot.display()),
        ],
        &url,
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&screenshot).expect("a screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut pixels).expect("a frame");
    assert_eq!((frame.width, frame.height), (1280, 1600));
    let channels = frame.color_type.samples();
    let pixels = &pixels[..frame.buffer_size()];
    let near = |pixel: &[u8], rgb: [u8; 3]| {
        pixel
            .iter()
            .zip(rgb)
            .all(|(value, target)| value.abs_diff(target) <= 24)
    };
    let red = pixels
        .chunks(channels)
        .filter(|pixel| near(pixel, [0xd6, 0x27, 0x28]))
        .count();
    let header = pixels
        .chunks(channels)
        .filter(|pixel| near(pixel, [0x11, 0x18, 0x27]))
        .count();
    assert!(
        red > 300,
        "the forbidden imports are drawn in red ({red} pixels)"
    );
    assert!(
        header > 20_000,
        "the page header is drawn ({header} pixels)"
    );
}

#[test]
fn audit_html_is_one_page_with_its_graph_and_tables() {
    let case = fixture("cases/import-graph");
    stable_settings()
        .bind(|| insta::assert_snapshot!(transcript(&case, &["audit", "--format", "html"])));
}
