//! Semantic tokens of the reference design, rendered one per line and snapshotted, and the
//! LSP encoding decoded back to the same positions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;

use archc::ide::highlight::tokens;
use archc::line_index::LineIndex;
use archc_lsp::highlight::encode;
use archc_lsp::state::State;

use archc::synthetic::TODAY;

fn example() -> State {
    State::new(
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp")),
        TODAY,
    )
}

#[test]
fn tokens_say_what_each_name_is() {
    let state = example();
    let (_, file) = state
        .files()
        .find(|(path, _)| path.ends_with("services.arch"))
        .unwrap();
    let text = file.text(&state.db);
    let rendered: Vec<String> = tokens(&state.db, state.workspace, file)
        .iter()
        .map(|t| {
            format!(
                "{:<10} {}{}",
                format!("{:?}", t.kind),
                &text[t.span.clone()],
                ["", " (declaration)", " (documentation)"][t.modifiers as usize]
            )
        })
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn the_encoding_decodes_to_the_same_positions() {
    let state = example();
    for (_, file) in state.files() {
        let text = file.text(&state.db);
        let tokens = tokens(&state.db, state.workspace, file);
        let encoded = encode(text, &tokens);
        assert_eq!(encoded.len(), tokens.len());
        let index = LineIndex::new(text);
        let (mut line, mut start) = (0, 0);
        for (token, encoded) in tokens.iter().zip(&encoded) {
            if encoded.delta_line > 0 {
                start = 0;
            }
            line += encoded.delta_line;
            start += encoded.delta_start;
            assert_eq!((line, start), index.utf16_position(token.span.start));
            assert_eq!(index.utf16_offset(line, start + encoded.length), token.span.end);
        }
    }
}

#[test]
fn a_value_named_like_a_component_is_coloured_by_what_it_is() {
    let text = "system s {\n  bucket static : s3 { purpose = static }\n  edge cdn : cloudfront { route \"/*\" -> static }\n}\n";
    let state = State::from_sources(vec![("a.arch".into(), text.into())], TODAY);
    let (_, file) = state.files().next().unwrap();
    let kinds: Vec<String> = tokens(&state.db, state.workspace, file)
        .iter()
        .filter(|t| &text[t.span.clone()] == "static")
        .map(|t| format!("{:?}@{}", t.kind, t.span.start))
        .collect();
    let at: Vec<usize> = text.match_indices("static").map(|(i, _)| i).collect();
    assert_eq!(
        kinds,
        [
            format!("Variable@{}", at[0]),
            format!("EnumMember@{}", at[1]),
            format!("Variable@{}", at[2])
        ]
    );
}
