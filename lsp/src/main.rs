//! `archc-lsp`: serves the language server over stdio (what editors start).

#[tokio::main]
async fn main() {
    let (service, socket) = archc_lsp::service();
    tower_lsp_server::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
