//! Synthetic workspaces of any size, for benchmarks and stress tests: one file with the
//! system, network and environments, and `files` more, each with `per_file` components
//! (services, jobs, buckets, topics and alarms) and the flows between them: the load balancer
//! in front of the first service, each other service called by the one before it.

/// The date tests and benchmarks check on, so that waiver expiry never follows the clock.
pub const TODAY: crate::date::Date = crate::date::Date {
    year: 2026,
    month: 11,
    day: 27,
};

/// `(path, text)` pairs of a valid workspace with about `files * per_file` components.
pub fn workspace(files: usize, per_file: usize) -> Vec<(String, String)> {
    let mut out = vec![("main.arch".to_owned(), MAIN.to_owned())];
    for f in 0..files {
        out.push((format!("part_{f:04}.arch"), part(f, per_file)));
    }
    out
}

const MAIN: &str = r#"system bench {
  region = "ap-northeast-1"
  domain = "example.com"

  network {
    cidr  = 10.0.0.0/16
    zones = ["a", "c", "d"]
    tier ingress   { subnet = /24 }
    tier container { subnet = /24  egress = nat }
    tier db        { subnet = /24 }
  }

  database main : aurora_postgres in db { version = "16.4" }
  load_balancer lb in ingress { access_logs = logs }
  bucket logs : s3 { purpose = access_logs }
}

env prd { account = "111111111111"  nat = regional }
env stg {
  account = "222222222222"
  cidr    = 10.1.0.0/16
  stage   = staging
  c0_0.scale { min = 1  max = 2 }
}
"#;

/// One part file: `per_file` components in a fixed rotation of kinds.
pub fn part(index: usize, per_file: usize) -> String {
    let mut text = String::from("system bench {\n");
    for c in 0..per_file {
        let name = format!("c{index}_{c}");
        // The load balancer forwards to the first service; each other service is called by the
        // one before it (a load balancer forwards to one service: A015).
        let caller = match (index, c) {
            (0, 0) => "lb".to_owned(),
            (_, 0) => format!("c{}_0", index.saturating_sub(1)),
            _ => format!("c{index}_{}", c.saturating_sub(5)),
        };
        let item = match c % 5 {
            0 => format!(
                "  service {name} : fargate in container {{\n    image  = ecr(\"{name}\")\n    port   = 8080\n    cpu    = 512\n    memory = 1024\n    scale  {{ min = 2  max = 6  cpu = 60%  out = 60s  in = 600s }}\n    secret {{ API_KEY = secrets_manager(\"bench/{name}\") }}\n  }}\n  flow {caller} -> {name} : tcp(8080)\n  flow {name} -> main : postgres\n"
            ),
            1 => format!(
                "  job {name} : ecs_task in container {{\n    image    = ecr(\"{name}\")\n    schedule = cron(\"0 18 * * ? *\")\n  }}\n"
            ),
            2 => format!("  bucket {name} : s3 {{ purpose = data  expire_after = 30d }}\n"),
            3 => format!("  topic {name} : sns {{ email = [\"ops@example.com\"] }}\n"),
            _ => {
                let service = format!("c{index}_{}", c - c % 5);
                let topic = format!("c{index}_{}", c - c % 5 + 3);
                format!("  alarm {name} {{ on = {service}.cpu  above = 80%  for = 5m  notify = {topic} }}\n")
            }
        };
        text.push_str(&item);
    }
    text.push_str("}\n");
    text
}
