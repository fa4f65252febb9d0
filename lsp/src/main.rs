//! `archc-lsp`: serves the language server over stdio (what editors start). Exits with status
//! 0 after `shutdown` and `exit`, 1 after `exit` alone or when the client goes away.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let (service, socket) = archc_lsp::service();
    archc_lsp::transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket).await;
    std::process::exit(if archc_lsp::server::shut_down() { 0 } else { 1 });
}
