// Prints the IAM policies of a generated Terraform root module, as HashiCorp's HCL parser
// (@cdktf/hcl2json) reads them: for every `aws_iam_role_policy`, the role it is attached to and
// the statements of its `aws_iam_policy_document` (sid, actions, resources and any conditions, as written: a
// reference stays `${aws_s3_bucket.uploads.arn}/*`). The test suite asserts on this JSON, so
// what it checks is what Terraform would read, not archc's own idea of it.
// Usage: node iam-policies.cjs <dir>   (NODE_PATH must reach @cdktf/hcl2json)
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require("@cdktf/hcl2json");

const one = (value) => (Array.isArray(value) ? value[0] : value);
/** `${aws_iam_role.api_task.id}` → `api_task`. */
const label = (expression, type) => {
  const m = String(expression).match(new RegExp(`${type.replace(/[.]/g, "\\.")}\\.([a-z0-9_]+)`));
  return m ? m[1] : null;
};

async function main(dir) {
  const resources = {};
  const data = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const json = await parse(file, fs.readFileSync(path.join(dir, file), "utf8"));
    for (const [type, byName] of Object.entries(json.resource || {})) {
      for (const [name, bodies] of Object.entries(byName)) resources[`${type}.${name}`] = one(bodies);
    }
    for (const [type, byName] of Object.entries(json.data || {})) {
      for (const [name, bodies] of Object.entries(byName)) data[`${type}.${name}`] = one(bodies);
    }
  }
  const policies = {};
  for (const [key, body] of Object.entries(resources)) {
    if (!key.startsWith("aws_iam_role_policy.")) continue;
    const role = label(body.role, "aws_iam_role");
    const document = data[`aws_iam_policy_document.${label(body.policy, "data.aws_iam_policy_document")}`];
    const statements = (document?.statement || []).map((s) => {
      const statement = {
        sid: s.sid ?? null,
        effect: s.effect ?? "Allow",
        actions: s.actions ?? [],
        resources: s.resources ?? [],
      };
      // Conditions only where a statement has them (test, variable, values, as written).
      if (s.condition) {
        statement.conditions = s.condition.map((c) => ({ test: c.test, variable: c.variable, values: c.values }));
      }
      return statement;
    });
    policies[role] = statements;
  }
  process.stdout.write(JSON.stringify(policies, null, 2) + "\n");
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(2);
});
