// The VS Code client: starts `archc-lsp` (the path is the `archc.server.path` setting) over
// stdio for `.arch` files; everything else — diagnostics, hover, completion, navigation,
// rename, formatting — comes from the server.
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

async function activate(context) {
  await start();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("archc.server.path")) {
        if (client) await client.stop();
        await start();
      }
    }),
  );
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
