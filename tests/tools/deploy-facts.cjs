// Checks deploy-time facts on a whole `archc build` output directory, reading only the generated
// files (Terraform through HashiCorp's HCL parser, ecspresso's JSON), never archc's IR, so that
// it catches archc's own mistakes. What AWS would accept on paper but not run:
//   - every resource and data address is declared once per environment;
//   - every ECS task (services from ecspresso, jobs from EventBridge Scheduler) can start: for
//     ECR (API and registry), S3 (image layers), CloudWatch Logs and, when it has secrets,
//     Secrets Manager, its security group allows 443 out and its subnets reach that service
//     (a default route to a NAT that admits the task, or VPC endpoints it can reach);
//   - every target group is forwarded to by a listener;
//   - a CloudFront VPC origin connects on the port its load balancer's listener has;
//   - every load balancer spans at least two zones;
//   - CloudFront aliases are unique across environments, and covered by the viewer certificate;
//   - no bucket behind CloudFront is the Terraform state bucket or a log bucket;
//   - the root does not manage the bucket its own state lives in (the bootstrap does);
//   - Service Connect holds together: a service's namespace is declared, the port it offers is
//     named in its task, and every `*_ENDPOINT` a task is told to call is offered by a service
//     while the caller is a Service Connect client itself;
//   - mail can leave: each SES identity is in the environment's hosted zone and has its three
//     DKIM CNAME records (SES verifies a domain by them), a MAIL FROM domain has its MX record
//     at SES, every `ses:Send*` grant on an identity is limited to the identity's addresses, and
//     every alarm on SES counts a configuration set's events that an event destination publishes
//     under that dimension;
//   - a distribution's web ACL has scope CLOUDFRONT and lives in us-east-1, and logs to a log
//     group there whose name starts with `aws-waf-logs-` (WAF refuses any other);
//   - a task allowed out to a private connection's ranges has a route to each, through the
//     connection, from each of its subnets;
//   - a blue/green service has a bake time, a second target group, a production listener rule
//     forwarding to both that Terraform leaves to ECS (and a test listener rule, when it has
//     one, on another listener), and a role with the policy ECS needs;
//   - where the account blocks public access (an exclusion says so; an egress-only one that it
//     blocks both ways), CloudFront's VPC origins and every NAT are excluded as they must be,
//     and no exclusion opens a public subnet or the whole VPC to inbound traffic.
// Usage: node deploy-facts.cjs <out-dir>   (NODE_PATH must reach @cdktf/hcl2json)
// Prints one problem per line and exits 1 when there is any.
"use strict";
const fs = require("fs");
const path = require("path");
const { parse } = require("@cdktf/hcl2json");

const problems = [];
const problem = (env, text) => problems.push(`${env}: ${text}`);

/** `${aws_x.y.attr}` → ["aws_x.y", …]: the addresses a value refers to. */
function refs(value, type) {
  const text = JSON.stringify(value ?? "");
  const pattern = new RegExp(`(?:^|[^a-z0-9_.])(${type ? type.replace(/[.]/g, "\\.") : "aws_[a-z0-9_]+"}\\.[a-z0-9_]+)`, "g");
  return [...text.matchAll(pattern)].map((m) => m[1]);
}
const one = (value) => (Array.isArray(value) ? value[0] : value);

async function loadEnv(dir) {
  const blocks = { resource: {}, data: {} };
  const backend = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const json = await parse(file, fs.readFileSync(path.join(dir, file), "utf8"));
    for (const kind of ["resource", "data"]) {
      for (const [type, byName] of Object.entries(json[kind] || {})) {
        for (const [name, bodies] of Object.entries(byName)) {
          const key = `${type}.${name}`;
          blocks[kind][key] = (blocks[kind][key] || []).concat(bodies);
        }
      }
    }
    for (const t of json.terraform || []) if (t.backend) backend.push(t.backend);
  }
  return { blocks, backend };
}

// ECS's built-in blue/green: a bake time; a load balancer whose advanced configuration names
// a second target group, a production listener rule that forwards to both target groups and
// that Terraform leaves to ECS afterwards (ignore_changes on its action), and a role ECS may
// assume that carries AWS's managed policy for load balancers. A rolling service has none of it.
function blueGreen(env, service, svc, res, all, ssmRefs) {
  const deployment = svc.deploymentConfiguration || {};
  const lbs = svc.loadBalancers || [];
  if (deployment.strategy !== "BLUE_GREEN") {
    if (lbs.some((lb) => lb.advancedConfiguration)) problem(env, `service ${service} is not blue/green but names an alternate target group`);
    return;
  }
  if (typeof deployment.bakeTimeInMinutes !== "number") problem(env, `service ${service} is blue/green without a bake time`);
  if (lbs.length === 0) problem(env, `service ${service} is blue/green without a load balancer`);
  for (const lb of lbs) {
    const advanced = lb.advancedConfiguration || {};
    const primary = ssmRefs(lb.targetGroupArn, "aws_lb_target_group")[0];
    const alternate = ssmRefs(advanced.alternateTargetGroupArn, "aws_lb_target_group")[0];
    if (!alternate || !res[alternate] || alternate === primary) {
      problem(env, `service ${service} is blue/green without a second target group`);
      continue;
    }
    const rule = ssmRefs(advanced.productionListenerRule, "aws_lb_listener_rule")[0];
    const body = rule && res[rule] && res[rule][0];
    const forwarded = body ? refs(body.action, "aws_lb_target_group") : [];
    if (!body || !forwarded.includes(primary) || !forwarded.includes(alternate)) {
      problem(env, `service ${service}: its production listener rule ${rule} does not forward to both ${primary} and ${alternate}`);
    } else if (!JSON.stringify(body.lifecycle || "").includes("action")) {
      problem(env, `service ${service}: Terraform would undo ECS's traffic shift on ${rule} (no ignore_changes on its action)`);
    }
    if (advanced.testListenerRule) {
      const test = ssmRefs(advanced.testListenerRule, "aws_lb_listener_rule")[0];
      const testBody = test && res[test] && res[test][0];
      const listenerOf = (b) => refs(b && b.listener_arn, "aws_lb_listener")[0];
      if (!testBody || !refs(testBody.action, "aws_lb_target_group").includes(alternate)) {
        problem(env, `service ${service}: its test listener rule ${test} does not forward to ${alternate}`);
      } else if (listenerOf(testBody) === listenerOf(body)) {
        problem(env, `service ${service}: its test listener rule ${test} is on the production listener`);
      }
    }
    const role = ssmRefs(advanced.roleArn, "aws_iam_role")[0];
    const attached = all("aws_iam_role_policy_attachment").some(
      ([, a]) => refs(a.role, "aws_iam_role").includes(role) && a.policy_arn === "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
    );
    const trust = role && res[role] && refs(res[role][0].assume_role_policy, "data.aws_iam_policy_document")[0];
    if (!attached || !trust) problem(env, `service ${service}: ECS has no role to shift its traffic with (${role})`);
  }
}

function check(env, { blocks, backend }, ecspressoDir, aliases) {
  const res = blocks.resource;
  for (const kind of ["resource", "data"]) {
    for (const [key, bodies] of Object.entries(blocks[kind])) {
      if (bodies.length > 1) problem(env, `${kind} ${key} is declared ${bodies.length} times`);
    }
  }
  const all = (type) => Object.entries(res).filter(([k]) => k.startsWith(type + ".")).map(([k, b]) => [k, b[0]]);

  // -- tasks ------------------------------------------------------------------------------------
  const parameters = new Map(all("aws_ssm_parameter").map(([, b]) => [b.name, b.value]));
  const ssmRefs = (text, type) => {
    const names = [...String(text).matchAll(/ssm `([^`]+)`/g)].map((m) => m[1]);
    return names.flatMap((n) => refs(parameters.get(n), type));
  };
  const tasks = [];
  // Service Connect: what each service offers (`dns:port`), and what each task is told to call.
  const offered = new Set();
  const told = [];
  if (fs.existsSync(ecspressoDir)) {
    for (const service of fs.readdirSync(ecspressoDir).sort()) {
      const dir = path.join(ecspressoDir, service);
      const def = path.join(dir, "ecs-service-def.json");
      const taskDef = JSON.parse(fs.readFileSync(path.join(dir, "ecs-task-def.json"), "utf8"));
      const secrets = (taskDef.containerDefinitions || []).some((c) => (c.secrets || []).length > 0);
      if (!fs.existsSync(def)) continue;
      const svc = JSON.parse(fs.readFileSync(def, "utf8"));
      const vpc = svc.networkConfiguration.awsvpcConfiguration;
      tasks.push({
        name: `ecspresso ${service}`,
        groups: [...new Set(vpc.securityGroups.flatMap((g) => ssmRefs(g, "aws_security_group")))],
        subnets: [...new Set(vpc.subnets.flatMap((s) => ssmRefs(s, "aws_subnet")))],
        secrets,
      });
      for (const lb of svc.loadBalancers || []) {
        for (const tg of ssmRefs(lb.targetGroupArn, "aws_lb_target_group")) {
          if (!res[tg]) problem(env, `service ${service} registers with ${tg}, which is not declared`);
        }
      }
      blueGreen(env, service, svc, res, all, ssmRefs);
      const connect = svc.serviceConnectConfiguration;
      const containers = taskDef.containerDefinitions || [];
      for (const c of containers) {
        for (const v of c.environment || []) {
          if (v.name.endsWith("_ENDPOINT")) told.push({ service, endpoint: v.value, client: !!(connect && connect.enabled) });
        }
      }
      if (connect && connect.enabled) {
        const namespaces = all("aws_service_discovery_http_namespace").map(([, b]) => b.name);
        if (!namespaces.includes(connect.namespace)) {
          problem(env, `service ${service} uses the Service Connect namespace ${connect.namespace}, which is not declared`);
        }
        const named = containers.flatMap((c) => c.portMappings || []).map((m) => m.name).filter(Boolean);
        for (const offer of connect.services || []) {
          if (!named.includes(offer.portName)) {
            problem(env, `service ${service} offers port ${offer.portName} through Service Connect, which its task does not name`);
          }
          for (const alias of offer.clientAliases || []) offered.add(`${alias.dnsName}:${alias.port}`);
        }
      }
    }
  }
  for (const { service, endpoint, client } of told) {
    if (!offered.has(endpoint)) problem(env, `${service} is told to call ${endpoint}, which no service offers through Service Connect`);
    else if (!client) problem(env, `${service} is told to call ${endpoint}, but is no Service Connect client`);
  }
  for (const [key, schedule] of all("aws_scheduler_schedule")) {
    const target = one(schedule.target);
    const network = one(one(target.ecs_parameters).network_configuration);
    // The job's task definition is in the same module: its secrets decide the endpoints.
    const family = refs(target.ecs_parameters, "aws_ecs_task_definition")[0];
    const containers = family && res[family] ? JSON.stringify(res[family][0].container_definitions || "") : "";
    tasks.push({
      name: key,
      groups: refs(network.security_groups, "aws_security_group"),
      subnets: refs(network.subnets, "aws_subnet"),
      secrets: /secrets|valueFrom/.test(containers),
    });
  }
  const egress = all("aws_vpc_security_group_egress_rule").map(([, r]) => r);
  const ingress = all("aws_vpc_security_group_ingress_rule").map(([, r]) => r);
  const covers443 = (r) => r.ip_protocol === "-1" || (r.from_port <= 443 && 443 <= r.to_port);
  const groupOf = (r) => refs(r.security_group_id, "aws_security_group")[0];
  const tableOf = (subnet) =>
    all("aws_route_table_association")
      .filter(([, a]) => refs(a.subnet_id, "aws_subnet").includes(subnet))
      .flatMap(([, a]) => refs(a.route_table_id, "aws_route_table"));
  const defaultRoute = (table) =>
    all("aws_route").find(([, r]) => refs(r.route_table_id, "aws_route_table").includes(table) && r.destination_cidr_block === "0.0.0.0/0");
  const endpoints = all("aws_vpc_endpoint").map(([k, e]) => ({ key: k, ...e }));
  for (const task of tasks) {
    if (task.groups.length === 0 || task.subnets.length === 0) {
      problem(env, `${task.name}: no security group or subnet found`);
      continue;
    }
    const out = egress.filter((r) => task.groups.includes(groupOf(r)) && covers443(r));
    const toInternet = out.some((r) => r.cidr_ipv4 === "0.0.0.0/0");
    const viaNat = task.subnets.every((subnet) =>
      tableOf(subnet).some((table) => {
        const route = defaultRoute(table);
        if (!route) return false;
        const r = route[1];
        if (r.nat_gateway_id) return true;
        if (r.network_interface_id) {
          // A NAT instance forwards only what its security group admits.
          return ingress.some((i) => groupOf(i) === "aws_security_group.nat" && covers443(i) && task.groups.some((g) => refs(i.referenced_security_group_id, "aws_security_group").includes(g)));
        }
        return false;
      }),
    );
    const reachable = (service) => {
      if (toInternet && viaNat) return true;
      const endpoint = endpoints.find((e) => String(e.service_name).endsWith(`.${service}`));
      if (!endpoint) return false;
      if (endpoint.vpc_endpoint_type === "Gateway") {
        const tables = refs(endpoint.route_table_ids, "aws_route_table");
        return (
          task.subnets.every((s) => tableOf(s).some((t) => tables.includes(t))) &&
          out.some((r) => refs(r.prefix_list_id, "aws_vpc_endpoint").includes(endpoint.key))
        );
      }
      const groups = refs(endpoint.security_group_ids, "aws_security_group");
      return (
        endpoint.private_dns_enabled === true &&
        out.some((r) => groups.some((g) => refs(r.referenced_security_group_id, "aws_security_group").includes(g))) &&
        ingress.some((i) => groups.includes(groupOf(i)) && covers443(i) && task.groups.some((g) => refs(i.referenced_security_group_id, "aws_security_group").includes(g)))
      );
    };
    const needs = ["ecr.api", "ecr.dkr", "s3", "logs"].concat(task.secrets ? ["secretsmanager"] : []);
    const missing = needs.filter((n) => !reachable(n));
    if (missing.length) problem(env, `${task.name} cannot start: it cannot reach ${missing.join(", ")}`);
  }

  // -- private connections -------------------------------------------------------------------
  // A task allowed out to a managed prefix list (a connection's ranges) needs, in each of its
  // subnets' route tables, a route to each range through a Transit Gateway, a peering
  // connection or a VPN gateway: without one, the traffic the rule allows goes nowhere.
  const lists = new Map(all("aws_ec2_managed_prefix_list").map(([k, l]) => [k, [].concat(l.entry || []).map((e) => e.cidr)]));
  const throughConnection = (r) => r.transit_gateway_id || r.vpc_peering_connection_id || refs(r.gateway_id, "aws_vpn_gateway").length > 0;
  for (const task of tasks) {
    for (const rule of egress.filter((r) => task.groups.includes(groupOf(r)))) {
      for (const list of refs(rule.prefix_list_id, "aws_ec2_managed_prefix_list")) {
        for (const cidr of lists.get(list) || []) {
          for (const subnet of task.subnets) {
            const routed = tableOf(subnet).some((table) =>
              all("aws_route").some(([, r]) => refs(r.route_table_id, "aws_route_table").includes(table) && r.destination_cidr_block === cidr && throughConnection(r)),
            );
            if (!routed) problem(env, `${task.name} may reach ${cidr} (${list}) but ${subnet} has no route to it through the connection`);
          }
        }
      }
    }
  }

  // -- load balancers ---------------------------------------------------------------------------
  const forwarded = new Set(
    all("aws_lb_listener").concat(all("aws_lb_listener_rule")).flatMap(([, l]) => refs(l, "aws_lb_target_group")),
  );
  for (const [key] of all("aws_lb_target_group")) {
    if (!forwarded.has(key)) problem(env, `${key} is forwarded to by no listener`);
  }
  for (const [key, lb] of all("aws_lb")) {
    const zones = new Set(refs(lb.subnets, "aws_subnet").map((s) => res[s] && res[s][0].availability_zone));
    if (zones.size < 2) problem(env, `${key} spans ${zones.size} zone(s); an ALB needs two`);
  }
  for (const [key, origin] of all("aws_cloudfront_vpc_origin")) {
    const config = one(origin.vpc_origin_endpoint_config);
    const lb = refs(config.arn, "aws_lb")[0];
    const listeners = all("aws_lb_listener").filter(([, l]) => refs(l.load_balancer_arn, "aws_lb").includes(lb));
    if (!listeners.some(([, l]) => l.port === config.https_port && l.protocol === "HTTPS")) {
      problem(env, `${key} connects to ${lb} on ${config.https_port}, where it has no HTTPS listener`);
    }
  }

  // -- VPC Block Public Access ----------------------------------------------------------------
  // An exclusion exists only where the account blocks public access; one for egress only only
  // where it blocks both ways. Then CloudFront's VPC origins need their load balancers' subnets
  // excluded both ways, every NAT needs its subnet (the VPC, for a Regional NAT Gateway)
  // excluded, and no exclusion may open a public subnet both ways.
  const exclusions = all("aws_vpc_block_public_access_exclusion").map(([k, e]) => ({ key: k, ...e }));
  if (exclusions.length) {
    const covering = (subnet, modes) =>
      exclusions.some(
        (e) => modes.includes(e.internet_gateway_exclusion_mode) && (refs(e.subnet_id, "aws_subnet").includes(subnet) || refs(e.vpc_id, "aws_vpc").length > 0),
      );
    for (const [key, origin] of all("aws_cloudfront_vpc_origin")) {
      const lb = refs(one(origin.vpc_origin_endpoint_config).arn, "aws_lb")[0];
      for (const subnet of refs(res[lb] && res[lb][0].subnets, "aws_subnet")) {
        if (!covering(subnet, ["allow-bidirectional"])) {
          problem(env, `${key}: Block Public Access blocks CloudFront's connections to ${lb} in ${subnet}, which no exclusion opens both ways`);
        }
      }
    }
    if (exclusions.some((e) => e.internet_gateway_exclusion_mode === "allow-egress")) {
      for (const [key, nat] of all("aws_nat_gateway").concat(all("aws_instance"))) {
        const subnet = refs(nat.subnet_id, "aws_subnet")[0];
        const covered = subnet
          ? covering(subnet, ["allow-egress", "allow-bidirectional"])
          : exclusions.some((e) => refs(e.vpc_id, "aws_vpc").length > 0);
        if (!covered) problem(env, `${key}: Block Public Access blocks its way to the internet, and no exclusion covers it`);
      }
    }
    for (const e of exclusions.filter((e) => e.internet_gateway_exclusion_mode === "allow-bidirectional")) {
      for (const subnet of refs(e.subnet_id, "aws_subnet")) {
        const route = tableOf(subnet).map(defaultRoute).find(Boolean);
        if (route && refs(route[1].gateway_id, "aws_internet_gateway").length) {
          problem(env, `${e.key} opens the public subnet ${subnet} to inbound internet traffic`);
        }
      }
      if (refs(e.vpc_id, "aws_vpc").length) problem(env, `${e.key} opens the whole VPC to inbound internet traffic`);
    }
  }

  // -- mail -----------------------------------------------------------------------------------
  const zone = one((blocks.data["aws_route53_zone.main"] || [])[0] || {}).name;
  const records = all("aws_route53_record");
  for (const [key, identity] of all("aws_sesv2_email_identity")) {
    const domain = identity.email_identity;
    if (!zone || !(domain === zone || domain.endsWith(`.${zone}`))) {
      problem(env, `${key} (${domain}) is not in the hosted zone ${zone}`);
    }
    for (const n of [0, 1, 2]) {
      const token = `\${${key}.dkim_signing_attributes[0].tokens[${n}]}`;
      const found = records.some(
        ([, r]) =>
          r.type === "CNAME" && r.name === `${token}._domainkey.${domain}` && (r.records || []).includes(`${token}.dkim.amazonses.com`),
      );
      if (!found) problem(env, `${key} has no DKIM record for token ${n}: SES would never verify ${domain}`);
    }
  }
  for (const [key, from] of all("aws_sesv2_email_identity_mail_from_attributes")) {
    const mx = records.some(([, r]) => r.type === "MX" && r.name === from.mail_from_domain && (r.records || []).some((v) => /^10 feedback-smtp\.[a-z0-9-]+\.amazonses\.com$/.test(v)));
    if (!mx) problem(env, `${key}: ${from.mail_from_domain} has no MX record at SES`);
  }
  for (const [key, policy] of Object.entries(blocks.data).filter(([k]) => k.startsWith("aws_iam_policy_document."))) {
    for (const statement of [].concat(one(policy).statement || [])) {
      if (!(statement.actions || []).some((a) => a.startsWith("ses:Send"))) continue;
      for (const identity of refs(statement.resources, "aws_sesv2_email_identity")) {
        const domain = res[identity] && res[identity][0].email_identity;
        const condition = [].concat(statement.condition || []).find((c) => c.variable === "ses:FromAddress");
        if (!condition || !(condition.values || []).every((v) => v === `*@${domain}`)) {
          problem(env, `${key} lets its role send as anyone through ${identity} (no ses:FromAddress limited to ${domain})`);
        }
      }
    }
  }
  const counted = new Set(
    all("aws_sesv2_configuration_set_event_destination").flatMap(([, d]) => {
      const dimension = one(one(one(d.event_destination).cloud_watch_destination || {}).dimension_configuration || {});
      const set = refs(d.configuration_set_name, "aws_sesv2_configuration_set")[0];
      const name = set && res[set] && res[set][0].configuration_set_name;
      return dimension.dimension_name && name === dimension.default_dimension_value ? [`${dimension.dimension_name}=${name}`] : [];
    }),
  );
  for (const [key, alarm] of all("aws_cloudwatch_metric_alarm").filter(([, a]) => a.namespace === "AWS/SES")) {
    const dimensions = Object.entries(alarm.dimensions || {}).map(([k, v]) => `${k}=${v}`);
    if (!dimensions.some((d) => counted.has(d))) problem(env, `${key} watches SES events no configuration set publishes (${dimensions.join(", ")})`);
  }

  // -- the edge's web ACL ------------------------------------------------------------------------
  const inUsEast1 = (block) => JSON.stringify(block.provider || "").includes("aws.us_east_1");
  for (const [key, d] of all("aws_cloudfront_distribution")) {
    for (const acl of refs(d.web_acl_id, "aws_wafv2_web_acl")) {
      const body = res[acl] && res[acl][0];
      if (!body) {
        problem(env, `${key} uses ${acl}, which is not declared`);
        continue;
      }
      if (body.scope !== "CLOUDFRONT" || !inUsEast1(body)) {
        problem(env, `${acl} is not a CLOUDFRONT web ACL in us-east-1, which CloudFront requires`);
      }
      const logging = all("aws_wafv2_web_acl_logging_configuration").filter(([, l]) => refs(l.resource_arn, "aws_wafv2_web_acl").includes(acl));
      for (const [, l] of logging) {
        for (const group of refs(l.log_destination_configs, "aws_cloudwatch_log_group")) {
          const g = res[group] && res[group][0];
          if (!g || !String(g.name).startsWith("aws-waf-logs-") || !inUsEast1(g) || !inUsEast1(l)) {
            problem(env, `${acl} logs to ${group}, which is not an aws-waf-logs- group in us-east-1`);
          }
        }
      }
    }
  }

  // -- the edge ---------------------------------------------------------------------------------
  const stateBuckets = new Set(backend.flatMap((b) => Object.values(b)).flatMap((s) => one(s).bucket || []));
  for (const [key, bucket] of all("aws_s3_bucket")) {
    if (stateBuckets.has(bucket.bucket)) problem(env, `${key} is the bucket this root's own state lives in`);
  }
  const logBuckets = new Set(
    all("aws_cloudfront_distribution")
      .flatMap(([, d]) => refs(d.logging_config, "aws_s3_bucket"))
      .concat(all("aws_lb").flatMap(([, l]) => refs(l.access_logs, "aws_s3_bucket")))
      .concat(all("aws_s3_bucket_logging").flatMap(([, l]) => refs(l.target_bucket, "aws_s3_bucket"))),
  );
  for (const [key, d] of all("aws_cloudfront_distribution")) {
    const certificate = refs(one(d.viewer_certificate).acm_certificate_arn, "aws_acm_certificate_validation")[0];
    const domain = certificate && res[certificate.replace("_validation", "")] && res[certificate.replace("_validation", "")][0].domain_name;
    for (const alias of d.aliases || []) {
      (aliases[alias] = aliases[alias] || []).push(env);
      if (domain && !covers(domain, alias)) problem(env, `${key} serves ${alias} with a certificate for ${domain}`);
    }
    for (const origin of [].concat(d.origin || [])) {
      for (const bucket of refs(origin.domain_name, "aws_s3_bucket")) {
        const name = res[bucket] && res[bucket][0].bucket;
        if (stateBuckets.has(name)) problem(env, `${key} serves the Terraform state bucket ${bucket}`);
        if (logBuckets.has(bucket)) problem(env, `${key} serves the log bucket ${bucket}`);
      }
    }
  }
}

function covers(name, host) {
  if (name.startsWith("*.")) {
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot + 1) === name.slice(2);
  }
  return name === host;
}

(async () => {
  const out = process.argv[2];
  const aliases = {};
  const envs = fs.readdirSync(out).filter((e) => fs.existsSync(path.join(out, e, "terraform"))).sort();
  for (const env of envs) {
    check(env, await loadEnv(path.join(out, env, "terraform")), path.join(out, env, "ecspresso"), aliases);
  }
  for (const [alias, users] of Object.entries(aliases)) {
    if (users.length > 1) problems.push(`CloudFront alias ${alias} is claimed by ${users.join(", ")}`);
  }
  for (const p of problems) console.log(p);
  console.log(`checked ${envs.length} environment(s): ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
})();
