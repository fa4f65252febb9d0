//! The bodies of the fuzz targets (`fuzz/`, run with `cargo +nightly fuzz run <target>`), kept
//! here so that the test suite runs the same code over the checked-in corpus on stable Rust.
//! Each takes arbitrary bytes and panics only on a real bug: a diagnostic outside its file, a
//! formatter that changes tokens or is not idempotent, a build of a clean workspace that fails.

use crate::db::{RootDatabase, Workspace};
use crate::diagnostics::{Severity, render};
use crate::synthetic::TODAY;

/// Any text: parsed, checked, lowered and run through the rules; every diagnostic lies inside
/// its file on character boundaries and renders; a workspace without errors builds.
pub fn check(data: &[u8]) {
    check_text(String::from_utf8_lossy(data).into_owned());
}

fn check_text(text: String) {
    with_database(|db, workspace| {
        crate::db::replace_files(db, workspace, vec![("fuzz.arch".to_owned(), text)]);
        check_workspace(db, workspace);
    });
}

/// Runs `work` on this thread's database, whose workspace holds one file, `fuzz.arch`: one
/// database for the whole run, its file replaced per input, so the stdlib is parsed once and
/// every input also exercises the incremental path the language server takes.
fn with_database(work: impl FnOnce(&mut RootDatabase, Workspace)) {
    thread_local! {
        static DB: std::cell::RefCell<Option<(RootDatabase, Workspace)>> = const { std::cell::RefCell::new(None) };
    }
    DB.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (db, workspace) = slot.get_or_insert_with(|| {
            let db = RootDatabase::default();
            let workspace =
                Workspace::from_sources(&db, vec![("fuzz.arch".to_owned(), String::new())], TODAY);
            (db, workspace)
        });
        let workspace = *workspace;
        work(db, workspace);
    });
}

fn check_workspace(db: &RootDatabase, workspace: Workspace) {
    let diagnostics = crate::diagnostics(db, workspace);
    for diagnostic in &diagnostics {
        let text = diagnostic.file.text(db);
        assert!(diagnostic.span.start <= diagnostic.span.end, "{diagnostic:?}");
        assert!(diagnostic.span.end <= text.len(), "{diagnostic:?}");
        assert!(text.is_char_boundary(diagnostic.span.start), "{diagnostic:?}");
        assert!(text.is_char_boundary(diagnostic.span.end), "{diagnostic:?}");
        let mut sink = Vec::new();
        assert!(render::human(db, diagnostic, false, &mut sink).is_ok());
        let _ = render::json(db, diagnostic);
    }
    if !diagnostics.iter().any(|d| d.severity == Severity::Error) {
        let files = crate::backend::build(db, workspace, None);
        assert!(!files.is_empty() || crate::lower::lower(db, workspace).ir.envs.is_empty());
    }
}

/// The formatter, as `archc fmt` runs it (a file with syntax errors is left alone): its output
/// has the input's tokens and no syntax errors, and formatting it again changes nothing.
pub fn format(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let syntax_errors = |text: &str| {
        let db = RootDatabase::default();
        let file = crate::db::SourceFile::new(&db, "fuzz.arch".to_owned(), text.to_owned());
        !crate::syntax::parse(&db, file).diagnostics.is_empty()
    };
    let Some(formatted) = crate::format::format(&text, syntax_errors(&text)) else {
        return;
    };
    let tokens = |text: &str| -> Vec<String> {
        text.lines()
            .flat_map(crate::format::tokens)
            .map(|t| format!("{t:?}"))
            .collect()
    };
    assert_eq!(tokens(&text), tokens(&formatted), "the formatter changed tokens");
    assert!(!syntax_errors(&formatted), "the formatter broke the syntax");
    assert_eq!(
        crate::format::format(&formatted, false).as_deref(),
        Some(formatted.as_str()),
        "the formatter is not idempotent"
    );
}

/// Pieces of the language the structured target assembles: items, fields, values and the
/// punctuation between them, so that inputs reach the checker, the rules and the backends
/// instead of stopping at the parser.
const PIECES: &[&str] = &[
    "system s {\n",
    "}\n",
    "  region = \"ap-northeast-1\"\n",
    "  region = \"us-east-1\"\n",
    "  domain = \"example.com\"\n",
    "  network {\n    cidr = 10.0.0.0/16\n",
    "    zones = [\"a\", \"c\"]\n",
    "    endpoints = [s3, ecr, logs]\n",
    "    tier app { subnet = /24  egress = nat }\n",
    "    tier db { subnet = /24 }\n",
    "    tier lb { subnet = /26 }\n",
    "  }\n",
    "  service api : fargate in app { image = ecr(\"api\")  port = 8080  scale { min = 2  max = 4 } }\n",
    "  service web : fargate in app { image = ecr(\"web\")  port = 80  cpu = 512  memory = 1024 }\n",
    "  job report : ecs_task in db { image = ecr(\"job\")  schedule = rate(15m) }\n",
    "  database main : aurora_postgres in db { version = \"16.4\" }\n",
    "  load_balancer alb in lb { access_logs = logs }\n",
    "  edge cdn : cloudfront { access_logs = logs  route \"/*\" -> alb { forward = all_viewer } }\n",
    "  bucket logs : s3 { purpose = access_logs }\n",
    "  bucket assets : s3 { purpose = static }\n",
    "  topic ops : sns { email = [\"ops@example.com\"] }\n",
    "  alarm cpu { on = api.cpu  above = 80%  for = 5m  notify = ops }\n",
    "  flow alb -> api : tcp(8080)\n",
    "  flow api -> main : postgres\n",
    "  flow api -> internet : https\n",
    "  flow cdn -> alb : https\n",
    "  flow report -> main : postgres\n",
    "  service worker : fargate in app { image = ecr(\"w\")  handle_time = 2m  scale { min = 0  max = 3  queue = jobs } }\n",
    "  queue jobs : sqs { visibility_timeout = 1m  fifo = true }\n",
    "  cache sessions : valkey_serverless in db { }\n",
    "  cache carts : elasticache in db { engine = redis  version = \"7.0\"  replicas = 0 }\n",
    "  secret key : secrets_manager { name = \"s/key\" }\n",
    "  bucket tfstate : s3 { purpose = terraform_state }\n",
    "  bucket site : s3 { purpose = static  published_by = report }\n",
    "  flow api -> jobs : send\n",
    "  flow worker -> jobs : consume\n",
    "  flow api -> assets : [read, write, delete]\n",
    "  flow report -> tfstate : read\n",
    "  flow api -> ops : publish\n",
    "  flow api -> sessions : redis\n",
    "  flow web -> api : tcp(8080)\n",
    "  flow report -> api : http\n",
    "  flow worker -> key : read\n",
    "  flow api -> key : write\n",
    "  mail letters : ses { mail_from = \"bounce\"  dmarc = monitor  dmarc_reports = \"d@example.com\" }\n",
    "  mail second : ses { dkim = false  dmarc = off }\n",
    "  flow api -> letters : send\n",
    "  flow report -> letters : [send, read]\n",
    "  alarm bounces { on = letters.complaints  above = 5  notify = ops }\n",
    "  operators = [\"AdministratorAccess\", \"arn:aws:iam::111111111111:user/x\"]\n",
    "  allow R020 reason \"fuzz\"\n",
    "  allow R001 reason \"fuzz\"\n",
    "  allow R017 reason \"fuzz\"\n",
    "    egress = private\n",
    "  connection dc : transit_gateway { gateway = \"tgw-0a1b2c3d4e5f60718\"  cidrs = [172.16.0.0/16] }\n",
    "  connection peer : vpc_peering { peer_vpc = \"vpc-0fedcba9876543210\"  peer_account = \"999988887777\"  cidrs = [10.0.0.0/8] }\n",
    "  connection office : site_to_site_vpn { customer_gateway = \"cgw-0123456789abcdef0\"  cidrs = [] }\n",
    "  flow api -> dc : tcp(1521)\n",
    "  flow office -> web : tcp(80)\n",
    "  service bg : fargate in app { image = ecr(\"bg\")  deploy = blue_green  bake_time = 90s }\n",
    "  api.deploy = blue_green\n",
    "env zon { account = \"555555555555\"  cidr = 10.4.0.0/16  nat = zonal  block_public_access = bidirectional  bpa_exclusions = false }\n",
    "env prd { account = \"111111111111\" }\n",
    "env stg { account = \"222222222222\"  stage = staging  cidr = 10.1.0.0/16  nat = instance(\"t3.micro\") }\n",
    "env dev { account = \"333333333333\"  stage = development  cidr = 10.2.0.0/16  region = \"eu-west-1\" }\n",
    "env ops { account = \"444444444444\"  cidr = 10.3.0.0/16  operators = []  domain = \"ops.example.net\" }\n",
    "  api.scale { min = 1 }\n",
    "{",
    "}",
    " = ",
    "\"",
    "/28",
    "0s",
    "4096",
    "api",
    "\n",
];

/// The text of language pieces chosen by the bytes (each byte picks one).
fn assemble(data: &[u8]) -> String {
    data.iter()
        .map(|&b| {
            PIECES
                .get(usize::from(b) % PIECES.len())
                .copied()
                .unwrap_or_default()
        })
        .collect()
}

/// A workspace assembled from language pieces chosen by the bytes, then checked and, when
/// clean, built.
pub fn structured(data: &[u8]) {
    check_text(assemble(data));
}

/// Two workspaces assembled from language pieces (the bytes before and after the first `0xFF`),
/// compared as `archc diff` does, in one database: a version compared with itself is no change;
/// any two that lower compare, and every format renders (the comment is empty exactly when
/// nothing changed).
pub fn diff(data: &[u8]) {
    let mut halves = data.splitn(2, |&b| b == 0xFF);
    let (before, after) = (
        assemble(halves.next().unwrap_or_default()),
        assemble(halves.next().unwrap_or_default()),
    );
    with_database(|db, workspace| {
        crate::db::replace_files(db, workspace, vec![("fuzz.arch".to_owned(), before)]);
        if crate::check::lowered(db, workspace).is_none() {
            return;
        }
        let base = crate::diff::Side::of(db, workspace);
        let same = crate::diff::compare(&base, &base, None, true);
        assert!(same.is_empty(), "a version differs from itself: {same:#?}");
        crate::db::replace_files(db, workspace, vec![("fuzz.arch".to_owned(), after)]);
        if crate::check::lowered(db, workspace).is_none() {
            return;
        }
        let head = crate::diff::Side::of(db, workspace);
        let diff = crate::diff::compare(&base, &head, None, true);
        let comment = crate::diff::render::markdown(&diff);
        assert_eq!(comment.is_empty(), diff.is_empty(), "{diff:#?}");
        assert!(!crate::diff::render::human(&diff, true).is_empty());
        assert!(serde_json::to_string(&diff).is_ok());
    });
}
