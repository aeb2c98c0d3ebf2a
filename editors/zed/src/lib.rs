//! The Zed extension for importgate: Zed starts only the language servers an extension
//! provides, so this one starts `importgate server` — the `importgate` on the worktree's
//! PATH (a virtual environment's, `pip install importgate`, or `cargo install`), or the
//! binary named in Zed's settings (`lsp.importgate.binary.path` and `.arguments`).

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct Importgate;

impl zed::Extension for Importgate {
    fn new() -> Self {
        Importgate
    }

    fn language_server_command(
        &mut self,
        language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(language_server_id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured = binary.as_ref().and_then(|binary| binary.path.clone());
        let command = match configured {
            Some(path) => path,
            None => worktree.which("importgate").ok_or_else(|| {
                "importgate is not on PATH: `pip install importgate` (or set \
                 lsp.importgate.binary.path in Zed's settings)"
                    .to_string()
            })?,
        };
        let args = binary
            .and_then(|binary| binary.arguments)
            .unwrap_or_else(|| vec!["server".to_string()]);
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(Importgate);
