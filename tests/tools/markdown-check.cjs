// Reads `archc diff --format markdown` comments with markdown-it, a CommonMark parser (HTML
// blocks on, as GitHub renders comments), and checks what a reader would see: the hidden marker
// first, one heading, every <details> closed, nothing but archc's own HTML (no image, link or
// tag that came from the sources), and each ```mermaid block written out as <dir>/<name>-<i>.mmd
// for mermaid-render.cjs.
// Usage: node markdown-check.cjs <mermaid-dir> <comment.md>...   (NODE_PATH must reach markdown-it)
"use strict";
const fs = require("fs");
const path = require("path");
const MarkdownIt = require("markdown-it");

const md = new MarkdownIt({ html: true });
const [dir, ...files] = process.argv.slice(2);
fs.mkdirSync(dir, { recursive: true });
const allowedHtml = /^(<!-- archc-diff -->|<details><summary>[^<]*<\/summary>|<\/details>)$/;
let failures = 0;
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const problems = [];
  if (!text.startsWith("<!-- archc-diff -->\n")) problems.push("the marker is not the first line");
  const tokens = md.parse(text, {});
  const headings = tokens.filter((t) => t.type === "heading_open");
  if (headings.length !== 1 || headings[0].tag !== "h3") problems.push(`${headings.length} headings, want one h3`);
  let open = 0;
  let diagrams = 0;
  for (const token of tokens) {
    if (token.type === "html_block") {
      for (const line of token.content.split("\n").filter((l) => l.trim())) {
        if (!allowedHtml.test(line.trim())) problems.push(`unexpected HTML: ${line}`);
        if (line.startsWith("<details>")) open += 1;
        if (line.startsWith("</details>")) open -= 1;
      }
    }
    if (token.type === "fence" && token.info === "mermaid") {
      const name = `${path.basename(file, ".md")}-${diagrams}.mmd`;
      fs.writeFileSync(path.join(dir, name), token.content);
      diagrams += 1;
    }
    for (const child of token.children || []) {
      if (["image", "link_open", "html_inline"].includes(child.type)) {
        problems.push(`${child.type} in the text: ${child.content || child.attrGet("href") || ""}`);
      }
    }
  }
  if (open !== 0) problems.push(`${open} <details> left open`);
  const html = md.render(text);
  if (/<(script|img|iframe|a )/i.test(html)) problems.push("the rendered HTML holds a tag archc never writes");
  if (problems.length) {
    failures += 1;
    console.log(`${file}: FAILED\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`${file}: ok (${tokens.length} tokens, ${diagrams} diagrams)`);
  }
}
process.exit(failures ? 1 : 0);
