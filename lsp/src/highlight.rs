//! Semantic tokens over LSP: the legend, and the tokens that `archc::ide::highlight` computes
//! in LSP's relative encoding (UTF-16 lengths, one line each).

use archc::ide::highlight::Token;
use archc::line_index::LineIndex;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

/// The token types, in the legend's order (a token's type is its index here).
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::TYPE,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DOCUMENTATION,
        ],
    }
}

/// The tokens in LSP's relative encoding (UTF-16 lengths, one line each).
pub fn encode(text: &str, tokens: &[Token]) -> Vec<SemanticToken> {
    let index = LineIndex::new(text);
    let mut out = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    for token in tokens {
        let Some(slice) = text.get(token.span.clone()) else {
            continue;
        };
        if slice.contains('\n') {
            continue;
        }
        let (line, start) = index.utf16_position(token.span.start);
        let length = slice.chars().map(char::len_utf16).sum::<usize>();
        out.push(SemanticToken {
            delta_line: line - previous_line,
            delta_start: if line == previous_line {
                start - previous_start
            } else {
                start
            },
            length: u32::try_from(length).unwrap_or(u32::MAX),
            token_type: token.kind as u32,
            token_modifiers_bitset: token.modifiers,
        });
        (previous_line, previous_start) = (line, start);
    }
    out
}
