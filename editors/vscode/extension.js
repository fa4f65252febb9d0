// The VS Code client: starts `archc-lsp` (the path is the `archc.server.path` setting) over
// stdio for `.arch` files, and restarts it on "archc: Restart Server" or a new path; the
// `archc.trace.server` setting logs the traffic (vscode-languageclient reads it by the client's
// id). Everything else — diagnostics, hover, completion, navigation, rename, formatting —
// comes from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

async function start() {
  const command = vscode.workspace.getConfiguration("archc").get("server.path") || "archc-lsp";
  client = new LanguageClient(
    "archc",
    "archc",
    { command, args: [] },
    { documentSelector: [{ scheme: "file", language: "arch" }] },
  );
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `archc: cannot start the language server \`${command}\` (${error.message}). ` +
        "Build it with `cargo build --release -p archc-lsp` and set `archc.server.path`.",
    );
  }
}

async function restart() {
  if (client) await client.stop();
  await start();
}

async function activate(context) {
  await start();
  context.subscriptions.push(
    vscode.commands.registerCommand("archc.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("archc.server.path")) await restart();
    }),
  );
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
