//! `archc diff`: before/after pairs of one architecture (`tests/architectures/store`, edited),
//! one per kind of change, each snapshotted in all three formats and checked for the effect it
//! must have; the PR comment read by a real Markdown parser and its diagrams drawn by Mermaid;
//! an unchanged workspace says so and posts nothing; revisions read from git; the example's
//! history replayed.

use std::path::Path;

use archc::cli::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

use crate::fixture::archc;

/// `(find, replace)`: an edit of `store/main.arch` (it must find its text).
type Edit = (&'static str, &'static str);

struct Case {
    name: &'static str,
    /// Edits that make the version before (on top of `store`).
    before: &'static [Edit],
    /// Edits that make the version after (on top of the version before).
    after: &'static [Edit],
    /// `(effect, text)`: a change of that effect whose text holds that text must be listed.
    expect: &'static [(&'static str, &'static str)],
}

const ORDERS: &str = "database orders : aurora_postgres in db { version = \"16.4\"";

const CASES: &[Case] = &[
    Case {
        name: "unchanged",
        before: &[],
        after: &[],
        expect: &[],
    },
    Case {
        name: "rename_with_was",
        before: &[],
        after: &[
            (
                ORDERS,
                "database purchases : aurora_postgres in db { was = \"orders\"  version = \"16.4\"",
            ),
            ("flow web -> orders", "flow web -> purchases"),
            ("flow admin -> orders", "flow admin -> purchases"),
            ("flow worker -> orders", "flow worker -> purchases"),
        ],
        expect: &[("moved", "database `orders` renamed `purchases`")],
    },
    Case {
        name: "load_balancer_renamed_with_was",
        before: &[],
        after: &[
            (
                "load_balancer web_alb in lb { access_logs",
                "load_balancer storefront in lb { was = \"web_alb\"  access_logs",
            ),
            ("route \"/*\" -> web_alb", "route \"/*\" -> storefront"),
            ("flow web_alb -> web", "flow storefront -> web"),
        ],
        expect: &[("moved", "load balancer `web_alb` renamed `storefront`")],
    },
    Case {
        name: "rename_without_was",
        before: &[],
        after: &[
            (
                ORDERS,
                "database purchases : aurora_postgres in db { version = \"16.4\"",
            ),
            ("flow web -> orders", "flow web -> purchases"),
            ("flow admin -> orders", "flow admin -> purchases"),
            ("flow worker -> orders", "flow worker -> purchases"),
        ],
        expect: &[
            (
                "destroy",
                "database `orders` would be destroyed with its data; if `purchases` is `orders` renamed, add `was = \"orders\"`",
            ),
            ("broadening", "new flow web → purchases"),
        ],
    },
    Case {
        name: "new_flow",
        before: &[],
        after: &[(
            "  flow web -> carts : redis\n",
            "  flow web -> carts : redis\n  flow admin -> carts : redis\n",
        )],
        expect: &[("broadening", "new flow admin → carts (redis 6380)")],
    },
    Case {
        name: "flow_removed",
        before: &[],
        after: &[("  flow admin -> orders : postgres\n", "")],
        expect: &[("narrowing", "flow removed: admin → orders (postgres 5432)")],
    },
    Case {
        name: "internet_facing_load_balancer",
        before: &[],
        after: &[(
            "load_balancer web_alb in lb { access_logs = lb_logs",
            "load_balancer web_alb in lb {\n    internal = false\n    allow R002 reason \"a partner calls it directly while the edge route is built\"\n    access_logs = lb_logs",
        )],
        expect: &[
            (
                "broadening",
                "`web_alb` now faces the internet: internet-facing load balancer on port 443",
            ),
            ("broadening", "new waiver of R002 in `load_balancer web_alb`"),
            ("broadening", "R002 is now waived here"),
        ],
    },
    Case {
        name: "new_route",
        before: &[],
        after: &[(
            "    route \"/admin/*\"",
            "    route \"/reports/*\" -> admin_alb { cache = disabled  forward = all_viewer }\n    route \"/admin/*\"",
        )],
        expect: &[("broadening", "the edge serves `/reports/*` from `admin_alb`")],
    },
    Case {
        name: "protection_off",
        before: &[],
        after: &[(
            "region = \"us-west-2\"  zones = [\"a\", \"b\"] }",
            "region = \"us-west-2\"  zones = [\"a\", \"b\"]\n  orders.deletion_protection = false\n  orders.final_snapshot = false\n}",
        )],
        expect: &[
            ("broadening", "database `orders`: deletion protection turned off"),
            ("broadening", "database `orders`: the final snapshot turned off"),
        ],
    },
    Case {
        name: "encryption_off",
        before: &[],
        after: &[(
            "region = \"us-west-2\"  zones = [\"a\", \"b\"] }",
            "region = \"us-west-2\"  zones = [\"a\", \"b\"]\n  orders.encrypted = false\n}",
        )],
        expect: &[
            ("broadening", "database `orders`: storage encryption turned off"),
            (
                "replace",
                "database `orders` would be replaced (a new, empty cluster): its encryption changes",
            ),
        ],
    },
    Case {
        name: "waiver_added",
        before: &[],
        after: &[(
            "    access_logs = edge_logs\n",
            "    access_logs = edge_logs\n    allow R022 reason \"the partner's proxy filters requests\" until 2027-03-31\n",
        )],
        expect: &[
            (
                "broadening",
                "new waiver of R022 in `edge front` until 2027-03-31",
            ),
            ("broadening", "R022 is now waived here (1 finding silenced)"),
        ],
    },
    Case {
        name: "waiver_extended",
        before: &[(
            "    access_logs = edge_logs\n",
            "    access_logs = edge_logs\n    allow R022 reason \"the partner's proxy filters requests\" until 2027-03-31\n",
        )],
        after: &[("until 2027-03-31", "until 2027-09-30")],
        expect: &[(
            "broadening",
            "waiver of R022 in `edge front` extended: until 2027-09-30 (was until 2027-03-31)",
        )],
    },
    Case {
        name: "permissions_widened",
        before: &[(
            "  flow worker -> internet : https\n",
            "  flow worker -> internet : https\n  bucket uploads : s3 { purpose = data }\n  flow web -> uploads : read\n",
        )],
        after: &[(
            "flow web -> uploads : read",
            "flow web -> uploads : [read, write]",
        )],
        expect: &[(
            "broadening",
            "`web` may now s3:AbortMultipartUpload, s3:PutObject on `uploads`",
        )],
    },
    Case {
        name: "operators_added",
        before: &[],
        after: &[(
            "operators = [\"PowerUserAccess\"]",
            "operators = [\"PowerUserAccess\", \"StoreAuditors\"]",
        )],
        expect: &[(
            "broadening",
            "permission set StoreAuditors may now operate the environment",
        )],
    },
    Case {
        name: "vpc_cidr_changed",
        before: &[],
        after: &[("cidr = 10.41.0.0/16", "cidr = 10.42.0.0/16")],
        expect: &[(
            "replace",
            "the VPC would be replaced, and everything in it (database `orders`, cache `carts` lose their data): its CIDR changes from 10.41.0.0/16 to 10.42.0.0/16",
        )],
    },
    Case {
        name: "engine_downgrade",
        before: &[],
        after: &[(
            ORDERS,
            "database orders : aurora_postgres in db { version = \"15.10\"",
        )],
        expect: &[("replace", "its engine version goes down from 16.4 to 15.10")],
    },
    Case {
        name: "tier_gains_route_out",
        before: &[],
        after: &[(
            "tier lb { subnet = /26 }",
            "tier lb { subnet = /26  egress = nat }",
        )],
        expect: &[("broadening", "tier `lb` can now reach the internet")],
    },
    Case {
        name: "scale_and_cost",
        before: &[],
        after: &[(
            "scale { min = 2  max = 10  cpu = 55% }",
            "scale { min = 4  max = 12  cpu = 55% }",
        )],
        expect: &[("neutral", "service `web`: scale.max 10 → 12, scale.min 2 → 4")],
    },
    Case {
        name: "environment_added",
        before: &[],
        after: &[(
            "env stage {",
            "env qa { account = \"777777777777\"  stage = staging  cidr = 10.43.0.0/16 }\nenv stage {",
        )],
        expect: &[("neutral", "database `orders` added")],
    },
    Case {
        name: "queue_becomes_fifo",
        before: &[(
            "  flow worker -> internet : https\n",
            "  flow worker -> internet : https\n  queue jobs : sqs { }\n  flow web -> jobs : send\n  flow worker -> jobs : consume\n",
        )],
        after: &[("queue jobs : sqs { }", "queue jobs : sqs { fifo = true }")],
        expect: &[("replace", "queue `jobs` would be replaced (its messages lost)")],
    },
    Case {
        name: "web_acl_removed",
        before: &[(
            "    access_logs = edge_logs\n",
            "    access_logs = edge_logs\n    waf { }\n",
        )],
        after: &[("    waf { }\n", "")],
        expect: &[("broadening", "edge `front`: web ACL (WAF) removed")],
    },
    Case {
        name: "web_acl_weakened",
        before: &[(
            "    access_logs = edge_logs\n",
            "    access_logs = edge_logs\n    waf { rate_limit = 2000  deny = [203.0.113.0/24] }\n",
        )],
        after: &[(
            "waf { rate_limit = 2000  deny = [203.0.113.0/24] }",
            "waf { rate_limit = 2000 }",
        )],
        expect: &[(
            "broadening",
            "edge `front`: web ACL rules changed (a rule or a blocked range dropped)",
        )],
    },
    Case {
        name: "public_subnet_added",
        before: &[],
        after: &[(
            "zones = [\"a\", \"b\"] }",
            "zones = [\"a\", \"b\"]  nat = instance(\"t4g.nano\") }",
        )],
        expect: &[
            ("broadening", "public subnet public-a"),
            (
                "neutral",
                "NAT: NAT instance t4g.nano in public-a (was Regional NAT Gateway)",
            ),
        ],
    },
    Case {
        name: "block_public_access_weakened",
        before: &[(
            "env prod {",
            "env prod {\n  block_public_access = ingress\n  bpa_exclusions = true",
        )],
        after: &[("block_public_access = ingress", "block_public_access = off")],
        expect: &[("broadening", "VPC Block Public Access: off (was ingress)")],
    },
];

fn store() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/architectures/store/main.arch"
    ))
    .unwrap()
}

fn apply(text: &str, edits: &[Edit], case: &str) -> String {
    edits.iter().fold(text.to_owned(), |text, (find, replace)| {
        assert!(text.contains(find), "{case}: `{find}` is not in the text to edit");
        text.replacen(find, replace, 1)
    })
}

fn write_workspace(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("archc.toml"), "").unwrap();
    std::fs::write(dir.join("main.arch"), text).unwrap();
}

/// The case's two versions in a scratch directory: `before/` and `after/`.
fn versions(case: &Case) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let before = apply(&store(), case.before, case.name);
    let after = apply(&before, case.after, case.name);
    write_workspace(&dir.path().join("before"), &before);
    write_workspace(&dir.path().join("after"), &after);
    dir
}

fn diff(dir: &Path, format: &str, extra: &[&str]) -> (u8, String, String) {
    let before = dir.join("before").to_string_lossy().into_owned();
    let after = dir.join("after").to_string_lossy().into_owned();
    let mut args = vec![
        "diff",
        before.as_str(),
        after.as_str(),
        "--format",
        format,
        "--color",
        "never",
        "--today",
        "2026-12-08",
    ];
    args.extend(extra);
    archc(&args)
}

#[test]
fn every_kind_of_change_is_found_and_judged_in_all_three_formats() {
    for case in CASES {
        let dir = versions(case);
        let (code, human, err) = diff(dir.path(), "human", &[]);
        assert_eq!(code, EXIT_OK, "{}: {err}", case.name);
        let (code, json, err) = diff(dir.path(), "json", &[]);
        assert_eq!(code, EXIT_OK, "{}: {err}", case.name);
        let (code, markdown, err) = diff(dir.path(), "markdown", &[]);
        assert_eq!(code, EXIT_OK, "{}: {err}", case.name);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let changes: Vec<(String, String)> = value["changes"]
            .as_array()
            .unwrap()
            .iter()
            .chain(
                value["envs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|e| e["changes"].as_array().unwrap()),
            )
            .map(|c| {
                (
                    c["effect"].as_str().unwrap().to_owned(),
                    c["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for (effect, text) in case.expect {
            assert!(
                changes.iter().any(|(e, t)| e == effect && t.contains(text)),
                "{}: no {effect} change with `{text}` among {changes:#?}",
                case.name
            );
        }
        if case.expect.is_empty() {
            assert!(changes.is_empty(), "{}: {changes:#?}", case.name);
            assert_eq!(human, "archc diff store: no architectural change\n");
            assert_eq!(markdown, "", "nothing changed: nothing to post");
        } else {
            assert!(
                markdown.starts_with("<!-- archc-diff -->\n### archc diff"),
                "{markdown}"
            );
        }
        insta::assert_snapshot!(
            format!("diff_{}", case.name),
            format!("## human\n{human}\n## markdown\n{markdown}\n## json\n{json}")
        );
    }
}

#[test]
fn deny_fails_on_broadening_and_destroy_and_only_then() {
    let case = |name: &str| CASES.iter().find(|c| c.name == name).unwrap();
    let dir = versions(case("rename_without_was"));
    let (code, _, err) = diff(dir.path(), "human", &["--deny", "destroy"]);
    assert_eq!(code, EXIT_ERRORS);
    insta::assert_snapshot!(err, @r"
    error[E9016]: the change holds 2 destroy changes (`--deny destroy`)
      help: review the changes listed above; in the review workflow, the `archc-approved` label on the pull request accepts them
    ");
    let (code, _, err) = diff(
        dir.path(),
        "markdown",
        &["--deny", "broadening", "--deny", "destroy"],
    );
    assert_eq!(code, EXIT_ERRORS);
    assert!(err.contains("broadening change"), "{err}");
    for renamed in ["rename_with_was", "load_balancer_renamed_with_was"] {
        let dir = versions(case(renamed));
        let (code, _, err) = diff(
            dir.path(),
            "human",
            &["--deny", "broadening", "--deny", "destroy"],
        );
        assert_eq!(
            code, EXIT_OK,
            "{renamed}: a rename with `was` destroys and widens nothing: {err}"
        );
    }
    let dir = versions(case("flow_removed"));
    let (code, _, _) = diff(dir.path(), "json", &["--deny", "broadening"]);
    assert_eq!(code, EXIT_OK, "narrowing is never denied");
}

#[test]
fn env_limits_the_comparison_and_an_unknown_one_is_refused() {
    let dir = versions(CASES.iter().find(|c| c.name == "vpc_cidr_changed").unwrap());
    let (code, out, _) = diff(dir.path(), "human", &["--env", "prod"]);
    assert_eq!(code, EXIT_OK);
    assert_eq!(out, "archc diff store: no architectural change\n");
    let (code, out, _) = diff(dir.path(), "human", &["--env", "stage"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("the VPC would be replaced"), "{out}");
    let (code, _, err) = diff(dir.path(), "human", &["--env", "staging"]);
    assert_eq!(code, EXIT_USAGE);
    assert!(
        err.contains("error[E9007]") && err.contains("did you mean `stage`"),
        "{err}"
    );
}

#[test]
fn a_version_that_does_not_lower_is_not_compared_and_one_that_breaks_a_rule_is() {
    let dir = tempfile::tempdir().unwrap();
    write_workspace(&dir.path().join("before"), &store());
    write_workspace(
        &dir.path().join("after"),
        &store().replace("flow web -> orders", "flow web -> nowhere"),
    );
    let (code, out, err) = diff(dir.path(), "human", &[]);
    assert_eq!(code, EXIT_ERRORS);
    assert_eq!(out, "");
    assert!(err.contains("unknown flow endpoint `nowhere`"), "{err}");
    assert!(err.contains("stopped: the version after ("), "{err}");
    // A design rule broken in the version before does not stop the comparison: it is noted.
    let exposed = store().replace(
        "load_balancer web_alb in lb { access_logs",
        "load_balancer web_alb in lb { internal = false  access_logs",
    );
    write_workspace(&dir.path().join("before"), &exposed);
    write_workspace(&dir.path().join("after"), &store());
    let (code, out, err) = diff(dir.path(), "human", &[]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(out.contains("`web_alb` no longer faces the internet"), "{out}");
    assert!(
        err.starts_with("note: the version before (`") && err.contains("has 1 error from the design rules"),
        "{err}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=archc",
            "-c",
            "user.email=archc@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn revisions_are_read_from_git_below_the_workspace_only() {
    let repo = tempfile::tempdir().unwrap();
    let workspace = repo.path().join("infra");
    write_workspace(&workspace, &store());
    // Another workspace below this one and a hidden directory: neither is part of it.
    write_workspace(&workspace.join("fixtures"), "this is not .arch");
    std::fs::create_dir_all(workspace.join(".cache")).unwrap();
    std::fs::write(workspace.join(".cache/x.arch"), "nor this").unwrap();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(repo.path().join("README"), "before the workspace").unwrap();
    git(repo.path(), &["add", "README"]);
    git(repo.path(), &["commit", "-q", "-m", "readme"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "store"]);
    std::fs::write(
        workspace.join("main.arch"),
        store().replace("  flow admin -> orders : postgres\n", ""),
    )
    .unwrap();
    let ws = workspace.to_string_lossy().into_owned();
    let args = |rest: &[&'static str]| -> Vec<String> {
        let mut all: Vec<String> = ["diff", "--workspace", ws.as_str(), "--color", "never"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        all.extend(rest.iter().map(|s| (*s).to_owned()));
        all
    };
    let run = |rest: &[&'static str]| {
        let all = args(rest);
        archc(&all.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // A revision from before the workspace existed is an empty version: everything is new.
    let (code, out, err) = run(&["HEAD~1", "HEAD"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(
        err.starts_with("note: the version before (`HEAD~1`) holds no .arch files"),
        "{err}"
    );
    assert!(
        out.contains("\nprod (added)\n") && out.contains("\nstage (added)\n"),
        "{out}"
    );
    // The working tree against the last commit.
    let (code, out, err) = run(&["HEAD"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(out.contains("flow removed: admin → orders"), "{out}");
    // Two revisions: the same commit twice is no change.
    let (code, out, err) = run(&["HEAD", "main"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert_eq!(out, "archc diff store: no architectural change\n");
    for bad in [&["no-such-branch"][..], &["--", "--output=/tmp/x"]] {
        let (code, _, err) = run(bad);
        assert_eq!(code, EXIT_USAGE, "{bad:?}");
        assert!(err.starts_with("error[E9015]"), "{bad:?}: {err}");
    }
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "no admin flow"]);
    let (code, out, err) = run(&["HEAD~1", "HEAD"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(out.contains("flow removed: admin → orders"), "{out}");
}

#[test]
fn the_comment_is_commonmark_and_its_diagrams_render() {
    let tools = crate::fixture::tools();
    let scratch = tempfile::tempdir().unwrap();
    let mut comments = Vec::new();
    for case in CASES.iter().filter(|c| !c.expect.is_empty()) {
        let dir = versions(case);
        let (_, markdown, _) = diff(dir.path(), "markdown", &[]);
        let path = scratch.path().join(format!("{}.md", case.name));
        std::fs::write(&path, markdown).unwrap();
        comments.push(path.to_string_lossy().into_owned());
    }
    let diagrams = scratch.path().join("diagrams");
    let mut args = vec![
        concat!(env!("CARGO_MANIFEST_DIR"), "/tools/markdown-check.cjs").to_owned(),
        diagrams.to_string_lossy().into_owned(),
    ];
    args.extend(comments);
    let output = std::process::Command::new("node")
        .args(&args)
        .env("NODE_PATH", tools.join("npm/node_modules"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mermaid: Vec<std::path::PathBuf> = std::fs::read_dir(&diagrams)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mmd"))
        .collect();
    assert!(
        mermaid.len() >= CASES.len() - 1,
        "every comment has a diagram: {report}"
    );
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/diagrams/diff");
    let rendered = crate::validators::mermaid_render(&artifacts, &mermaid);
    assert!(rendered.ok, "{}", rendered.text);
}

#[test]
fn hostile_text_cannot_add_markup_or_mention_anyone() {
    let text = "<img src=x onerror=alert(1)> @team ![x](http://t/x.png) `<b>code</b>` </details> | # * _ `";
    let safe = archc::diff::render::markdown_text(text);
    assert!(!safe.contains("@team"), "{safe}");
    insta::assert_snapshot!(safe.replace('\u{200b}', "<zwsp>"), @r"&lt;img src=x onerror=alert\(1\)&gt; @<zwsp>team \!\[x\]\(http://t/x.png\) `<b>code</b>` &lt;/details&gt; \| \# \* \_ \`");
}

/// Builds `store` into `out`, the workspace at `out/<workspace>`: the review workflow's text.
fn review_workflow(workspace: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join(workspace);
    write_workspace(&ws, &store());
    let out = dir.path().to_string_lossy().into_owned();
    let (code, _, err) = archc(&[
        "build",
        &ws.to_string_lossy(),
        "--out",
        &out,
        "--force",
        "--color",
        "never",
    ]);
    assert_eq!(code, EXIT_OK, "{err}");
    let path = dir.path().join(archc::backend::review::PATH);
    let report = crate::validators::actionlint(std::slice::from_ref(&path));
    assert!(report.ok, "{}", report.text);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn build_writes_the_review_workflow_and_actionlint_accepts_it() {
    let workflow = review_workflow("infra");
    assert!(workflow.contains("ARCHC_WORKSPACE: \"infra\""), "{workflow}");
    // Least privilege, the one action pinned, no expression inside a script.
    assert!(workflow.contains("permissions:\n  contents: read\n  pull-requests: write\n"));
    assert!(!workflow.contains("@v4\n"));
    let scripts: Vec<&str> = workflow
        .split("run: ")
        .skip(1)
        .map(|rest| rest.split("\n      - ").next().unwrap())
        .collect();
    assert_eq!(scripts.len(), 6);
    assert!(scripts.iter().all(|s| !s.contains("${{")), "{scripts:#?}");
    insta::assert_snapshot!(workflow);
}

#[test]
fn a_hostile_workspace_path_stays_a_value_in_the_review_workflow() {
    let workflow = review_workflow("in\"fra ${{ github.token }}");
    assert!(
        workflow.contains(r#"ARCHC_WORKSPACE: "in\"fra ${{ '${{' }} github.token }}""#),
        "{workflow}"
    );
}

/// `git -C repo <args>`'s output.
fn git_output(repo: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Every commit that touched `examples/`, each against the one before, and the last against
/// the working tree. Versions from before `network.connections` was replaced by the
/// `connection` category get that one line migrated (it built nothing); everything else is
/// compared as it was committed.
#[test]
fn the_examples_history_replays_without_a_panic() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let commits: Vec<String> = git_output(&repo, &["log", "--reverse", "--format=%H", "--", "examples/"])
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        !commits.is_empty(),
        "no commit touched examples/ (is this a git checkout?)"
    );
    let scratch = tempfile::tempdir().unwrap();
    let mut versions = Vec::new();
    for (i, commit) in commits.iter().enumerate() {
        let dir = scratch.path().join(i.to_string());
        let listed = git_output(
            &repo,
            &["ls-tree", "-r", "--name-only", commit, "--", "examples/webapp/"],
        );
        for path in listed
            .lines()
            .filter(|p| p.ends_with(".arch") || p.ends_with("archc.toml"))
        {
            let text = git_output(&repo, &["show", &format!("{commit}:{path}")]);
            let migrated: String = text
                .lines()
                .filter(|line| line.trim() != "connections = []")
                .map(|line| format!("{line}\n"))
                .collect();
            let target = dir.join(path.trim_start_matches("examples/webapp/"));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, migrated).unwrap();
        }
        std::fs::write(dir.join("archc.toml"), "").unwrap();
        versions.push(dir.to_string_lossy().into_owned());
    }
    versions.push(repo.join("examples/webapp").to_string_lossy().into_owned());
    let mut compared = 0;
    for pair in versions.windows(2) {
        for format in ["human", "json", "markdown"] {
            let (code, out, err) =
                archc(&["diff", &pair[0], &pair[1], "--format", format, "--color", "never"]);
            // Versions written before a rule existed are compared (with a note); one that no
            // longer parses or type-checks with today's language is an answer, not a crash.
            assert!(
                code == EXIT_OK || err.contains("stopped: "),
                "{} → {}: {err}",
                pair[0],
                pair[1]
            );
            if format == "json" && code == EXIT_OK {
                compared += 1;
                let diff: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert_eq!(diff["system"], "webapp");
            }
        }
    }
    assert_eq!(compared, commits.len(), "every pair of versions was compared");
}

#[test]
fn a_huge_change_still_fits_in_one_comment() {
    use archc::diff::{Area, Change, Diff, Effect, EnvDiff, EnvStatus, Summary};
    let change = |effect, i: usize| Change {
        effect,
        area: Area::Access,
        subject: format!("c{i}"),
        text: format!("new flow c{i} → main (postgres 5432) {}", "x".repeat(100)),
    };
    let changes: Vec<Change> = (0..5000)
        .map(|i| {
            change(
                if i % 2 == 0 {
                    Effect::Broadening
                } else {
                    Effect::Neutral
                },
                i,
            )
        })
        .collect();
    let diff = Diff {
        system: "big".into(),
        changes: Vec::new(),
        envs: vec![EnvDiff {
            env: "prd".into(),
            status: EnvStatus::Changed,
            changes,
            cost: None,
            diagram: Some(format!("flowchart TB\n{}", "  a --> b\n".repeat(5000))),
        }],
        summary: Summary {
            broadening: 2500,
            neutral: 2500,
            ..Summary::default()
        },
    };
    let comment = archc::diff::render::markdown(&diff);
    assert!(comment.len() <= 65_536, "{}", comment.len());
    assert!(comment.contains("- … and 2400 more (`archc diff` lists them all)\n"));
    assert!(
        comment.contains("Not shown, for the comment's size: the diagram of prd"),
        "{}",
        &comment[comment.len() - 300..]
    );
}
