// Checks a generated Terraform root module with real tools:
//   1. every .tf file parses with HashiCorp's HCL parser (@cdktf/hcl2json);
//   2. every aws_* resource and data source type, argument and nested block exists in the AWS
//      provider's schema (@cdktn/provider-aws, generated from hashicorp/aws);
//   3. every reference (aws_x.y, data.aws_x.y, aws.<alias>) names a declared block.
// Usage: node terraform-check.cjs <dir>   (NODE_PATH must reach both packages)
// Prints one problem per line and exits 1 when there is any.
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require("@cdktf/hcl2json");

const providerLib = path.join(path.dirname(require.resolve("@cdktn/provider-aws/package.json")), "lib");
const META = new Set(["count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);

// -- the provider's schema, read from its generated attribute tables ----------------------------

const schemaCache = new Map();

/** Entries of every `const attrs = { … }` table in a piece of generated code. */
function attributeTable(code) {
  const attrs = {};
  const entry = /^\s+([a-z0-9_]+): \{\n\s+value: ([^\n]*)\n\s+isBlock: (true|false),/gm;
  let m;
  while ((m = entry.exec(code)) !== null) {
    const block = m[3] === "true";
    const fn = block ? (m[2].match(/([A-Za-z0-9]+)ToHclTerraform/) || [])[1] : undefined;
    attrs[m[1]] = { block, fn };
  }
  return attrs;
}

/** The schema of one resource or data source type: top-level arguments and nested structs. */
function schemaOf(kind, type) {
  const key = `${kind}:${type}`;
  if (schemaCache.has(key)) return schemaCache.get(key);
  const base = type.replace(/^aws_/, "").replace(/_/g, "-");
  const dir = kind === "data" ? `data-aws-${base}` : base;
  const file = path.join(providerLib, dir, "index.js");
  let schema = null;
  if (fs.existsSync(file)) {
    const code = fs.readFileSync(file, "utf8");
    if (code.includes(`static tfResourceType = "${type}";`)) {
      const structs = {};
      const fnStart = /^function ([A-Za-z0-9]+)ToHclTerraform\(struct\) \{$/gm;
      const starts = [];
      let m;
      while ((m = fnStart.exec(code)) !== null) starts.push({ name: m[1], index: m.index });
      starts.forEach((start, i) => {
        const end = i + 1 < starts.length ? starts[i + 1].index : code.length;
        structs[start.name] = attributeTable(code.slice(start.index, end));
      });
      const main = code.indexOf("synthesizeHclAttributes() {");
      const top = main >= 0 ? attributeTable(code.slice(main, code.indexOf("\n    }\n", main))) : {};
      schema = { top, structs };
    }
  }
  schemaCache.set(key, schema);
  return schema;
}

function checkBody(body, attrs, schema, where, problems) {
  for (const [key, value] of Object.entries(body)) {
    if (META.has(key)) continue;
    const attr = attrs[key];
    if (!attr) {
      problems.push(`${where}: unknown argument or block \`${key}\``);
      continue;
    }
    if (attr.block) {
      const items = Array.isArray(value) ? value : [value];
      const inner = schema.structs[attr.fn] || {};
      items.forEach((item, i) => {
        if (item && typeof item === "object") checkBody(item, inner, schema, `${where}.${key}[${i}]`, problems);
      });
    }
  }
}

// -- references ----------------------------------------------------------------------------------

function strings(value, out) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

async function main() {
  const dir = process.argv[2];
  const problems = [];
  const declared = new Set();
  const aliases = new Set();
  const bodies = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    let json;
    try {
      json = await parse(name, text);
    } catch (error) {
      problems.push(`${name}: HCL parse error: ${String(error).trim()}`);
      continue;
    }
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries(json[kind] || {})) {
        for (const [blockName, items] of Object.entries(byName)) {
          declared.add(`${kind === "data" ? "data." : ""}${type}.${blockName}`);
          for (const body of items) bodies.push({ file: name, kind, type, name: blockName, body });
        }
      }
    }
    for (const items of Object.values(json.provider || {})) {
      for (const provider of items) if (provider.alias) aliases.add(provider.alias);
    }
    bodies.push({ file: name, kind: "other", body: { output: json.output, terraform: json.terraform } });
  }
  for (const { file, kind, type, name, body } of bodies) {
    if (kind === "other" || !type.startsWith("aws_")) continue;
    const schema = schemaOf(kind, type);
    const where = `${file}: ${kind === "data" ? "data." : ""}${type}.${name}`;
    if (!schema) {
      problems.push(`${where}: no ${kind === "data" ? "data source" : "resource"} type \`${type}\` in the AWS provider`);
      continue;
    }
    checkBody(body, schema.top, schema, where, problems);
  }
  const reference = /(?<![\w.])(data\.)?((?:aws|archive)_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g;
  for (const { file, body } of bodies) {
    for (const text of strings(body, [])) {
      for (const raw of text.match(/\$\{[^}]*(\{[^}]*\}[^}]*)*\}/g) || []) {
        // Quoted strings inside an expression are data, not references.
        const expression = raw.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        let m;
        while ((m = reference.exec(expression)) !== null) {
          const address = `${m[1] || ""}${m[2]}.${m[3]}`;
          if (!declared.has(address)) problems.push(`${file}: reference to undeclared \`${address}\``);
        }
        for (const alias of expression.match(/(?<![\w.])aws\.([a-z0-9_]+)/g) || []) {
          const name = alias.slice(4);
          if (!aliases.has(name)) problems.push(`${file}: provider alias \`${alias}\` is not declared`);
        }
      }
    }
  }
  for (const problem of problems) console.log(problem);
  console.log(`checked ${bodies.length} blocks: ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}

main();
