//! The `archc` command line, run in process through `cli::run`: exit codes, and what the
//! user reads on stderr (snapshotted), for clean input, broken input and host errors.

use std::path::Path;

use archc::cli::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

use crate::fixture::archc;

fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/webapp").to_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

/// Replaces the scratch directory in output with `<tmp>` so snapshots are stable.
fn scrub(text: &str, dir: &Path) -> String {
    text.replace(&dir.to_string_lossy().into_owned(), "<tmp>")
}

#[test]
fn check_of_the_example_exits_0_with_its_documented_warning_and_the_exposure_report() {
    let (code, out, err) = archc(&["check", &example(), "--color", "never", "--today", "2026-11-27"]);
    assert_eq!(code, EXIT_OK);
    assert!(
        err.starts_with("[R001] Warning: env `stg`: the NAT instance"),
        "{err}"
    );
    assert!(err.ends_with("checked 7 files: 0 errors, 1 warning\n"), "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn env_limits_the_exposure_report() {
    let (code, out, _) = archc(&["check", &example(), "--env", "prd"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.starts_with("env prd (production"), "{out}");
    assert!(!out.contains("env stg"), "{out}");
}

#[test]
fn unknown_env_is_a_usage_error_with_a_suggestion() {
    let (code, _, err) = archc(&["check", &example(), "--env", "prod"]);
    assert_eq!(code, EXIT_USAGE);
    insta::assert_snapshot!(err, @r"
    error[E9007]: there is no environment `prod`
      help: did you mean `prd`? The environments are `prd` and `stg`
    ");
}

#[test]
fn waivers_are_listed_in_the_exposure_report() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cases/waivers/pass_waiver_silences_its_rule.arch"
    );
    let (code, out, _) = archc(&["check", fixture, "--today", "2026-11-27"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("waivers   R015 at "), "{out}");
    assert!(
        out.contains(
            "\"the vendor agent needs a public IP until its VPC endpoint ships\", until 2027-03-31 (1 finding silenced)"
        ),
        "{out}"
    );
}

#[test]
fn today_decides_whether_a_waiver_has_expired() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/cases/waivers/pass_waiver_silences_its_rule.arch"
    );
    let (code, _, _) = archc(&["check", fixture, "--today", "2027-03-31"]);
    assert_eq!(code, EXIT_OK, "the waiver holds on its last day");
    let (code, out, _) = archc(&["check", fixture, "--today", "2027-04-01", "--format", "json"]);
    let codes: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        (code, codes),
        (EXIT_ERRORS, vec!["R015".to_owned(), "E1032".to_owned()])
    );
}

#[test]
fn sarif_is_one_log_with_rules_and_located_results() {
    // Relative to the package directory, where cargo runs tests, so the URIs are stable.
    let fixture = "cases/rules/r004_one_way_flows/fail.arch";
    let (code, out, _) = archc(&["check", fixture, "--format", "sarif"]);
    assert_eq!(code, EXIT_ERRORS);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), archc::diagnostics::codes::ALL.len());
    let result = &run["results"][0];
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["ruleId"], "R004");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() > 0);
    assert_eq!(
        result["relatedLocations"].as_array().unwrap().len(),
        1,
        "the cycle's other flow"
    );
    insta::assert_json_snapshot!(run["results"]);
}

#[test]
fn check_of_broken_input_exits_1_with_rendered_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.arch",
        b"system webapp {\n  region = \"ap-northeast-1\"\n  network { cidr = 10.0.0.1/16 }\n  bucket b : s3 { purpose = statik }\n}\nenv prd { account = \"111111111111\" }\n",
    );
    let (code, out, err) = archc(&["check", &dir.path().to_string_lossy(), "--color", "never"]);
    assert_eq!((code, out.as_str()), (EXIT_ERRORS, ""));
    insta::assert_snapshot!(scrub(&err, dir.path()));
}

#[test]
fn check_json_prints_one_object_per_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.arch",
        "system webapp {\n  region = \"ap-northeast-1\"\n  network { cidr = 10.0.0.0/16 }\n  bucket b : s3 { purpose = statik }\n  bucket b : s3 { purpose = static }\n}\nenv prd { account = \"111111111111\" }\n".as_bytes(),
    );
    let (code, out, err) = archc(&["check", &dir.path().to_string_lossy(), "--format", "json"]);
    assert_eq!((code, err.as_str()), (EXIT_ERRORS, ""));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(lines.len(), 2);
    insta::assert_snapshot!(scrub(&out, dir.path()));
}

#[test]
fn check_of_a_single_file_works() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "one.arch",
        b"system s {\n  region = \"ap-northeast-1\"\n  network { cidr = 10.0.0.0/16 }\n}\n",
    );
    let (code, _, err) = archc(&["check", &file]);
    assert_eq!((code, err.as_str()), (EXIT_OK, "checked 1 file: no problems\n"));
}

#[test]
fn missing_path_is_a_usage_error() {
    let (code, _, err) = archc(&["check", "no/such/dir"]);
    assert_eq!(code, EXIT_USAGE);
    insta::assert_snapshot!(err, @r"
    error[E9002]: `no/such/dir` does not exist
      help: check the path; `archc check` takes a directory of .arch files or one .arch file
    ");
}

#[test]
fn missing_path_in_json_is_a_json_error() {
    let (code, out, _) = archc(&["check", "no/such/dir", "--format", "json"]);
    assert_eq!(code, EXIT_USAGE);
    let value: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(value["code"], "E9002");
}

#[test]
fn directory_without_arch_files_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "README.md", b"# not a workspace\n");
    let (code, _, err) = archc(&["check", &dir.path().to_string_lossy()]);
    assert_eq!(code, EXIT_USAGE);
    insta::assert_snapshot!(scrub(&err, dir.path()), @r"
    error[E9005]: `<tmp>` holds no .arch files
      help: point archc at the directory that holds your .arch files, e.g. `archc check examples/webapp`
    ");
}

#[test]
fn file_that_is_not_utf8_is_a_usage_error_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin1.arch",
        b"system s {\n  domain = \"caf\xe9\"\n}\n",
    );
    let (code, _, err) = archc(&["check", &dir.path().to_string_lossy()]);
    assert_eq!(code, EXIT_USAGE);
    insta::assert_snapshot!(scrub(&err, dir.path()), @r"
    error[E9004]: `<tmp>/latin1.arch` is not valid UTF-8 (first bad byte at offset 26, line 2)
      help: save the file as UTF-8
    ");
}

#[test]
fn unreadable_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("loop.arch");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    let (code, _, err) = archc(&["check", &link.to_string_lossy()]);
    assert_eq!(code, EXIT_USAGE);
    assert!(err.starts_with("error[E9003]: cannot read `"), "{err}");
}

#[test]
fn bad_flag_is_a_usage_error_with_a_code() {
    let (code, _, err) = archc(&["check", "--format", "yaml"]);
    assert_eq!(code, EXIT_USAGE);
    assert!(
        err.starts_with("error[E9001]: invalid value 'yaml' for '--format <FORMAT>'"),
        "{err}"
    );
    assert!(err.contains("[possible values: human, json, sarif]"), "{err}");
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let (code, _, err) = archc(&["chekc"]);
    assert_eq!(code, EXIT_USAGE);
    assert!(
        err.starts_with("error[E9001]: unrecognized subcommand 'chekc'"),
        "{err}"
    );
    assert!(err.contains("similar subcommand exists: 'check'"), "{err}");
}

#[test]
fn help_and_version_exit_0() {
    let (code, out, _) = archc(&["--help"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("check") && out.contains("explain"), "{out}");
    let (code, out, _) = archc(&["--version"]);
    assert_eq!(
        (code, out.as_str()),
        (EXIT_OK, concat!("archc ", env!("CARGO_PKG_VERSION"), "\n"))
    );
}

#[test]
fn explain_prints_the_explanation_by_code_or_name() {
    let (code, by_id, _) = archc(&["explain", "E1002"]);
    assert_eq!(code, EXIT_OK);
    assert!(by_id.starts_with("# E1002: unknown-field\n"), "{by_id}");
    let (_, lower, _) = archc(&["explain", "e1002"]);
    let (_, by_name, _) = archc(&["explain", "unknown-field"]);
    assert_eq!(by_id, lower);
    assert_eq!(by_id, by_name);
}

#[test]
fn explain_without_a_code_lists_every_code() {
    let (code, out, _) = archc(&["explain"]);
    assert_eq!(code, EXIT_OK);
    assert_eq!(out.lines().count(), archc::diagnostics::codes::ALL.len());
    assert!(out.contains("E1002  unknown-field\n"));
}

#[test]
fn explain_of_an_unknown_code_suggests_the_nearest() {
    let (code, _, err) = archc(&["explain", "E1102"]);
    assert_eq!(code, EXIT_USAGE);
    insta::assert_snapshot!(err, @r"
    error[E9006]: there is no diagnostic code `E1102`
      help: did you mean `E1012`? Run `archc explain` to list every code
    ");
}

#[test]
fn cost_json_has_every_environment_and_the_nat_reduction() {
    let (code, out, _) = archc(&["cost", &example(), "--format", "json", "--today", "2026-11-27"]);
    assert_eq!(code, EXIT_OK);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let estimates = value["estimates"].as_array().unwrap();
    assert_eq!(estimates.len(), 2);
    assert_eq!(estimates[0]["env"], "prd");
    assert_eq!(estimates[0]["lines"][0]["component"], "nat");
    assert_eq!(estimates[0]["lines"][0]["monthly"], 150.04);
    assert_eq!(value["nat_reductions"][0]["nat_percent_less"], 93.4);
}

#[test]
fn cost_of_one_environment_and_its_table() {
    let (code, out, _) = archc(&["cost", &example(), "--env", "stg", "--today", "2026-11-27"]);
    assert_eq!(code, EXIT_OK);
    assert!(
        out.starts_with("env stg (non-production, ap-northeast-1)"),
        "{out}"
    );
    assert!(
        out.contains("  nat                9.93  NAT instance t3.micro: 730 h × $0.0136\n"),
        "{out}"
    );
    assert!(
        out.contains("assumptions: 230 GB/month through a NAT gateway"),
        "{out}"
    );
}

#[test]
fn cost_without_a_price_catalogue_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "main.arch",
        b"system s {\n  region = \"sa-east-1\"\n  network { cidr = 10.0.0.0/16 }\n}\nenv dev { account = \"111111111111\"  stage = development }\n",
    );
    let (code, _, err) = archc(&["cost", &file]);
    assert_eq!(code, EXIT_USAGE);
    assert!(
        err.contains("error[E9010]: archc has no price catalogue for sa-east-1"),
        "{err}"
    );
}

#[test]
fn diagram_prints_one_diagram_as_mermaid_and_several_as_markdown() {
    // Exactly one diagram: Mermaid as a renderer takes it.
    let (code, out, _) = archc(&["diagram", &example(), "--env", "prd", "--kind", "security-groups"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.starts_with("flowchart LR\n"), "{out}");
    assert!(out.contains("prefix_list -->|\"443\"| c_alb"), "{out}");
    assert_eq!(out.matches("flowchart").count(), 1);
    // Several: one Markdown document, a titled ```mermaid block each.
    let (_, all, _) = archc(&["diagram", &example()]);
    assert!(
        all.starts_with("# webapp diagrams\n\n## prd: architecture\n\n```mermaid\nflowchart TB\n"),
        "{all}"
    );
    assert_eq!(
        all.matches("```mermaid\n").count(),
        8,
        "four kinds for each of two environments"
    );
    assert_eq!(all.matches("\n```\n").count(), 8, "each block is closed");
    assert!(all.contains("## stg: security-groups"), "{all}");
}

#[test]
fn doc_writes_only_the_design_document() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = archc(&[
        "doc",
        &example(),
        "--out",
        &dir.path().to_string_lossy(),
        "--today",
        "2026-11-27",
    ]);
    assert_eq!(code, EXIT_OK, "{out}");
    let mut entries: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, ["DESIGN.md", "archc-manifest.txt"]);
    let text = std::fs::read_to_string(dir.path().join("DESIGN.md")).unwrap();
    assert!(text.contains("## Design rules") && text.contains("```mermaid"));
}

/// `count` broken items, one per line.
fn broken_lines(count: usize) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".arch").tempfile().unwrap();
    let text: String = (0..count).map(|i| format!("service x{i} : = ;\n")).collect();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn a_flood_of_errors_is_cut_at_the_error_limit_and_counted() {
    let file = broken_lines(200);
    let path = file.path().to_string_lossy().into_owned();
    let shown = |stderr: &str| stderr.matches("] Error:").count();
    let (code, _, stderr) = archc(&["check", &path]);
    assert_eq!(code, EXIT_ERRORS);
    assert_eq!(shown(&stderr), 50);
    assert!(stderr.contains("… and 151 more errors in `"), "{stderr}");
    assert!(
        stderr.contains("checked 1 file: 201 errors, 0 warnings"),
        "{stderr}"
    );
    let (_, _, stderr) = archc(&["check", &path, "--error-limit", "5"]);
    assert_eq!(shown(&stderr), 5);
    let (_, _, stderr) = archc(&["check", &path, "--error-limit", "0"]);
    assert_eq!(shown(&stderr), 201);
    assert!(!stderr.contains("more errors in"));
    // JSON is for machines: every diagnostic, whatever the limit.
    let (_, stdout, _) = archc(&["check", &path, "--format", "json"]);
    assert_eq!(stdout.lines().count(), 201);
}

#[test]
fn errors_past_the_detailed_parse_keep_their_place_and_their_meaning() {
    // Past `DETAILED_ERRORS` errors in a file, broken items are parsed without pest's list of
    // expected tokens; each is still reported, at its own line and column, with the same code.
    let count = archc::syntax::DETAILED_ERRORS + 500;
    let file = broken_lines(count);
    let path = file.path().to_string_lossy().into_owned();
    let (_, stdout, _) = archc(&["check", &path, "--format", "json"]);
    let syntax: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|d: &serde_json::Value| d["code"] == "E0001")
        .collect();
    assert_eq!(syntax.len(), count);
    for (index, diagnostic) in syntax.iter().enumerate() {
        assert_eq!(diagnostic["location"]["line"], index + 1, "{diagnostic}");
        let column = "service x".len() + index.to_string().len() + " : ".len() + 1;
        assert_eq!(diagnostic["location"]["column"], column, "{diagnostic}");
    }
    let first = &syntax[0]["message"];
    let last = &syntax[count - 1]["message"];
    assert_eq!(first, "expected a name, found `=`");
    assert_eq!(last, "expected a name, found `=`");
}

#[test]
fn rendering_is_linear_in_the_diagnostics_shown() {
    // 12,800 diagnostics in one file: preparing the file once per diagnostic (as ariadne's
    // sources did) took 7 s in a release build; once per file it takes a fraction of that.
    let file = broken_lines(12_800);
    let path = file.path().to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    let (_, _, stderr) = archc(&["check", &path, "--error-limit", "0"]);
    assert_eq!(stderr.matches("] Error:").count(), 12_801);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_long_line_is_shown_as_a_window_with_its_real_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.arch");
    let line = format!("system s {{ region = \"{}\" }}\n", "x".repeat(1_000_000));
    std::fs::write(&path, format!("// one\n{line}")).unwrap();
    let (_, _, stderr) = archc(&["check", &path.to_string_lossy()]);
    assert!(stderr.len() < 5_000, "{} bytes printed", stderr.len());
    assert!(stderr.lines().all(|l| l.chars().count() < 400), "{stderr}");
    assert!(stderr.contains("main.arch:2:21 ]"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(" 2 │ system s { region = \"xxx") && l.ends_with('…')),
        "{stderr}"
    );
}

#[test]
fn pathological_inputs_are_diagnostics_never_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    // 100,000 brackets deep, in every command that parses (a stack overflow would abort this
    // test binary).
    let deep = write(
        "deep.arch",
        format!("system s {{ {} }}", "[".repeat(100_000)).as_bytes(),
    );
    let (code, _, stderr) = archc(&["check", &deep]);
    assert_eq!(code, EXIT_ERRORS);
    assert!(
        stderr.contains("error[E0005]") || stderr.contains("[E0005] Error"),
        "{stderr}"
    );
    let (code, _, _) = archc(&["fmt", "--check", &deep]);
    assert_eq!(code, EXIT_ERRORS);
    // NUL bytes, a byte-order mark and CRLF line ends, invalid UTF-8.
    let (code, _, _) = archc(&["check", &write("nul.arch", b"system s {\0 region = \"x\" }\n")]);
    assert_eq!(code, EXIT_ERRORS);
    let (code, _, stderr) = archc(&[
        "check",
        &write("bom.arch", "\u{feff}system s {\r\n}\r\n".as_bytes()),
    ]);
    assert_eq!(code, EXIT_ERRORS, "{stderr}");
    let (code, _, stderr) = archc(&[
        "check",
        &write("latin1.arch", b"system s { region = \"caf\xe9\" }\n"),
    ]);
    assert_eq!(code, EXIT_USAGE);
    assert!(stderr.contains("error[E9004]"), "{stderr}");
    // A directory symlink loop is not followed.
    #[cfg(unix)]
    {
        let workspace = dir.path().join("ws");
        std::fs::create_dir(&workspace).unwrap();
        std::fs::write(workspace.join("main.arch"), "system s {}\n").unwrap();
        std::os::unix::fs::symlink(&workspace, workspace.join("loop")).unwrap();
        let (code, _, stderr) = archc(&["check", &workspace.to_string_lossy()]);
        assert_eq!(code, EXIT_ERRORS, "{stderr}");
        assert!(stderr.contains("checked 1 file"), "{stderr}");
    }
}

#[test]
fn the_workspace_is_the_nearest_directory_with_archc_toml_and_excludes_nested_ones() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(ws.join("nested")).unwrap();
    std::fs::write(ws.join("archc.toml"), "").unwrap();
    std::fs::write(ws.join("main.arch"), "system s {}\n").unwrap();
    std::fs::write(ws.join("sub/part.arch"), "system s {}\n").unwrap();
    std::fs::write(ws.join("nested/archc.toml"), "").unwrap();
    std::fs::write(ws.join("nested/other.arch"), "system other {}\n").unwrap();

    let find = archc::cli::find_workspace;
    assert_eq!(find(&ws).unwrap(), std::path::PathBuf::from("."));
    assert_eq!(
        find(&ws.join("sub/deeper")).unwrap(),
        std::path::PathBuf::from("../..")
    );
    assert_eq!(find(&ws.join("nested")).unwrap(), std::path::PathBuf::from("."));
    let error = find(dir.path()).unwrap_err();
    assert_eq!(error.code.id, "E9014");
    assert!(error.help.contains("`archc check ws`"), "{}", error.help);

    // A nested workspace is not part of the outer one.
    let paths: Vec<String> = archc::cli::load(&ws)
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(paths.iter().any(|p| p.ends_with("sub/part.arch")), "{paths:?}");
    assert!(!paths.iter().any(|p| p.ends_with("other.arch")), "{paths:?}");

    // The repository's fixtures are not a workspace; the example and the architectures are.
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/check");
    assert_eq!(find(&cases).unwrap_err().code.id, "E9014");
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    assert_eq!(find(&example).unwrap(), std::path::PathBuf::from("."));
}

#[test]
fn a_million_lines_and_ten_thousand_files_are_checked_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    // One file of a million lines (comments inside a system block).
    let big = dir.path().join("big");
    std::fs::create_dir(&big).unwrap();
    let mut text = String::from("system s {\n");
    text.push_str(&"  // a comment line\n".repeat(1_000_000));
    text.push_str("}\n");
    std::fs::write(big.join("main.arch"), text).unwrap();
    let started = std::time::Instant::now();
    let (code, _, stderr) = archc(&["check", &big.to_string_lossy()]);
    assert_eq!(code, EXIT_ERRORS, "{stderr}");
    assert!(
        stderr.contains("E1003"),
        "the missing region is reported: {stderr}"
    );
    // Linear: about 2.3 s in a release build; this is a debug build on a shared machine.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );

    // Ten thousand files, each a piece of the one system.
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    std::fs::write(
        many.join("main.arch"),
        "system s {\n  region = \"ap-northeast-1\"\n  network { cidr = 10.0.0.0/16 }\n}\nenv prd { account = \"111111111111\" }\n",
    )
    .unwrap();
    for i in 0..10_000 {
        std::fs::write(
            many.join(format!("part_{i:05}.arch")),
            format!("system s {{\n  topic t{i} : sns {{ email = [\"ops@example.com\"] }}\n}}\n"),
        )
        .unwrap();
    }
    let started = std::time::Instant::now();
    let (code, _, stderr) = archc(&["check", &many.to_string_lossy()]);
    assert_eq!(code, EXIT_OK, "{stderr}");
    assert!(stderr.contains("checked 10001 files"), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// The security-group chains of a graph with 2^30 paths (thirty layers of two services, each
/// calling both of the next layer) and one path a hundred hops long: the report prints a
/// bounded number of chains, elides the middle of long ones, and says there are more.
#[test]
fn the_exposure_report_is_bounded_however_many_paths_the_flows_make() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "system s {\n  region = \"ap-northeast-1\"\n  network {\n    cidr = 10.0.0.0/16\n    tier app { subnet = /20  egress = nat }\n  }\n",
    );
    let service = |name: &str| {
        format!("  service {name} : fargate in app {{\n    image = ecr(\"app\")\n    port = 8080\n  }}\n")
    };
    for hop in 0..100 {
        text += &service(&format!("h{hop}"));
        if hop > 0 {
            text += &format!("  flow h{} -> h{hop} : tcp(8080)\n", hop - 1);
        }
    }
    for layer in 0..30 {
        for side in ["a", "b"] {
            text += &service(&format!("l{layer}{side}"));
            if layer > 0 {
                for from in ["a", "b"] {
                    text += &format!("  flow l{}{from} -> l{layer}{side} : tcp(8080)\n", layer - 1);
                }
            }
        }
    }
    text += "}\nenv dev { account = \"111111111111\"  stage = development }\n";
    let path = write(dir.path(), "main.arch", text.as_bytes());
    let started = std::time::Instant::now();
    let (_, out, err) = archc(&["check", &path, "--color", "never"]);
    assert!(!err.contains("Error"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let chains: Vec<&str> = out
        .lines()
        .skip_while(|line| !line.starts_with("  sg chain"))
        .take_while(|line| !line.starts_with("  grants"))
        .collect();
    assert_eq!(chains.len(), 41, "{out}");
    assert!(
        chains[0].ends_with(
            " h0 →8080→ h1 →8080→ h2 →8080→ h3 → … 92 hops … →8080→ h96 →8080→ h97 →8080→ h98 →8080→ h99"
        ),
        "{out}"
    );
    assert!(chains[1].ends_with(" l0a →8080→ l1a →8080→ l2a →8080→ l3a → … 22 hops … →8080→ l26a →8080→ l27a →8080→ l28a →8080→ l29a"), "{out}");
    assert!(
        chains[40].contains(
            "… more chains than the 40 shown (`archc diagram --kind security-groups` draws every rule)"
        ),
        "{out}"
    );
}
