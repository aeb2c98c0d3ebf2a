//! Python source -> [`FileFacts`]: every import with its exact span and context, uses of
//! watched module attributes (`os.environ`), and the first syntax error. The only file that
//! knows ruff's parser.
//!
//! Two walks over the tree: the first visits statements only (imports, and the bindings they
//! create); the second visits expressions too, and runs only when a byte scan of the source
//! says it can find something (a dynamic import or a watched attribute), because expression
//! walking is most of the cost of a visit.

use super::nesting::{self, TooDeep};
use super::{locate, ExtractOptions, Locator};
use crate::model::{
    AttributeUse, Definition, DefinitionKind, FileFacts, Import, ImportContext, ImportKind,
    ModuleBindings, Span, Suppression, SyntaxProblem,
};
use memchr::memmem;
use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::ModModule;
use ruff_python_ast::{
    Alias, ExceptHandler, Expr, ExprCall, PySourceType, Stmt, StmtIf, StmtImport, StmtImportFrom,
    UnaryOp, WithItem,
};
use ruff_python_parser::{parse_unchecked_source, Parsed};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;

/// Extracts the facts of one Python source text.
///
/// ```
/// use importgate::frontend::{python::extract, ExtractOptions};
///
/// let source = "def f():\n    from auth_service.core import (\n        SessionManager,\n    )\n";
/// let facts = extract(source, &ExtractOptions::default());
/// let import = &facts.imports[0];
/// assert_eq!(&*import.module, "auth_service.core");
/// assert_eq!(import.name.as_deref(), Some("SessionManager"));
/// assert_eq!((import.span.line, import.span.column), (3, 9));
/// assert!(import.context.lazy);
/// ```
pub fn extract(source: &str, options: &ExtractOptions) -> FileFacts {
    let parsed = match parse_within_limits(source) {
        Ok(parsed) => parsed,
        Err(too_deep) => {
            let offset = too_deep.offset as u32;
            return FileFacts {
                syntax: Some(SyntaxProblem {
                    message: too_deep.message,
                    span: locate(source, (offset, offset)),
                    further_errors: 0,
                    not_parsed: true,
                }),
                ..FileFacts::default()
            };
        }
    };
    let mut facts = FileFacts::default();
    let mut locator = Locator::new(source);
    if let Some(first) = parsed.errors().first() {
        facts.syntax = Some(SyntaxProblem {
            message: first.error.to_string(),
            span: locator.span_of(first.location),
            further_errors: parsed.errors().len() - 1,
            not_parsed: false,
        });
    }
    let body = &parsed.syntax().body;

    let mut statements = Walker::new(&mut locator, options);
    statements.walk_statements(body);
    facts.imports = statements.imports;
    facts.bindings = statements.module;
    facts.bindings.names.sort_unstable();
    facts.bindings.names.dedup();
    facts.definitions = statements.definitions;
    if memmem::find(source.as_bytes(), b"importgate:").is_some() {
        facts.suppressions = parsed
            .tokens()
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
            .filter_map(|token| suppression(source, token.range(), &mut locator))
            .collect();
    }

    if may_need_expression_walk(source, options) {
        let mut expressions = Walker::new(&mut locator, options);
        expressions.bindings = bindings(&facts.imports);
        expressions.visit_body(body);
        facts.imports.extend(expressions.imports);
        facts.attribute_uses = expressions.attribute_uses;
        facts
            .imports
            .sort_by_key(|import| (import.span.start, import.span.end));
    }
    facts
}

/// Local name -> the dotted path an absolute import binds it to: `import os.path` binds
/// `os` to `os`, `import a.b as c` binds `c` to `a.b`, `from a import b as c` binds `c` to
/// `a.b`. Relative and star imports bind nothing the checks watch.
fn bindings(imports: &[Import]) -> HashMap<String, String> {
    let mut bindings = HashMap::new();
    for import in imports.iter().filter(|import| import.level == 0) {
        let module = import.module.as_ref();
        match (import.kind, import.name.as_deref(), import.alias.as_deref()) {
            (ImportKind::Import, _, Some(alias)) => {
                bindings.insert(alias.to_string(), module.to_string());
            }
            (ImportKind::Import, _, None) => {
                let top = module.split('.').next().unwrap_or(module);
                bindings.insert(top.to_string(), top.to_string());
            }
            (ImportKind::From, Some(name), alias) if name != "*" => {
                bindings.insert(
                    alias.unwrap_or(name).to_string(),
                    format!("{module}.{name}"),
                );
            }
            _ => {}
        }
    }
    bindings
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

/// Spans of ruff's ranges.
trait SpanOf {
    fn span_of(&mut self, range: TextRange) -> Span;
}

impl SpanOf for Locator<'_> {
    fn span_of(&mut self, range: TextRange) -> Span {
        self.span(range.start().to_u32(), range.end().to_u32())
    }
}

/// Collects facts. `walk_statements` is the first pass (imports and their bindings, without
/// visiting expressions); the `Visitor` impl is the second (dynamic imports and attribute
/// uses). Both use the same context rules.
struct Walker<'a, 's> {
    /// How deep the expression walk is now (see [`MAX_EXPRESSION_WALK_DEPTH`]).
    expression_depth: usize,
    locator: &'a mut Locator<'s>,
    options: &'a ExtractOptions,
    context: ImportContext,
    imports: Vec<Import>,
    attribute_uses: Vec<AttributeUse>,
    /// Local name -> the dotted path it is bound to by an absolute import.
    bindings: HashMap<String, String>,
    /// Depth of `def`/`class` bodies around the current statement (0: module scope).
    scope_depth: u32,
    /// What the module binds at module level.
    module: ModuleBindings,
    /// Module-level definitions.
    definitions: Vec<Definition>,
}

impl<'a, 's> Walker<'a, 's> {
    fn new(locator: &'a mut Locator<'s>, options: &'a ExtractOptions) -> Self {
        Self {
            expression_depth: 0,
            locator,
            options,
            context: ImportContext::default(),
            imports: Vec::new(),
            attribute_uses: Vec::new(),
            bindings: HashMap::new(),
            scope_depth: 0,
            module: ModuleBindings::default(),
            definitions: Vec::new(),
        }
    }

    fn with_context(&mut self, context: ImportContext, visit: impl FnOnce(&mut Self)) {
        let saved = self.context;
        self.context = context;
        visit(self);
        self.context = saved;
    }

    /// The first pass: every import statement, through every compound statement, and what
    /// the module binds at module level.
    fn walk_statements(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import(import) => self.record_import(import),
                Stmt::ImportFrom(import) => self.record_import_from(import),
                Stmt::FunctionDef(function) => {
                    self.define(
                        &function.name.id,
                        function.name.range(),
                        DefinitionKind::Function,
                    );
                    self.scope_depth += 1;
                    self.with_context(self.function_body(), |walker| {
                        walker.walk_statements(&function.body)
                    });
                    self.scope_depth -= 1;
                }
                Stmt::ClassDef(class) => {
                    self.define(&class.name.id, class.name.range(), DefinitionKind::Class);
                    self.scope_depth += 1;
                    self.walk_statements(&class.body);
                    self.scope_depth -= 1;
                }
                Stmt::If(if_stmt) => {
                    for (context, body) in self.if_chain(if_stmt) {
                        self.with_context(context, |walker| walker.walk_statements(body));
                    }
                }
                Stmt::Try(try_stmt) => {
                    self.with_context(self.try_body(&try_stmt.handlers), |walker| {
                        walker.walk_statements(&try_stmt.body)
                    });
                    for handler in &try_stmt.handlers {
                        let ExceptHandler::ExceptHandler(handler) = handler;
                        self.walk_statements(&handler.body);
                    }
                    self.walk_statements(&try_stmt.orelse);
                    self.walk_statements(&try_stmt.finalbody);
                }
                Stmt::With(with_stmt) => {
                    for item in &with_stmt.items {
                        if let Some(target) = &item.optional_vars {
                            self.bind_targets(target, DefinitionKind::Assignment);
                        }
                    }
                    self.with_context(self.with_body(&with_stmt.items), |walker| {
                        walker.walk_statements(&with_stmt.body)
                    });
                }
                Stmt::For(for_stmt) => {
                    self.bind_targets(&for_stmt.target, DefinitionKind::Assignment);
                    self.walk_statements(&for_stmt.body);
                    self.walk_statements(&for_stmt.orelse);
                }
                Stmt::While(while_stmt) => {
                    self.walk_statements(&while_stmt.body);
                    self.walk_statements(&while_stmt.orelse);
                }
                Stmt::Match(match_stmt) => {
                    for case in &match_stmt.cases {
                        self.walk_statements(&case.body);
                    }
                }
                Stmt::Assign(assign) if self.at_module_scope() => {
                    for target in &assign.targets {
                        if is_name(target, "__all__") {
                            self.module.all = string_list(&assign.value);
                        }
                        if writes_module_namespace(target) {
                            self.module.dynamic = true;
                        }
                        self.bind_targets(target, DefinitionKind::Assignment);
                    }
                }
                Stmt::AnnAssign(assign) if self.at_module_scope() && assign.value.is_some() => {
                    if let Some(value) = assign
                        .value
                        .as_deref()
                        .filter(|_| is_name(&assign.target, "__all__"))
                    {
                        self.module.all = string_list(value);
                    }
                    self.bind_targets(&assign.target, DefinitionKind::Assignment);
                }
                Stmt::AugAssign(assign) if self.at_module_scope() => {
                    if is_name(&assign.target, "__all__") {
                        self.extend_all(string_list(&assign.value));
                    }
                    self.bind_targets(&assign.target, DefinitionKind::Assignment);
                }
                Stmt::TypeAlias(alias) if self.at_module_scope() => {
                    self.bind_targets(&alias.name, DefinitionKind::Assignment);
                }
                Stmt::Expr(expression) if self.at_module_scope() => {
                    self.record_module_level_call(&expression.value);
                }
                // `global N` in a function: the function may bind N at module level.
                Stmt::Global(global) => {
                    for name in &global.names {
                        self.bind(name.id.as_str());
                    }
                }
                _ => {}
            }
        }
    }

    fn at_module_scope(&self) -> bool {
        self.scope_depth == 0
    }

    /// Records that the module binds `name`. A module-level `__getattr__`, however it is
    /// bound (`def`, an import, or lazy_loader's `__getattr__, __dir__, __all__ =
    /// lazy.attach(...)`), answers for any name: the module's names are dynamic.
    fn bind(&mut self, name: &str) {
        if name == "__getattr__" {
            self.module.dynamic = true;
        }
        self.module.names.push(name.into());
    }

    /// Records a module-level definition of `name`.
    fn define(&mut self, name: &str, range: TextRange, kind: DefinitionKind) {
        if !self.at_module_scope() {
            return;
        }
        self.bind(name);
        self.definitions.push(Definition {
            name: name.into(),
            kind,
            range: (range.start().to_u32(), range.end().to_u32()),
        });
    }

    /// Binds every name an assignment target binds (`a`, `a, (b, *c)`); attribute and
    /// subscript targets bind nothing.
    fn bind_targets(&mut self, target: &Expr, kind: DefinitionKind) {
        match target {
            Expr::Name(name) => self.define(name.id.as_str(), name.range(), kind),
            Expr::Tuple(tuple) => {
                for element in &tuple.elts {
                    self.bind_targets(element, kind);
                }
            }
            Expr::List(list) => {
                for element in &list.elts {
                    self.bind_targets(element, kind);
                }
            }
            Expr::Starred(starred) => self.bind_targets(&starred.value, kind),
            _ => {}
        }
    }

    fn extend_all(&mut self, entries: Option<Vec<Box<str>>>) {
        match (&mut self.module.all, entries) {
            (Some(all), Some(entries)) => all.extend(entries),
            (all @ None, Some(entries)) => *all = Some(entries),
            (_, None) => {}
        }
    }

    /// `__all__.extend([...])`, `__all__.append("x")`, `globals().update(...)`.
    fn record_module_level_call(&mut self, expr: &Expr) {
        let Expr::Call(call) = expr else { return };
        let Expr::Attribute(method) = call.func.as_ref() else {
            return;
        };
        let argument = call.arguments.args.first();
        match (method.attr.id.as_str(), method.value.as_ref()) {
            ("extend", receiver) if is_name(receiver, "__all__") => {
                self.extend_all(argument.and_then(string_list));
            }
            ("append", receiver) if is_name(receiver, "__all__") => {
                if let Some(Expr::StringLiteral(literal)) = argument {
                    self.extend_all(Some(vec![literal.value.to_str().into()]));
                }
            }
            ("update", Expr::Call(inner))
                if is_name(&inner.func, "globals") || is_name(&inner.func, "vars") =>
            {
                self.module.dynamic = true;
            }
            _ => {}
        }
    }

    /// A function body runs when called, not when its module is imported.
    fn function_body(&self) -> ImportContext {
        ImportContext {
            lazy: true,
            ..self.context
        }
    }

    /// The context of each body of an `if`/`elif`/`else` chain. A body never runs when its
    /// test is `TYPE_CHECKING`, or when an earlier test was `not TYPE_CHECKING` (it is reached
    /// only when that test is false: `if not TYPE_CHECKING: ... else: <here>`); the other
    /// bodies keep the context.
    fn if_chain<'n>(
        &self,
        if_stmt: &'n StmtIf,
    ) -> impl Iterator<Item = (ImportContext, &'n [Stmt])> + 'n {
        let outer = self.context;
        let tests = std::iter::once((Some(if_stmt.test.as_ref()), &if_stmt.body)).chain(
            if_stmt
                .elif_else_clauses
                .iter()
                .map(|clause| (clause.test.as_ref(), &clause.body)),
        );
        // Every `if` of every file comes here: a lazy iterator, no allocation.
        tests.scan(false, move |after_negated_test, (test, body)| {
            let never_runs = *after_negated_test || test.is_some_and(is_type_checking);
            *after_negated_test |= test.is_some_and(is_not_type_checking);
            Some((
                ImportContext {
                    type_checking: outer.type_checking || never_runs,
                    ..outer
                },
                body.as_slice(),
            ))
        })
    }

    /// A `try` body whose handlers catch `ImportError` is guarded.
    fn try_body(&self, handlers: &[ExceptHandler]) -> ImportContext {
        ImportContext {
            guarded: self.context.guarded || handlers_catch_import_error(handlers),
            ..self.context
        }
    }

    /// A `with contextlib.suppress(ImportError):` body is guarded.
    fn with_body(&self, items: &[WithItem]) -> ImportContext {
        ImportContext {
            guarded: self.context.guarded
                || items
                    .iter()
                    .any(|item| suppresses_import_error(&item.context_expr)),
            ..self.context
        }
    }

    fn record_import(&mut self, stmt: &StmtImport) {
        let context = ImportContext {
            lazy: self.context.lazy || stmt.is_lazy,
            ..self.context
        };
        for alias in &stmt.names {
            let module = alias.name.id.as_str();
            if self.at_module_scope() {
                let bound = match &alias.asname {
                    Some(asname) => asname.id.as_str(),
                    None => module.split('.').next().unwrap_or(module),
                };
                self.bind(bound);
            }
            self.imports.push(Import {
                kind: ImportKind::Import,
                module: module.into(),
                level: 0,
                name: None,
                alias: asname(alias),
                span: self.locator.span_of(alias.range()),
                statement: self.locator.span_of(stmt.range()),
                module_range: (
                    alias.name.range().start().to_u32(),
                    alias.name.range().end().to_u32(),
                ),
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
        let module_range = written_module_range(self.locator.source, stmt);
        for alias in &stmt.names {
            let name = alias.name.id.as_str();
            if self.at_module_scope() {
                if name == "*" {
                    self.module.star_imports.push((stmt.level, module.into()));
                } else {
                    let bound = alias
                        .asname
                        .as_ref()
                        .map_or(name, |asname| asname.id.as_str());
                    self.bind(bound);
                }
            }
            self.imports.push(Import {
                kind: ImportKind::From,
                module: module.into(),
                level: stmt.level,
                name: Some(name.into()),
                alias: asname(alias),
                span: self.locator.span_of(alias.range()),
                statement: self.locator.span_of(stmt.range()),
                module_range,
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
        let argument = call_argument(call, 0, "name");
        let Some(Expr::StringLiteral(literal)) = argument else {
            return;
        };
        let written = literal.value.to_str();
        let Some((level, module)) = (if is_import_module {
            import_module_target(call, written)
        } else {
            dunder_import_target(call, written)
        }) else {
            return;
        };
        if level == 0 && module.is_empty() {
            return;
        }
        self.imports.push(Import {
            kind: ImportKind::Dynamic,
            module: module.into(),
            level,
            name: None,
            alias: None,
            span: self.locator.span_of(literal.range()),
            statement: self.locator.span_of(call.range()),
            module_range: literal_content_range(self.locator.source, literal.range()),
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
                    span: self.locator.span_of(expr.range()),
                    context: self.context,
                });
            }
        }
    }
}

/// The argument of a call at `position`, or given as the keyword `keyword`.
fn call_argument<'c>(call: &'c ExprCall, position: usize, keyword: &str) -> Option<&'c Expr> {
    call.arguments.args.get(position).or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|candidate| {
                candidate
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.id.as_str() == keyword)
            })
            .map(|candidate| &candidate.value)
    })
}

/// What `importlib.import_module(written, package)` imports, as (level, module): relative to
/// the calling file when `package` is its own (`__package__`, `__spec__.parent`), absolute
/// when `package` is a string literal (resolved as `importlib.util.resolve_name` does).
/// `None` when it cannot be known statically: a relative name with another `package`
/// (Django's `import_module(".management", app_config.name)`) or none (the call raises).
fn import_module_target(call: &ExprCall, written: &str) -> Option<(u32, String)> {
    let level = written.bytes().take_while(|&byte| byte == b'.').count();
    let name = &written[level..];
    if level == 0 {
        return Some((0, name.to_string()));
    }
    match call_argument(call, 1, "package")? {
        Expr::Name(package) if package.id.as_str() == "__package__" => {
            Some((level as u32, name.to_string()))
        }
        Expr::Attribute(parent)
            if parent.attr.id.as_str() == "parent" && is_name(&parent.value, "__spec__") =>
        {
            Some((level as u32, name.to_string()))
        }
        Expr::StringLiteral(package) => {
            let package = package.value.to_str();
            let bits: Vec<&str> = package.rsplitn(level, '.').collect();
            if package.is_empty() || bits.len() < level {
                return None;
            }
            let base = bits[bits.len() - 1];
            Some((
                0,
                if name.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}.{name}")
                },
            ))
        }
        _ => None,
    }
}

/// What `__import__(written, globals, locals, fromlist, level)` imports: absolute unless
/// `level` is given; a literal level counts from the calling file (its `globals()`); any
/// other level cannot be known statically.
fn dunder_import_target(call: &ExprCall, written: &str) -> Option<(u32, String)> {
    match call_argument(call, 4, "level") {
        None => Some((0, written.to_string())),
        Some(Expr::NumberLiteral(number)) => {
            let level = number.value.as_int()?.as_u16()?;
            Some((u32::from(level), written.to_string()))
        }
        Some(_) => None,
    }
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING` (any module's).
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `not TYPE_CHECKING` (any spelling [`is_type_checking`] accepts).
fn is_not_type_checking(test: &Expr) -> bool {
    matches!(test, Expr::UnaryOp(unary) if unary.op == UnaryOp::Not && is_type_checking(&unary.operand))
}

/// `contextlib.suppress(ImportError)` and friends.
fn suppresses_import_error(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    let is_suppress = match call.func.as_ref() {
        Expr::Name(name) => name.id.as_str() == "suppress",
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "suppress",
        _ => false,
    };
    is_suppress && call.arguments.args.iter().any(catches_import_error)
}

/// Reads a `# importgate: ignore[CODE, ...] -- reason` (or `ignore-file[...]`) comment;
/// `None` for comments that do not start with `importgate:`.
fn suppression(source: &str, range: TextRange, locator: &mut Locator<'_>) -> Option<Suppression> {
    let text = &source[range.start().to_usize()..range.end().to_usize()];
    let directive = super::suppression::directive(text.trim_start_matches('#'))?;
    let span = locator.span_of(range);
    let line_start = source[..range.start().to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |newline| newline + 1);
    let own_line = source[line_start..range.start().to_usize()]
        .trim()
        .is_empty();
    Some(directive.at(span, own_line))
}

/// The byte range of `..a.b` in `from ..a.b import c`: from the first dot (or the module's
/// first letter) to the module's end (or the last dot).
fn written_module_range(source: &str, stmt: &StmtImportFrom) -> (u32, u32) {
    let start = stmt.range().start().to_usize() + "from".len();
    let end = match &stmt.module {
        Some(module) => module.range().end().to_usize(),
        None => {
            // `from . import x`: the dots end where `import` begins.
            let names_start = stmt
                .names
                .first()
                .map_or(stmt.range().end(), |alias| alias.range().start());
            let between = &source[start..names_start.to_usize()];
            start + between.rfind('.').map_or(0, |dot| dot + 1)
        }
    };
    let written_start = if stmt.level > 0 {
        source[start..end].find('.').map_or(end, |dot| start + dot)
    } else {
        stmt.module
            .as_ref()
            .map_or(end, |module| module.range().start().to_usize())
    };
    (written_start as u32, end as u32)
}

/// The text between the quotes of a plain one-line string literal (`"a.b"`, `'a.b'`); an
/// empty range for prefixed, triple-quoted or concatenated literals, which fixes leave alone.
fn literal_content_range(source: &str, range: TextRange) -> (u32, u32) {
    let text = &source[range.start().to_usize()..range.end().to_usize()];
    let plain = text.len() >= 2
        && (text.starts_with('"') || text.starts_with('\''))
        && text.ends_with(&text[..1])
        && !text.starts_with("\"\"\"")
        && !text.starts_with("\'\'\'")
        && !text[1..text.len() - 1].contains(['"', '\'', '\\']);
    if plain {
        (range.start().to_u32() + 1, range.end().to_u32() - 1)
    } else {
        (range.start().to_u32(), range.start().to_u32())
    }
}

/// `expr` is the bare name `name`.
fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(bound) if bound.id.as_str() == name)
}

/// The strings of a list or tuple literal of string literals; `None` for anything else.
fn string_list(expr: &Expr) -> Option<Vec<Box<str>>> {
    let elements = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    elements
        .iter()
        .map(|element| match element {
            Expr::StringLiteral(literal) => Some(literal.value.to_str().into()),
            _ => None,
        })
        .collect()
}

/// `globals()[...] = ...`, `vars()[...] = ...` or `sys.modules[...] = ...`: the module's names
/// are decided at run time.
fn writes_module_namespace(target: &Expr) -> bool {
    let Expr::Subscript(subscript) = target else {
        return false;
    };
    match subscript.value.as_ref() {
        Expr::Call(call) => is_name(&call.func, "globals") || is_name(&call.func, "vars"),
        Expr::Attribute(attribute) => {
            attribute.attr.id.as_str() == "modules" && is_name(&attribute.value, "sys")
        }
        _ => false,
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
            // Collected by the first pass.
            Stmt::Import(_) | Stmt::ImportFrom(_) => {}
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
                self.with_context(self.function_body(), |walker| {
                    walker.visit_body(&function.body)
                });
            }
            Stmt::If(if_stmt) => {
                self.visit_expr(&if_stmt.test);
                for clause in &if_stmt.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                }
                for (context, body) in self.if_chain(if_stmt) {
                    self.with_context(context, |walker| walker.visit_body(body));
                }
            }
            Stmt::Try(try_stmt) => {
                self.with_context(self.try_body(&try_stmt.handlers), |walker| {
                    walker.visit_body(&try_stmt.body)
                });
                for handler in &try_stmt.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&try_stmt.orelse);
                self.visit_body(&try_stmt.finalbody);
            }
            Stmt::With(with_stmt) => {
                for item in &with_stmt.items {
                    self.visit_with_item(item);
                }
                self.with_context(self.with_body(&with_stmt.items), |walker| {
                    walker.visit_body(&with_stmt.body)
                });
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'n Expr) {
        // A real file nests expressions far less deep than CPython's compiler allows (about
        // 3,000); what lies deeper is not walked, so that no file can exhaust the stack.
        if self.expression_depth >= MAX_EXPRESSION_WALK_DEPTH {
            return;
        }
        self.expression_depth += 1;
        self.visit_expr_within_depth(expr);
        self.expression_depth -= 1;
    }
}

/// The deepest expression the walk for dynamic imports and banned attributes enters: above
/// the depth at which CPython's compiler gives up, so that no import Python could run is
/// missed.
const MAX_EXPRESSION_WALK_DEPTH: usize = 4_000;

impl<'n> Walker<'_, '_> {
    fn visit_expr_within_depth(&mut self, expr: &'n Expr) {
        match expr {
            Expr::Lambda(_) => {
                self.with_context(self.function_body(), |walker| {
                    visitor::walk_expr(walker, expr)
                });
                return;
            }
            Expr::Call(call) => self.record_dynamic_import(call),
            Expr::Attribute(_) => self.record_attribute_use(expr),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The Python frontend.
pub struct Python;

impl super::Frontend for Python {
    fn language(&self) -> super::Language {
        super::Language::Python
    }

    fn extract(&self, source: &str, options: &ExtractOptions) -> FileFacts {
        extract(source, options)
    }

    fn syntax_error_count(&self, source: &str) -> usize {
        syntax_error_count(source)
    }
}

/// How many syntax errors the parser reports for `source`: a fix must not add any.
pub fn syntax_error_count(source: &str) -> usize {
    match parse_within_limits(source) {
        Ok(parsed) => parsed.errors().len(),
        // Refused: worse than any number of recoverable errors.
        Err(_) => usize::MAX,
    }
}

/// Parses `source` unless it is nested deeper than CPython accepts. A file under
/// [`nesting::SCAN_BEFORE_PARSE_BYTES`] cannot nest deep enough to exhaust a parsing
/// thread's stack: it is parsed, and its tokens are held to CPython's limits (cheap: the
/// parser made them anyway). A bigger file is scanned byte by byte before the parser sees
/// it.
fn parse_within_limits(source: &str) -> Result<Parsed<ModModule>, TooDeep> {
    if source.len() >= nesting::SCAN_BEFORE_PARSE_BYTES {
        if let Some(too_deep) = nesting::too_deep(source) {
            return Err(too_deep);
        }
    }
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    match tokens_too_deep(parsed.tokens()) {
        Some(too_deep) => Err(too_deep),
        None => Ok(parsed),
    }
}

/// Why importgate refuses to take `source` as Python (nested deeper than CPython accepts),
/// if it does: the check [`extract`] makes before reading any fact.
pub fn nesting_problem(source: &str) -> Option<TooDeep> {
    parse_within_limits(source).err()
}

/// CPython's tokenizer limits, counted on the tokens: more than 200 nested brackets ("too
/// many nested parentheses"; an f-string's replacement fields count afresh, as CPython 3.11
/// compiles each field on its own) and the 100th level of indentation.
pub fn tokens_too_deep(tokens: &Tokens) -> Option<TooDeep> {
    let mut brackets = 0usize;
    let mut outside_fstrings: Vec<usize> = Vec::new();
    let mut indentation = 0usize;
    for token in tokens.iter() {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                brackets += 1;
                if brackets > nesting::MAX_BRACKETS {
                    return Some(TooDeep {
                        message: "too many nested parentheses".to_string(),
                        offset: token.start().to_usize(),
                    });
                }
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                brackets = brackets.saturating_sub(1);
            }
            TokenKind::FStringStart => {
                outside_fstrings.push(brackets);
                brackets = 0;
            }
            TokenKind::FStringEnd => brackets = outside_fstrings.pop().unwrap_or(0),
            TokenKind::Indent => {
                indentation += 1;
                if indentation > nesting::MAX_INDENT_LEVELS {
                    return Some(TooDeep {
                        message: "too many levels of indentation".to_string(),
                        offset: token.end().to_usize(),
                    });
                }
            }
            TokenKind::Dedent => indentation = indentation.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses `source` and does nothing else: the floor the benchmark compares a full check
/// with (returns the number of top-level statements so the work cannot be optimised away).
pub fn parse_only(source: &str) -> usize {
    parse_unchecked_source(source, PySourceType::Python)
        .syntax()
        .body
        .len()
}
