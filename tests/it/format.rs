//! `archc fmt`: formatting changes white space only, is idempotent, leaves broken files alone,
//! and the bundled example is already in canonical layout.

use crate::fixture::{archc, example_sources};
use archc::format::{format, tokens};
use proptest::prelude::*;
use std::path::Path;

/// Every token of a file, in order, lines ignored: formatting may change nothing else.
fn token_stream(text: &str) -> Vec<archc::format::Token> {
    text.lines().flat_map(tokens).collect()
}

/// Every fixture that parses, with its text.
fn parsing_fixtures() -> Vec<(String, String)> {
    let mut out = example_sources();
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut stack = vec![cases];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "arch") && !path.starts_with(dir.join("syntax")) {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    out
}

fn assert_formats_well(path: &str, text: &str) {
    let formatted = format(text, false).unwrap();
    assert_eq!(
        token_stream(&formatted),
        token_stream(text),
        "{path}: formatting changed a token"
    );
    assert_eq!(
        format(&formatted, false).unwrap(),
        formatted,
        "{path}: formatting is not idempotent"
    );
}

#[test]
fn preserves_tokens_and_is_idempotent_on_every_fixture() {
    let fixtures = parsing_fixtures();
    assert!(fixtures.len() > 50, "only {} fixtures found", fixtures.len());
    for (path, text) in &fixtures {
        assert_formats_well(path, text);
    }
}

#[test]
fn the_example_is_formatted() {
    for (path, text) in example_sources() {
        assert_eq!(
            format(&text, false).unwrap(),
            text,
            "{path} is not in canonical layout: run `archc fmt`"
        );
    }
}

#[test]
fn a_file_with_syntax_errors_is_left_alone() {
    assert_eq!(format("system s {", true), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Re-spacing a fixture at random (any white space between tokens, any indentation, extra
    /// blank lines where there was one) formats back to the same layout.
    #[test]
    fn layout_does_not_depend_on_the_input_spacing(
        index in 0usize..1000,
        noise in proptest::collection::vec(0u8..4, 1..400),
    ) {
        let fixtures = parsing_fixtures();
        let (path, text) = &fixtures[index % fixtures.len()];
        let mut noise = noise.iter().cycle();
        let mut space = || match noise.next() {
            Some(0) => "",
            Some(1) => "  ",
            Some(2) => "\t",
            _ => " ",
        };
        let mut noisy = String::new();
        for line in text.lines() {
            let line_tokens = tokens(line);
            if line_tokens.is_empty() {
                noisy.push_str(space());
                noisy.push('\n');
            }
            for (i, token) in line_tokens.iter().enumerate() {
                // Two words (or a word and a string) need a space between them to stay two.
                let needs_space = i > 0 && !matches!(token, archc::format::Token::Punct(_) | archc::format::Token::Arrow)
                    && !matches!(line_tokens[i - 1], archc::format::Token::Punct(_) | archc::format::Token::Arrow);
                noisy.push_str(if needs_space { " " } else { "" });
                noisy.push_str(space());
                noisy.push_str(&token.to_string());
            }
            noisy.push('\n');
        }
        let expected = format(text, false).unwrap();
        prop_assert_eq!(format(&noisy, false).unwrap(), expected, "{}", path);
    }
}

#[test]
fn cli_check_reports_and_write_rewrites_only_unformatted_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.arch"),
        "system s {\nregion   =  \"ap-northeast-1\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.arch"),
        "env prd {\n  account = \"111111111111\"\n}\n",
    )
    .unwrap();
    let before = std::fs::metadata(dir.path().join("b.arch"))
        .unwrap()
        .modified()
        .unwrap();

    let (code, stdout, _) = archc(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("not formatted: ") && stdout.contains("a.arch"),
        "{stdout}"
    );
    assert!(!stdout.contains("b.arch"), "{stdout}");

    let (code, stdout, _) = archc(&["fmt", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("formatted ") && stdout.contains("a.arch"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.arch")).unwrap(),
        "system s {\n  region = \"ap-northeast-1\"\n}\n"
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("b.arch"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    assert_eq!(archc(&["fmt", "--check", dir.path().to_str().unwrap()]).0, 0);
}

#[test]
fn cli_leaves_a_broken_file_alone_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "system s {\n  region = \n";
    std::fs::write(dir.path().join("a.arch"), broken).unwrap();
    let (code, _, stderr) = archc(&["fmt", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.arch")).unwrap(),
        broken
    );
    assert!(stderr.contains("E0001") || stderr.contains("error"), "{stderr}");
    assert!(
        stderr.contains("1 file with syntax errors left as they are"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn fmt_formats_the_target_of_a_symlink_and_keeps_the_link_and_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("shared");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("main.arch");
    std::fs::write(&target, "system webapp {\n    region = \"ap-northeast-1\"\n}\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let workspace = dir.path().join("ws");
    std::fs::create_dir(&workspace).unwrap();
    std::fs::write(workspace.join("notes.txt"), "mine\n").unwrap();
    let link = workspace.join("main.arch");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let (code, stdout, _) = archc(&["fmt", workspace.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("formatted "), "{stdout}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "system webapp {\n  region = \"ap-northeast-1\"\n}\n"
    );
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let mut names: Vec<String> = std::fs::read_dir(&workspace)
        .unwrap()
        .chain(std::fs::read_dir(&real).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["main.arch", "main.arch", "notes.txt"],
        "no temporary file is left"
    );
}
