//! The review workflow (`.github/workflows/archc-review.yml`): on every pull request that
//! touches the workspace, `archc check`, `archc build --check` and `archc diff` against the
//! pull request's base; one comment on the pull request, created or updated, only when the diff
//! is not empty; the check fails on broadening or destroying changes until the pull request
//! carries the `archc-approved` label.
//!
//! Least privilege: `contents: read` and `pull-requests: write` (the comment), checkout without
//! persisted credentials, the one action pinned by commit. Every value a step needs reaches it
//! through `env`, so nothing from the pull request (its title, branch or body) is ever read by
//! the shell as code; comments come only from this repository's branches (a fork's token may
//! not write), and the earlier comment is found by its marker and its author, the workflow's bot.

use super::OutputFile;

/// Where archc writes the workflow.
pub const PATH: &str = ".github/workflows/archc-review.yml";

/// The label that accepts broadening or destroying changes.
pub const APPROVAL_LABEL: &str = "archc-approved";

/// `actions/checkout` v4.2.2, pinned by its commit.
const CHECKOUT: &str = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";

/// The workflow for the workspace at `workspace` (relative to the output directory, which is
/// meant to be the repository's root).
pub fn workflow(header: &str, workspace: &str) -> OutputFile {
    // A JSON string is a YAML double-quoted scalar; `${{` would start an expression anywhere.
    let quoted = |text: &str| {
        serde_json::to_string(text)
            .unwrap_or_default()
            .replace("${{", "${{ '${{' }}")
    };
    let under = |glob: &str| match workspace {
        "." | "" => quoted(glob),
        dir => quoted(&format!("{}/{glob}", dir.trim_end_matches('/'))),
    };
    let contents = format!(
        r#"# {header}name: archc review
on:
  pull_request:
    types: [opened, synchronize, reopened, labeled, unlabeled]
    paths:
      - {arch}
      - {toml}
      - "{PATH}"
permissions:
  contents: read
  pull-requests: write
concurrency:
  group: archc-review-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true
env:
  ARCHC_WORKSPACE: {workspace}
  ARCHC_VERSION: "{version}"
jobs:
  review:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
      - name: install archc
        run: cargo install --locked --version "$ARCHC_VERSION" archc
      - name: check
        run: archc check "$ARCHC_WORKSPACE"
      - name: generated output is up to date
        run: archc build "$ARCHC_WORKSPACE" --out . --check
      - name: diff against the base
        env:
          BASE_SHA: ${{{{ github.event.pull_request.base.sha }}}}
        run: archc diff "$BASE_SHA" --workspace "$ARCHC_WORKSPACE" --format markdown > "$RUNNER_TEMP/archc-diff.md"
      - name: comment on the pull request
        if: github.event.pull_request.head.repo.full_name == github.repository
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          PR: ${{{{ github.event.pull_request.number }}}}
        run: |
          body="$RUNNER_TEMP/archc-diff.md"
          earlier=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \
            --jq '.[] | select(.user.login == "github-actions[bot]") | select(.body | startswith("<!-- archc-diff -->")) | .id')
          earlier="${{earlier%%$'\n'*}}"
          if [ -s "$body" ]; then
            if [ -n "$earlier" ]; then
              gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$earlier" -F "body=@$body" > /dev/null
            else
              gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F "body=@$body" > /dev/null
            fi
          elif [ -n "$earlier" ]; then
            printf '<!-- archc-diff -->\n### archc diff: no architectural change any more\n' > "$body"
            gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$earlier" -F "body=@$body" > /dev/null
          fi
      - name: broadening or destroying changes need the {APPROVAL_LABEL} label
        if: ${{{{ !contains(github.event.pull_request.labels.*.name, '{APPROVAL_LABEL}') }}}}
        env:
          BASE_SHA: ${{{{ github.event.pull_request.base.sha }}}}
        run: archc diff "$BASE_SHA" --workspace "$ARCHC_WORKSPACE" --deny broadening --deny destroy
"#,
        arch = under("**.arch"),
        toml = under("archc.toml"),
        workspace = quoted(workspace),
        version = env!("CARGO_PKG_VERSION"),
    );
    OutputFile {
        path: PATH.to_owned(),
        contents,
    }
}
