//! The language server (`aclc lsp`): live diagnostics and hover in every
//! editor, on the very engine `aclc check` runs.
//!
//! A front end like the command line, kept in the library so that tests
//! and the latency benchmark drive it in-process; it reads the workspace's
//! files through [`crate::load`] and talks through the streams it is
//! given (the binary gives it stdin and stdout; it never prints).
//!
//! - [`state`]: the workspace (a [`crate::workspace::Workspace`]: every
//!   policy file parsed once, an edit re-parses its file only), the
//!   editor's buffers laid over the files on disk, what was published;
//! - [`server`]: messages to changes, one analysis loop (debounce, stale
//!   results dropped, only files whose diagnostics changed published);
//! - [`convert`]: the one conversion to LSP diagnostics and positions;
//! - [`hover`]: what the thing under the cursor is and does;
//! - [`symbols`]: where every name is declared and used (definition,
//!   references, rename: [`navigate`]), with [`library`] showing the
//!   embedded predefined library read-only;
//! - [`complete`]: completion; [`tokens`]: semantic tokens and folding;
//!   [`lens`]: code lens and inlay hints; [`actions`]: the code actions
//!   that need a human choice (the safe ones are the diagnostics' fixes).

pub mod actions;
pub mod complete;
pub mod convert;
pub mod framing;
pub mod hover;
pub mod lens;
pub mod library;
pub mod navigate;
pub mod server;
pub mod state;
pub mod symbols;
pub mod tokens;

pub use server::{Backend, ServerOptions};

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serve the protocol on `input`/`output` until the client exits. The
/// input goes through [`framing::sanitize`]: a malformed message is
/// answered with an error instead of ending the session.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = LspService::build(move |client| Backend::new(client, options))
        .custom_method(framing::MALFORMED, Backend::malformed)
        .finish();
    let (reader, writer) = tokio::io::duplex(1 << 16);
    let server = Server::new(reader, output, socket).serve(service);
    // When the input ends, the writer is dropped and the server sees the
    // end too; when the server ends (`exit`), the input is left unread.
    tokio::select! {
        () = server => {}
        () = async {
            framing::sanitize(input, writer).await;
            std::future::pending::<()>().await;
        } => {}
    }
}
