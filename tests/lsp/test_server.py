"""End to end: `importgate server` driven by a real LSP client (pytest-lsp, on pygls).

Each test works on a scratch copy of the demo monorepo and its registry, so that editing
and breaking them touches nothing in the repository. `IMPORTGATE` names the binary.
"""

import asyncio
import json
import os
import pathlib
import shutil
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
IMPORTGATE = os.environ.get("IMPORTGATE", str(REPOSITORY / "target" / "debug" / "importgate"))
TREE = pathlib.Path(os.environ["IMPORTGATE_LSP_TREE"])
INGEST = TREE / "fixtures" / "monorepo" / "analytics_service" / "pipeline" / "ingest.py"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[IMPORTGATE, "server"]),
)
async def client(lsp_client: LanguageClient):
    if TREE.exists():
        shutil.rmtree(TREE)
    (TREE / "fixtures").mkdir(parents=True)
    shutil.copytree(REPOSITORY / "fixtures" / "monorepo", TREE / "fixtures" / "monorepo")
    shutil.copy(REPOSITORY / "rules.toml", TREE / "rules.toml")
    registrations = []

    # An editor accepts the server's file watchers (the test sends the file events itself).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=TREE.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=TREE.as_uri(), name="demo")],
        )
    )
    yield
    await lsp_client.shutdown_session()
    # LSP: `shutdown` then `exit` is a clean exit, code 0.
    assert lsp_client._server.returncode == 0


def open_document(client: LanguageClient, path: pathlib.Path, version: int = 1) -> str:
    uri = path.as_uri()
    language = {".toml": "toml", ".rs": "rust"}.get(path.suffix, "python")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=version, text=path.read_text()
            )
        )
    )
    return uri


def insert_line(client: LanguageClient, uri: str, version: int, line: int, text: str) -> None:
    """Sends an incremental change that inserts `text` at the start of `line`."""
    start = types.Position(line=line, character=0)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=start), text=text
                )
            ],
        )
    )


async def diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """Waits for the next diagnostics published for `uri`."""
    while True:
        # A server that never answers fails the test instead of hanging CI.
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=60
        )
        if uri in client.diagnostics:
            return list(client.diagnostics.pop(uri))


def check_json(path: pathlib.Path, cwd: pathlib.Path = TREE) -> list[dict]:
    output = subprocess.run(
        [IMPORTGATE, "check", "--no-cache", "--output-format", "json", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert output.returncode in (0, 1), output.stderr
    return json.loads(output.stdout)["diagnostics"]


def copy_import_graph_case() -> pathlib.Path:
    """A copy of the import-graph case (layers, chains) beside the demo, with its registry."""
    graph = TREE / "graph"
    shutil.copytree(REPOSITORY / "tests" / "fixtures" / "cases" / "import-graph", graph)
    return graph


def copy_rust_workspace_case() -> pathlib.Path:
    """A copy of the Rust workspace case (three crates, `languages = ["rust"]`) beside the
    demo, with its registry."""
    workspace = TREE / "rust"
    shutil.copytree(REPOSITORY / "tests" / "fixtures" / "cases" / "rust-workspace", workspace)
    return workspace


def utf16_column(line: str, character_column: int) -> int:
    """The UTF-16 column of a 1-based character column."""
    return len(line[: character_column - 1].encode("utf-16-le")) // 2


@pytest.mark.asyncio
async def test_an_opened_file_gets_the_diagnostics_check_prints(client: LanguageClient):
    uri = open_document(client, INGEST)
    published = await diagnostics_of(client, uri)
    printed = check_json(INGEST)
    assert printed, "the demo file has findings"
    lines = INGEST.read_text().splitlines()

    def position(line: int, column: int) -> tuple[int, int]:
        return (line - 1, utf16_column(lines[line - 1], column))

    expected = sorted(
        (
            entry["code"],
            position(entry["line"], entry["column"]),
            position(entry["end_line"], entry["end_column"]),
            entry["message"],
            entry.get("rule"),
            entry.get("hint"),
        )
        for entry in printed
    )
    got = sorted(
        (
            d.code,
            (d.range.start.line, d.range.start.character),
            (d.range.end.line, d.range.end.character),
            d.message.split("\n")[0],
            d.data.get("rule"),
            d.data.get("hint"),
        )
        for d in published
    )
    assert got == expected
    for diagnostic in published:
        assert diagnostic.source == "importgate"
        assert diagnostic.code_description.href.endswith("#" + diagnostic.code.lower())


@pytest.mark.asyncio
async def test_a_forbidden_import_typed_in_the_buffer_is_reported_with_its_hint_before_saving(
    client: LanguageClient,
):
    uri = open_document(client, INGEST)
    before = await diagnostics_of(client, uri)
    # Non-ASCII text before the import on its line: the column must count UTF-16 units
    # (the emoji is two), not bytes or characters.
    added = (
        "# a comment\n"
        's = "café 😀"; from netra_backend.app.database.session_manager import SessionManager as SM\n'
    )
    insert_line(client, uri, 2, 0, added)
    after = await diagnostics_of(client, uri)
    new = [d for d in after if d.range.start.line == 1 and d.code == "IG001"]
    assert len(new) == 1, after
    forbidden = new[0]
    line = added.splitlines()[1]
    assert forbidden.range.start.character == utf16_column(line, line.index("SessionManager") + 1)
    assert forbidden.range.start.character == line.index("SessionManager") + 1  # the emoji
    assert "hint: Read backend data through shared.events" in forbidden.message
    assert forbidden.related_information[0].location.uri.endswith("/rules.toml")
    # The file on disk is untouched: the finding came from the buffer.
    assert "SM" not in INGEST.read_text()
    assert len(after) == len(before) + 1


@pytest.mark.asyncio
async def test_a_broken_registry_gets_its_error_while_it_is_edited(client: LanguageClient):
    registry = TREE / "rules.toml"
    uri = open_document(client, registry)
    assert await diagnostics_of(client, uri) == []
    text = registry.read_text()
    line = text.splitlines().index("[settings]") + 1
    insert_line(client, uri, 2, line, "roots = 3\n")
    errors = await diagnostics_of(client, uri)
    assert len(errors) == 1, errors
    assert errors[0].severity == types.DiagnosticSeverity.Error
    assert errors[0].range.start.line == line
    assert "roots" in errors[0].message
    # Undone: the error goes.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    assert await diagnostics_of(client, uri) == []


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Applies LSP text edits (UTF-16 positions, non-overlapping) to `text`."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, character in enumerate(line):
            if units >= position.character:
                return before + index
            units += len(character.encode("utf-16-le")) // 2
        return before + len(line.rstrip("\r\n"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


async def actions_for(client: LanguageClient, uri: str, diagnostic: types.Diagnostic):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.asyncio
async def test_the_fix_is_the_preferred_action_and_applying_it_clears_the_finding(
    client: LanguageClient,
):
    path = TREE / "fixtures" / "monorepo" / "netra_backend" / "app" / "legacy_report.py"
    uri = open_document(client, path)
    found = await diagnostics_of(client, uri)
    canonical = next(d for d in found if d.code == "IG010")
    actions = await actions_for(client, uri, canonical)
    preferred = [a for a in actions if a.is_preferred]
    assert len(preferred) == 1, actions
    assert preferred[0].kind == types.CodeActionKind.QuickFix
    assert "netra_backend.app.database.session_manager" in preferred[0].title
    fixed = apply_edits(path.read_text(), preferred[0].edit.changes[uri])
    # The same bytes `check --fix` writes.
    subprocess.run([IMPORTGATE, "check", "--fix", "--no-cache", str(path)], cwd=TREE, capture_output=True, check=False)
    assert fixed == path.read_text()
    replace_all(client, uri, 2, fixed)
    after = await diagnostics_of(client, uri)
    assert [d for d in after if d.code == "IG010"] == []


@pytest.mark.asyncio
async def test_a_suppression_action_silences_the_finding_on_its_line(client: LanguageClient):
    uri = open_document(client, INGEST)
    found = await diagnostics_of(client, uri)
    forbidden = next(d for d in found if d.code == "IG001")
    actions = await actions_for(client, uri, forbidden)
    titles = [a.title for a in actions]
    assert "Suppress IG001 on this line" in titles and "Suppress IG001 in this file" in titles
    line_action = next(a for a in actions if a.title == "Suppress IG001 on this line")
    suppressed = apply_edits(INGEST.read_text(), line_action.edit.changes[uri])
    assert "# importgate: ignore[IG001] --" in suppressed.splitlines()[forbidden.range.start.line]
    replace_all(client, uri, 2, suppressed)
    after = await diagnostics_of(client, uri)
    assert [d.code for d in after] == [d.code for d in found if d.code != "IG001"]


@pytest.mark.asyncio
async def test_a_module_created_on_disk_is_seen_by_the_open_files(client: LanguageClient):
    uri = open_document(client, INGEST)
    await diagnostics_of(client, uri)
    insert_line(client, uri, 2, 0, "import analytics_service.pipeline.enrich\n")
    missing = await diagnostics_of(client, uri)
    assert [d.code for d in missing if d.range.start.line == 0] == ["IG020"], missing
    # The server asked to hear of Python files created, changed or deleted.
    (watchers,) = [r for r in client.registrations if r.method == "workspace/didChangeWatchedFiles"]
    assert "**/*.py" in [w["globPattern"] for w in watchers.register_options["watchers"]]
    # Created outside the editor (a checkout, a generator): the client's file watcher says so.
    created = INGEST.parent / "enrich.py"
    created.write_text("def enrich(rows):\n    return rows\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=created.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    found = await diagnostics_of(client, uri)
    assert [d for d in found if d.range.start.line == 0] == []


@pytest.mark.asyncio
async def test_a_chain_finding_points_at_its_rule_and_at_every_import_of_the_chain(
    client: LanguageClient,
):
    graph = copy_import_graph_case()
    user = graph / "app" / "models" / "user.py"
    uri = open_document(client, user)
    found = await diagnostics_of(client, uri)
    (layers,) = [d for d in found if d.code == "IG031"]
    related = layers.related_information
    assert related[0].location.uri == (graph / "rules.toml").as_uri()
    rules_line = (graph / "rules.toml").read_text().splitlines()[related[0].location.range.start.line]
    # The value that forbids it: the layer order.
    assert rules_line.startswith("layers = ["), rules_line
    hops = [(r.location.uri, r.location.range.start.line, r.message) for r in related[1:]]
    assert hops == [
        (user.as_uri(), 0, "1. app.models.user imports app.util"),
        ((graph / "app" / "util.py").as_uri(), 0, "2. app.util imports app.services.mailer"),
    ]


@pytest.mark.asyncio
async def test_hover_on_an_import_shows_the_boundary_that_governs_it_and_its_finding(
    client: LanguageClient,
):
    uri = open_document(client, INGEST)
    found = await diagnostics_of(client, uri)
    assert any(d.code == "IG001" and d.range.start.line == 2 for d in found), found
    line = INGEST.read_text().splitlines()[2]
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=line.index("SessionManager") + 3),
        )
    )
    text = hover.contents.value
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "**`netra_backend.app.database.session_manager.SessionManager`**" in text, text
    assert "`analytics-not-backend` **forbids** it (`netra_backend`)" in text, text
    assert "**IG001**" in text, text
    assert hover.range.start.line == 2
    # Nothing to say where there is no import.
    assert await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=0),
        )
    ) is None


@pytest.mark.asyncio
async def test_a_rust_file_gets_what_check_prints_and_hovers_on_its_uses_and_paths(
    client: LanguageClient,
):
    workspace = copy_rust_workspace_case()
    lib = workspace / "crates" / "api" / "src" / "lib.rs"
    uri = open_document(client, lib)
    published = await diagnostics_of(client, uri)
    printed = check_json(lib, cwd=workspace)
    assert {entry["code"] for entry in printed} >= {"IG001", "IG003", "IG020", "IG021", "IG031"}
    assert sorted(
        (d.code, d.range.start.line + 1, d.range.start.character + 1) for d in published
    ) == sorted((entry["code"], entry["line"], entry["column"]) for entry in printed), (published, printed)
    lines = lib.read_text().splitlines()
    secret = lines.index("use core::internal::secret;")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=secret, character=lines[secret].index("secret")),
        )
    )
    text = hover.contents.value
    assert "**`app_core::internal::secret`**, imported by `api`" in text, text
    assert "`core-internals` **forbids** it (`app_core::internal`)" in text, text
    assert "**IG001**" in text, text
    # A path in code, through a `use` binding of a module.
    through = next(at for at, line in enumerate(lines) if "eng::glue::stick()" in line)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=through, character=lines[through].index("glue")),
        )
    )
    assert "**`app_core::engine::glue::stick`**" in hover.contents.value, hover.contents.value
    # A `use` typed into the buffer is reported before it is saved.
    insert_line(client, uri, 2, 0, "use core::internal::secret as again;\n")
    published = await diagnostics_of(client, uri)
    assert any(d.code == "IG001" and d.range.start.line == 0 for d in published), published


@pytest.mark.asyncio
async def test_a_chain_made_or_broken_by_a_file_saved_elsewhere_refreshes_the_open_file(
    client: LanguageClient,
):
    graph = copy_import_graph_case()
    user = graph / "app" / "models" / "user.py"
    util = graph / "app" / "util.py"
    uri = open_document(client, user)
    assert [d.code for d in await diagnostics_of(client, uri)].count("IG031") == 1
    # Another program (a formatter, a checkout) rewrites a file the chain goes through,
    # and the client says nothing: the server's own watcher sees it. (Written whole, by
    # rename, so that no check can see it half written.)
    def save(text: str) -> None:
        temporary = util.with_suffix(".py.tmp")
        temporary.write_text(text)
        os.replace(temporary, util)

    save("import os\n")
    assert [d.code for d in await diagnostics_of(client, uri)].count("IG031") == 0
    save("import app.services.mailer\n")
    assert [d.code for d in await diagnostics_of(client, uri)].count("IG031") == 1


@pytest.mark.asyncio
async def test_a_hover_asked_of_text_that_changes_before_the_answer_is_not_answered(
    client: LanguageClient,
):
    uri = open_document(client, INGEST)
    await diagnostics_of(client, uri)
    line = INGEST.read_text().splitlines()[2]
    asked = asyncio.ensure_future(
        client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=2, character=line.index("SessionManager")),
            )
        )
    )
    await asyncio.sleep(0.005)  # the request is sent (the server waits 40 ms for quiet)
    # Typing goes on before the server answers: the position may no longer be the import.
    insert_line(client, uri, 2, 0, "# moved down\n")
    with pytest.raises(JsonRpcException) as refused:
        await asyncio.wait_for(asked, timeout=60)
    assert refused.value.code == -32801  # ContentModified
