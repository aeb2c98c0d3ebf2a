//! Python source -> [`FileFacts`]: every import with its exact span and context, uses of
//! watched module attributes (`os.environ`), and the first syntax error. The only file that
//! knows ruff's parser.
//!
//! Two walks over the tree: the first visits statements only (imports, and the bindings they
//! create); the second visits expressions too, and runs only when a byte scan of the source
//! says it can find something (a dynamic import or a watched attribute), because expression
//! walking is most of the cost of a visit.

use crate::model::{
    AttributeUse, FileFacts, Import, ImportContext, ImportKind, Span, SyntaxProblem,
};
use memchr::memmem;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    Alias, ExceptHandler, Expr, ExprCall, PySourceType, Stmt, StmtImport, StmtImportFrom,
};
use ruff_python_parser::parse_unchecked_source;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};
use std::collections::{HashMap, HashSet};

/// What to look for beyond imports.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    watched_attributes: HashSet<String>,
    needles: Vec<String>,
}

impl ExtractOptions {
    /// Watches uses of these dotted attribute paths (`os.environ`), resolved through the file's
    /// imports. Paths of a single segment are modules: their imports are already facts.
    pub fn new(watched_attributes: impl IntoIterator<Item = String>) -> Self {
        let watched_attributes: HashSet<String> = watched_attributes
            .into_iter()
            .filter(|path| path.contains('.') && !path.contains('*'))
            .collect();
        let mut needles: Vec<String> = watched_attributes
            .iter()
            .filter_map(|path| path.rsplit('.').next().map(str::to_string))
            .collect();
        needles.sort();
        needles.dedup();
        Self {
            watched_attributes,
            needles,
        }
    }
}

/// Extracts the facts of one Python source text.
pub fn extract(source: &str, options: &ExtractOptions) -> FileFacts {
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let locator = Locator {
        source,
        lines: LineIndex::from_source_text(source),
    };
    let mut facts = FileFacts::default();
    if let Some(first) = parsed.errors().first() {
        facts.syntax = Some(SyntaxProblem {
            message: first.error.to_string(),
            span: locator.span(first.location),
            further_errors: parsed.errors().len() - 1,
        });
    }
    let body = &parsed.syntax().body;

    let mut statements = Walker::new(Mode::Statements, &locator, options);
    statements.visit_body(body);
    let Walker {
        imports, bindings, ..
    } = statements;
    facts.imports = imports;

    if may_need_expression_walk(source, options) {
        let mut expressions = Walker::new(Mode::Expressions, &locator, options);
        expressions.bindings = bindings;
        expressions.visit_body(body);
        facts.imports.extend(expressions.imports);
        facts.attribute_uses = expressions.attribute_uses;
        facts
            .imports
            .sort_by_key(|import| (import.span.start, import.span.end));
    }
    facts
}

fn may_need_expression_walk(source: &str, options: &ExtractOptions) -> bool {
    let bytes = source.as_bytes();
    memmem::find(bytes, b"import_module").is_some()
        || memmem::find(bytes, b"__import__").is_some()
        || options
            .needles
            .iter()
            .any(|needle| memmem::find(bytes, needle.as_bytes()).is_some())
}

/// Byte ranges to line/column spans.
struct Locator<'s> {
    source: &'s str,
    lines: LineIndex,
}

impl Locator<'_> {
    fn span(&self, range: TextRange) -> Span {
        let start = self.lines.line_column(range.start(), self.source);
        let end = self.lines.line_column(range.end(), self.source);
        Span {
            start: range.start().to_u32(),
            end: range.end().to_u32(),
            line: start.line.get() as u32,
            column: start.column.get() as u32,
            end_line: end.line.get() as u32,
            end_column: end.column.get() as u32,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Statements,
    Expressions,
}

struct Walker<'a, 's> {
    mode: Mode,
    locator: &'a Locator<'s>,
    options: &'a ExtractOptions,
    context: ImportContext,
    imports: Vec<Import>,
    attribute_uses: Vec<AttributeUse>,
    /// Local name -> the dotted path it is bound to by an absolute import.
    bindings: HashMap<String, String>,
}

impl<'a, 's> Walker<'a, 's> {
    fn new(mode: Mode, locator: &'a Locator<'s>, options: &'a ExtractOptions) -> Self {
        Self {
            mode,
            locator,
            options,
            context: ImportContext::default(),
            imports: Vec::new(),
            attribute_uses: Vec::new(),
            bindings: HashMap::new(),
        }
    }

    fn with_context(&mut self, context: ImportContext, visit: impl FnOnce(&mut Self)) {
        let saved = self.context;
        self.context = context;
        visit(self);
        self.context = saved;
    }

    fn record_import(&mut self, stmt: &StmtImport) {
        let context = ImportContext {
            lazy: self.context.lazy || stmt.is_lazy,
            ..self.context
        };
        for alias in &stmt.names {
            let module = alias.name.id.as_str();
            let bound = match &alias.asname {
                Some(asname) => (asname.id.to_string(), module.to_string()),
                None => {
                    let top = module.split('.').next().unwrap_or(module);
                    (top.to_string(), top.to_string())
                }
            };
            self.bindings.insert(bound.0, bound.1);
            self.imports.push(Import {
                kind: ImportKind::Import,
                module: module.into(),
                level: 0,
                name: None,
                alias: asname(alias),
                span: self.locator.span(alias.range()),
                statement: self.locator.span(stmt.range()),
                context,
            });
        }
    }

    fn record_import_from(&mut self, stmt: &StmtImportFrom) {
        let context = ImportContext {
            lazy: self.context.lazy || stmt.is_lazy,
            ..self.context
        };
        let module = stmt.module.as_ref().map_or("", |module| module.id.as_str());
        for alias in &stmt.names {
            let name = alias.name.id.as_str();
            if stmt.level == 0 && name != "*" {
                let local = alias
                    .asname
                    .as_ref()
                    .map_or(name, |asname| asname.id.as_str());
                self.bindings
                    .insert(local.to_string(), format!("{module}.{name}"));
            }
            self.imports.push(Import {
                kind: ImportKind::From,
                module: module.into(),
                level: stmt.level,
                name: Some(name.into()),
                alias: asname(alias),
                span: self.locator.span(alias.range()),
                statement: self.locator.span(stmt.range()),
                context,
            });
        }
    }

    /// The dotted path an expression stands for through the file's import bindings:
    /// `o.path.join` with `import os as o` gives `os.path.join`.
    fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => self.bindings.get(name.id.as_str()).cloned(),
            Expr::Attribute(attribute) => {
                let mut base = self.qualified_name(&attribute.value)?;
                base.push('.');
                base.push_str(attribute.attr.id.as_str());
                Some(base)
            }
            _ => None,
        }
    }

    fn record_dynamic_import(&mut self, call: &ExprCall) {
        let is_dunder_import = matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "__import__" && !self.bindings.contains_key("__import__"));
        let qualified = self.qualified_name(&call.func);
        let is_import_module = matches!(
            qualified.as_deref(),
            Some("importlib.import_module" | "importlib.__import__" | "builtins.__import__")
        );
        if !is_dunder_import && !is_import_module {
            return;
        }
        let argument = call.arguments.args.first().or_else(|| {
            call.arguments
                .keywords
                .iter()
                .find(|keyword| {
                    keyword
                        .arg
                        .as_ref()
                        .is_some_and(|arg| arg.id.as_str() == "name")
                })
                .map(|keyword| &keyword.value)
        });
        let Some(Expr::StringLiteral(literal)) = argument else {
            return;
        };
        let written = literal.value.to_str();
        let level = written.bytes().take_while(|&byte| byte == b'.').count();
        if level > 0 {
            // A relative name needs `package=`; without it the call raises, so it imports nothing.
            let has_package = call.arguments.args.len() > 1
                || call.arguments.keywords.iter().any(|keyword| {
                    keyword
                        .arg
                        .as_ref()
                        .is_some_and(|arg| arg.id.as_str() == "package")
                });
            if !is_import_module || !has_package {
                return;
            }
        }
        let module = &written[level..];
        if level == 0 && module.is_empty() {
            return;
        }
        self.imports.push(Import {
            kind: ImportKind::Dynamic,
            module: module.into(),
            level: level as u32,
            name: None,
            alias: None,
            span: self.locator.span(literal.range()),
            statement: self.locator.span(call.range()),
            context: self.context,
        });
    }

    fn record_attribute_use(&mut self, expr: &Expr) {
        if self.options.watched_attributes.is_empty() {
            return;
        }
        if let Some(path) = self.qualified_name(expr) {
            if self.options.watched_attributes.contains(&path) {
                self.attribute_uses.push(AttributeUse {
                    path: path.into(),
                    span: self.locator.span(expr.range()),
                    context: self.context,
                });
            }
        }
    }

    fn is_type_checking(&self, test: &Expr) -> bool {
        match test {
            Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
            Expr::Attribute(attribute) => attribute.attr.id.as_str() == "TYPE_CHECKING",
            _ => false,
        }
    }

    /// `contextlib.suppress(ImportError)` and friends.
    fn suppresses_import_error(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else { return false };
        let is_suppress = match call.func.as_ref() {
            Expr::Name(name) => name.id.as_str() == "suppress",
            Expr::Attribute(attribute) => attribute.attr.id.as_str() == "suppress",
            _ => false,
        };
        is_suppress && call.arguments.args.iter().any(catches_import_error)
    }
}

fn asname(alias: &Alias) -> Option<Box<str>> {
    alias
        .asname
        .as_ref()
        .map(|asname| asname.id.as_str().into())
}

/// Whether an `except` clause's type expression catches `ImportError`.
fn catches_import_error(expr: &Expr) -> bool {
    const CATCHERS: &[&str] = &[
        "ImportError",
        "ModuleNotFoundError",
        "Exception",
        "BaseException",
    ];
    match expr {
        Expr::Name(name) => CATCHERS.contains(&name.id.as_str()),
        Expr::Attribute(attribute) => CATCHERS.contains(&attribute.attr.id.as_str()),
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches_import_error),
        _ => false,
    }
}

fn handlers_catch_import_error(handlers: &[ExceptHandler]) -> bool {
    handlers.iter().any(|handler| {
        let ExceptHandler::ExceptHandler(handler) = handler;
        handler.type_.as_deref().is_none_or(catches_import_error)
    })
}

impl<'n> Visitor<'n> for Walker<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'n Stmt) {
        match stmt {
            Stmt::Import(import) => {
                if self.mode == Mode::Statements {
                    self.record_import(import);
                }
            }
            Stmt::ImportFrom(import) => {
                if self.mode == Mode::Statements {
                    self.record_import_from(import);
                }
            }
            Stmt::FunctionDef(function) => {
                // Decorators, defaults and annotations run when the `def` runs; the body later.
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &function.type_params {
                    self.visit_type_params(type_params);
                }
                self.visit_parameters(&function.parameters);
                if let Some(returns) = &function.returns {
                    self.visit_annotation(returns);
                }
                let lazy = ImportContext {
                    lazy: true,
                    ..self.context
                };
                self.with_context(lazy, |walker| walker.visit_body(&function.body));
            }
            Stmt::If(if_stmt) if self.is_type_checking(&if_stmt.test) => {
                self.visit_expr(&if_stmt.test);
                let type_checking = ImportContext {
                    type_checking: true,
                    ..self.context
                };
                self.with_context(type_checking, |walker| walker.visit_body(&if_stmt.body));
                for clause in &if_stmt.elif_else_clauses {
                    self.visit_elif_else_clause(clause);
                }
            }
            Stmt::Try(try_stmt) => {
                let guarded = ImportContext {
                    guarded: self.context.guarded
                        || handlers_catch_import_error(&try_stmt.handlers),
                    ..self.context
                };
                self.with_context(guarded, |walker| walker.visit_body(&try_stmt.body));
                for handler in &try_stmt.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&try_stmt.orelse);
                self.visit_body(&try_stmt.finalbody);
            }
            Stmt::With(with_stmt)
                if with_stmt
                    .items
                    .iter()
                    .any(|item| self.suppresses_import_error(&item.context_expr)) =>
            {
                for item in &with_stmt.items {
                    self.visit_with_item(item);
                }
                let guarded = ImportContext {
                    guarded: true,
                    ..self.context
                };
                self.with_context(guarded, |walker| walker.visit_body(&with_stmt.body));
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'n Expr) {
        if self.mode == Mode::Statements {
            return;
        }
        match expr {
            Expr::Lambda(_) => {
                let lazy = ImportContext {
                    lazy: true,
                    ..self.context
                };
                self.with_context(lazy, |walker| visitor::walk_expr(walker, expr));
                return;
            }
            Expr::Call(call) => self.record_dynamic_import(call),
            Expr::Attribute(_) => self.record_attribute_use(expr),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Used by tests and fuzzing: the byte offset is a char boundary of `source`.
pub fn is_char_boundary(source: &str, offset: u32) -> bool {
    source.is_char_boundary(TextSize::from(offset).to_usize())
}
