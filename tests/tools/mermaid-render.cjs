// Renders Mermaid diagrams with the real `mermaid` package in Debian's headless Chromium
// (driven by puppeteer-core; no browser is downloaded) and saves a PNG of each.
// Usage: node mermaid-render.cjs <png-dir> <file.mmd>...   (NODE_PATH must reach both packages)
// Prints one line per diagram, with what it drew (nodes, edges, subgraphs: a string that escaped
// its label would add some), and exits 1 if any fails to parse or render.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const puppeteer = require("puppeteer-core");

async function main() {
  const [pngDir, ...files] = process.argv.slice(2);
  fs.mkdirSync(pngDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "archc-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  let failures = 0;
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1000, deviceScaleFactor: 2 });
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ path: require.resolve("mermaid/dist/mermaid.min.js") });
    await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { useMaxWidth: false } }));
    for (const [i, file] of files.entries()) {
      const text = fs.readFileSync(file, "utf8");
      const result = await page.evaluate(async (id, source) => {
        try {
          await window.mermaid.parse(source);
          const { svg } = await window.mermaid.render(id, source);
          document.body.innerHTML = `<div id="out" style="display:inline-block;background:white">${svg}</div>`;
          const count = (selector) => document.querySelectorAll(selector).length;
          return {
            ok: true,
            drawn: `${count("#out g.node")} nodes, ${count("#out g.edgePaths > path, #out path.flowchart-link")} edges, ${count("#out g.cluster")} subgraphs`,
          };
        } catch (error) {
          return { ok: false, message: String(error && error.message ? error.message : error) };
        }
      }, `diagram${i}`, text);
      if (!result.ok) {
        failures += 1;
        console.log(`${file}: FAILED: ${result.message.split("\n")[0]}`);
        continue;
      }
      const element = await page.$("#out");
      const png = path.join(pngDir, file.split(path.sep).slice(-3).join("-").replace(/\.mmd$/, ".png"));
      await element.screenshot({ path: png });
      console.log(`${file}: rendered ${png} (${result.drawn})`);
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`rendered ${files.length - failures} of ${files.length} diagrams`);
  process.exit(failures ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
