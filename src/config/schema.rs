//! The JSON Schema (draft-07, the draft Taplo and most editors validate) of the registry:
//! `importgate schema` prints it, `importgate.schema.json` is the committed copy. It is built
//! from one table of sections and keys, and tests hold it to the reader both ways: every key
//! the reader accepts is in the schema with a type the reader accepts, and nothing else is.

use serde_json::{json, Map, Value};

/// What a key holds.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A string.
    Text,
    /// `true` or `false`.
    Flag,
    /// An integer, at least `minimum`.
    Integer { minimum: i64 },
    /// An array of strings with at least `min_items`.
    Texts { min_items: u64 },
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A table of strings: `{ Old = "New" }`.
    TextMap,
    /// A table of string arrays: `{ "tests/**" = ["IG020"] }`.
    TextListMap,
}

/// One key of a section.
struct Key {
    name: &'static str,
    kind: Kind,
    description: &'static str,
}

const fn key(name: &'static str, kind: Kind, description: &'static str) -> Key {
    Key {
        name,
        kind,
        description,
    }
}

/// One table (`[settings]`) or array of tables (`[[boundary]]`) of the registry.
struct Section {
    /// Its top-level key.
    name: &'static str,
    /// `[[name]]`: many entries.
    many: bool,
    description: &'static str,
    keys: &'static [Key],
    required: &'static [&'static str],
}

const SEVERITY: Kind = Kind::OneOf(&["error", "warning", "warn"]);
const CONTEXT_TREATMENT: Kind = Kind::OneOf(&["allow", "warn", "warning", "error"]);
const UNMATCHED: Kind = Kind::OneOf(&["error", "warn", "off"]);
const TEXTS: Kind = Kind::Texts { min_items: 0 };
const SOME_TEXTS: Kind = Kind::Texts { min_items: 1 };
const HINT: Key = key(
    "hint",
    Kind::Text,
    "The fix hint shown with every violation.",
);
const IGNORE_IMPORTS: Key = key(
    "ignore-imports",
    TEXTS,
    "Imports the rule exempts, `importer -> imported` (import-linter's ignore_imports: `*` one segment, `**` one or more).",
);
const RULE_UNMATCHED: Key = key(
    "unmatched-ignore-imports",
    UNMATCHED,
    "What an entry of this rule's ignore-imports that matches no import gets (IG904).",
);

const SETTINGS_KEYS: &[Key] = &[
    key(
        "root",
        Kind::Text,
        "The governed tree, relative to the registry's directory (or absolute).",
    ),
    key(
        "python-roots",
        SOME_TEXTS,
        "Import roots, like sys.path entries and in sys.path order (`[\"src\"]` for a src layout).",
    ),
    key(
        "exclude",
        TEXTS,
        "Path globs never checked, on top of .gitignore.",
    ),
    key(
        "respect-gitignore",
        Kind::Flag,
        "Honour .gitignore files (default true).",
    ),
    key(
        "languages",
        TEXTS,
        "The languages whose files are checked: \"python\" (the default), \"rust\" (Cargo workspaces; not finished).",
    ),
    key(
        "ban-relative-imports",
        Kind::Flag,
        "Report every relative import (IG004).",
    ),
    key(
        "first-party",
        TEXTS,
        "The repository's own top-level packages (default: those under the python roots).",
    ),
    key(
        "require-suppression-reason",
        Kind::Flag,
        "Suppression comments must give a reason (`-- why`).",
    ),
    key(
        "baseline",
        Kind::Text,
        "The baseline file, relative to the registry (default importgate-baseline.json).",
    ),
    key(
        "unmatched-ignore-imports",
        UNMATCHED,
        "What an ignore-imports entry that matches no import gets (IG904; default warn).",
    ),
];

const SECTIONS: &[Section] = &[
    Section {
        name: "settings",
        many: false,
        description: "Where the tree is and how it is read.",
        keys: SETTINGS_KEYS,
        required: &[],
    },
    Section {
        name: "project",
        many: false,
        description: "rules.toml only: the former name of [settings] (not both).",
        keys: SETTINGS_KEYS,
        required: &[],
    },
    Section {
        name: "tests",
        many: false,
        description: "What counts as test code.",
        keys: &[key("include", TEXTS, "Path globs of test files.")],
        required: &[],
    },
    Section {
        name: "service",
        many: true,
        description: "A service of the monorepo.",
        keys: &[
            key("name", Kind::Text, "The service's name, usable in `from` and `forbid`."),
            key("modules", SOME_TEXTS, "Module patterns of the modules it owns (default: its name)."),
            key("paths", TEXTS, "Path globs of files it owns whatever their module."),
        ],
        required: &["name"],
    },
    Section {
        name: "boundary",
        many: true,
        description: "An import rule (IG001, IG002).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("from", SOME_TEXTS, "Services or module patterns whose imports the rule governs."),
            key("forbid", SOME_TEXTS, "Module patterns (or services) that must not be imported."),
            key("allow", TEXTS, "Exceptions to forbid."),
            key("tests", CONTEXT_TREATMENT, "What the import gets in test code (default allow)."),
            key("type-checking", CONTEXT_TREATMENT, "What an import inside `if TYPE_CHECKING:` gets."),
            key("severity", SEVERITY, "What the import gets in production code (default error)."),
            HINT,
            key("transitive", Kind::Flag, "Also report chains through other modules (IG002)."),
            IGNORE_IMPORTS,
            RULE_UNMATCHED,
            key("allow-in", TEXTS, "Path globs of files the rule does not govern."),
            key("as-packages", Kind::Flag, "Modules stand for their descendants too (default true)."),
        ],
        required: &["id", "from", "forbid"],
    },
    Section {
        name: "banned",
        many: true,
        description: "A banned module or API (IG003).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("api", SOME_TEXTS, "Banned modules or module attributes."),
            key("allow-in", TEXTS, "Path globs of files where the API is fine."),
            key("paths", TEXTS, "Path globs the ban is limited to."),
            key("scope", Kind::OneOf(&["all", "production", "tests"]), "Where the ban applies (default all)."),
            key("severity", SEVERITY, "Error or warning (default error)."),
            HINT,
        ],
        required: &["id", "api"],
    },
    Section {
        name: "canonical",
        many: true,
        description: "The single source of truth of a symbol (IG010, IG012, IG013).",
        keys: &[
            key("id", Kind::Text, "The rule's id (default canonical:<symbol>)."),
            key("symbol", Kind::Text, "The symbol's name."),
            key("module", Kind::Text, "The one module to import it from."),
            key("compatible", TEXTS, "Modules it may still be imported from, with a warning."),
            key("scope", TEXTS, "Importing modules the rule applies to (default everywhere)."),
            HINT,
        ],
        required: &["symbol", "module"],
    },
    Section {
        name: "deprecated",
        many: true,
        description: "A retired module (IG011).",
        keys: &[
            key("id", Kind::Text, "The rule's id (default deprecated:<module>)."),
            key("module", Kind::Text, "The deprecated module (and everything below it)."),
            key("replacement", Kind::Text, "The module to import instead."),
            key("names", Kind::TextMap, "Symbol renames, old name to new name."),
            HINT,
        ],
        required: &["module"],
    },
    Section {
        name: "duplicates",
        many: false,
        description: "The duplicate-definition check (IG012).",
        keys: &[
            key(
                "symbols",
                Kind::OneOf(&["registered", "all-public", "off"]),
                "Which names IG012 looks at (default registered).",
            ),
            key(
                "ignore-names",
                TEXTS,
                "Public names that are no duplicate candidates (framework conventions such as `Command` or `Migration`); `*` matches any characters. A `[[canonical]]` symbol cannot be listed.",
            ),
        ],
        required: &[],
    },
    Section {
        name: "cycles",
        many: true,
        description: "An import-cycle rule (IG030).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("within", Kind::Text, "Cycles between the modules below this package (with between = \"siblings\": between its children)."),
            key("between", Kind::OneOf(&["services", "siblings"]), "Cycles between services, or with `within` between sibling packages."),
            key("lazy", Kind::Flag, "Count imports inside functions too."),
            key("severity", SEVERITY, "Error or warning (default error)."),
            HINT,
            IGNORE_IMPORTS,
            RULE_UNMATCHED,
            key("depth", Kind::Integer { minimum: 0 }, "With siblings: how many levels below `within` are checked too (default 10)."),
            key("skip-descendants", TEXTS, "With siblings: packages whose children are not checked."),
        ],
        required: &[],
    },
    Section {
        name: "layers",
        many: true,
        description: "A layer rule (IG031).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("layers", TEXTS, "The layers, highest first (`a | b`: independent siblings, `a : b`: siblings, `(a)`: optional)."),
            key("containers", TEXTS, "Packages the layers are below."),
            key("exhaustive", Kind::Flag, "Every child of each container must be on a layer."),
            key("exhaustive-ignores", TEXTS, "Children that exhaustive lets be on no layer."),
            key("transitive", Kind::Flag, "Also report chains through other modules (default true)."),
            key("severity", SEVERITY, "Error or warning (default error)."),
            HINT,
            IGNORE_IMPORTS,
            RULE_UNMATCHED,
        ],
        required: &["id", "layers"],
    },
    Section {
        name: "independent",
        many: true,
        description: "Modules that must not import each other (IG032).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("modules", Kind::Texts { min_items: 2 }, "Modules or services."),
            key("severity", SEVERITY, "Error or warning (default error)."),
            HINT,
            IGNORE_IMPORTS,
            RULE_UNMATCHED,
        ],
        required: &["id", "modules"],
    },
    Section {
        name: "private-modules",
        many: true,
        description: "Private modules (`_name`) may be imported only from within their parent package (IG033).",
        keys: &[
            key("id", Kind::Text, "The rule's id."),
            key("packages", TEXTS, "Packages whose private modules are checked (default every first-party module)."),
            key("tests", CONTEXT_TREATMENT, "What such an import gets in test code (default allow)."),
            key("type-checking", CONTEXT_TREATMENT, "What one inside `if TYPE_CHECKING:` gets (default: as any import)."),
            key("severity", SEVERITY, "Error or warning (default error)."),
            HINT,
            IGNORE_IMPORTS,
            RULE_UNMATCHED,
        ],
        required: &["id"],
    },
    Section {
        name: "graph",
        many: false,
        description: "Which imports the graph rules count.",
        keys: &[
            key("type-checking", Kind::Flag, "Count `if TYPE_CHECKING:` imports."),
            key("tests", Kind::Flag, "Count the imports of test files."),
            key("external", Kind::Flag, "Modules outside the tree are graph nodes, one per top-level package."),
        ],
        required: &[],
    },
    Section {
        name: "checks",
        many: false,
        description: "Which checks run, and where (codes, names, prefixes such as IG02, or ALL).",
        keys: &[
            key("select", TEXTS, "The checks that run (default all)."),
            key("extend-select", TEXTS, "More checks that run."),
            key("ignore", TEXTS, "Checks that do not run."),
            key("per-file-ignores", Kind::TextListMap, "Checks that do not report in the files a glob matches."),
        ],
        required: &[],
    },
];

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::Text => json!({ "type": "string" }),
        Kind::Flag => json!({ "type": "boolean" }),
        Kind::Integer { minimum } => json!({ "type": "integer", "minimum": minimum }),
        Kind::Texts { min_items } => {
            json!({ "type": "array", "items": { "type": "string" }, "minItems": min_items })
        }
        Kind::OneOf(values) => json!({ "type": "string", "enum": values }),
        Kind::TextMap => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        Kind::TextListMap => json!({
            "type": "object",
            "additionalProperties": { "type": "array", "items": { "type": "string" } }
        }),
    }
}

fn section_schema(section: &Section) -> Value {
    let properties: Map<String, Value> = section
        .keys
        .iter()
        .map(|key| {
            let mut schema = kind_schema(key.kind);
            schema["description"] = Value::from(key.description);
            (key.name.to_string(), schema)
        })
        .collect();
    let mut table = json!({
        "type": "object",
        "description": section.description,
        "properties": properties,
        "additionalProperties": false,
    });
    if !section.required.is_empty() {
        table["required"] = json!(section.required);
    }
    if section.many {
        json!({ "type": "array", "description": section.description, "items": table })
    } else {
        table
    }
}

/// The registry's JSON Schema: rules.toml, or pyproject.toml's `[tool.importgate]`.
pub fn registry_schema() -> Value {
    let mut properties = Map::new();
    properties.insert(
        "version".to_string(),
        json!({ "type": "integer", "enum": [1], "description": "The registry format; only 1 exists." }),
    );
    for section in SECTIONS {
        properties.insert(section.name.to_string(), section_schema(section));
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "importgate registry",
        "description": "importgate's registry: rules.toml, or [tool.importgate] in pyproject.toml.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// Every section of the schema with its keys, named as the reader names them (`"[settings]"`,
/// `"[[boundary]]"`, `"the top level"`): for the test that holds the two together.
pub fn schema_sections() -> Vec<(String, Vec<&'static str>)> {
    let mut sections = vec![(
        "the top level".to_string(),
        std::iter::once("version")
            .chain(SECTIONS.iter().map(|section| section.name))
            .collect(),
    )];
    for section in SECTIONS {
        let name = if section.many {
            format!("[[{}]]", section.name)
        } else {
            format!("[{}]", section.name)
        };
        sections.push((name, section.keys.iter().map(|key| key.name).collect()));
    }
    sections
}
