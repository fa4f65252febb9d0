//! A comparison written for people (short, coloured on a terminal), and as the Markdown of a
//! pull-request comment: a summary line, the broadening changes and what Terraform would
//! destroy first, the rest folded away, the cost, the diagrams. (JSON is the data itself.)

use std::fmt::Write as _;

use super::{Change, CostDelta, Diff, Effect, EnvDiff, EnvStatus, Summary};

/// The first line of the comment: `archc diff` finds its earlier comment by it, and a reader
/// never sees it.
pub const COMMENT_MARKER: &str = "<!-- archc-diff -->";

/// `2 broadening, 1 destroyed, 3 neutral`; `no architectural change` when empty.
pub fn summary_line(diff: &Diff) -> String {
    if diff.is_empty() {
        return "no architectural change".to_owned();
    }
    let Summary {
        broadening,
        destroy,
        replace,
        narrowing,
        moved,
        neutral,
    } = diff.summary;
    let mut parts: Vec<String> = [
        (broadening, "broadening"),
        (destroy, "destroyed"),
        (replace, "replaced"),
        (narrowing, "narrowing"),
        (moved, "moved"),
        (neutral, "neutral"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let delta: f64 = diff
        .envs
        .iter()
        .filter_map(|e| e.cost.as_ref())
        .map(|c| c.delta)
        .sum();
    if diff.envs.iter().any(|e| e.cost.is_some()) {
        parts.push(match signed(delta).as_str() {
            "±$0.00" => "cost unchanged".to_owned(),
            delta => format!("cost {delta}/month"),
        });
    }
    parts.join(", ")
}

/// `+$12.34`, `-$3.00`, `±$0.00`.
fn signed(value: f64) -> String {
    let cents = crate::cost::cents(value);
    if cents > 0.0 {
        format!("+${cents:.2}")
    } else if cents < 0.0 {
        format!("-${:.2}", -cents)
    } else {
        "±$0.00".to_owned()
    }
}

fn status(env: &EnvDiff) -> &'static str {
    match env.status {
        EnvStatus::Added => "added",
        EnvStatus::Removed => "removed",
        EnvStatus::Changed => "changed",
        EnvStatus::Unchanged => "unchanged",
    }
}

/// The sections changes are listed in, in order, each with the effects it holds.
const SECTIONS: &[(&str, &[Effect])] = &[
    ("broadening", &[Effect::Broadening]),
    ("state", &[Effect::Destroy, Effect::Replace]),
    ("narrowing", &[Effect::Narrowing]),
    ("moved and neutral", &[Effect::Moved, Effect::Neutral]),
];

fn mark(effect: Effect) -> &'static str {
    match effect {
        Effect::Broadening => "+",
        Effect::Destroy | Effect::Replace => "!",
        Effect::Narrowing => "-",
        Effect::Moved | Effect::Neutral => "~",
    }
}

/// For a terminal: one block per environment that changed, its changes by section.
pub fn human(diff: &Diff, color: bool) -> String {
    let paint = |effect: Effect, text: &str| -> String {
        if !color {
            return text.to_owned();
        }
        let code = match effect {
            Effect::Broadening => "1;33",
            Effect::Destroy | Effect::Replace => "1;31",
            Effect::Narrowing => "32",
            Effect::Moved | Effect::Neutral => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let mut out = format!("archc diff {}: {}\n", diff.system, summary_line(diff));
    let list = |out: &mut String, changes: &[Change], indent: &str| {
        for (title, effects) in SECTIONS {
            let section: Vec<&Change> = changes.iter().filter(|c| effects.contains(&c.effect)).collect();
            if section.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{indent}{title}");
            for change in section {
                let line = format!(
                    "{} [{}] {}",
                    mark(change.effect),
                    change.area.as_str(),
                    change.text
                );
                let _ = writeln!(out, "{indent}  {}", paint(change.effect, &line));
            }
        }
    };
    if !diff.changes.is_empty() {
        out.push_str("\nsystem\n");
        list(&mut out, &diff.changes, "  ");
    }
    for env in diff
        .envs
        .iter()
        .filter(|e| !e.changes.is_empty() || e.cost.is_some())
    {
        let _ = writeln!(out, "\n{} ({})", env.env, status(env));
        list(&mut out, &env.changes, "  ");
        if let Some(cost) = &env.cost {
            let _ = writeln!(out, "  cost {}", cost_line(cost));
        }
    }
    out
}

/// `$123.45 → $130.00 a month (+$6.55): worker +$6.55`.
fn cost_line(cost: &CostDelta) -> String {
    let components: Vec<String> = cost
        .components
        .iter()
        .map(|c| format!("{} {}", c.component, signed(c.delta)))
        .collect();
    let mut line = format!(
        "${:.2} → ${:.2} a month ({})",
        cost.before,
        cost.after,
        signed(cost.delta)
    );
    if !components.is_empty() {
        let _ = write!(line, ": {}", components.join(", "));
    }
    line
}

/// Text from the sources, safe in Markdown: what stands between two backticks on one line is
/// a code span (Markdown shows it as it is: no markup, no HTML, no mention inside); everywhere
/// else every character Markdown or HTML gives a meaning to is escaped, and `@` cannot mention
/// anyone.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let (before, from) = rest.split_at(start);
        escape(before, &mut out);
        let span = from.get(1..).unwrap_or_default();
        let inside = span.find('`').and_then(|end| span.get(..end));
        match inside {
            Some(code) if !code.is_empty() && !code.contains(['\n', '\r']) => {
                out.push('`');
                out.push_str(code);
                out.push('`');
                rest = span.get(code.len() + 1..).unwrap_or_default();
            }
            _ => {
                out.push_str("\\`");
                rest = span;
            }
        }
    }
    escape(rest, &mut out);
    out
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200b}"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '!' | '|'
            | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// GitHub refuses a comment longer than 65,536 characters; the comment stays below this.
pub const COMMENT_LIMIT: usize = 60_000;

/// The most items a list of the comment shows; the rest are counted.
const LIST_LIMIT: usize = 100;

/// The pull-request comment; empty when nothing changed (nothing to post). Broadening and
/// destroyed or replaced items, and the cost, always come first; the folded sections and the
/// diagrams follow while they fit in [`COMMENT_LIMIT`], and what does not fit is named.
pub fn markdown(diff: &Diff) -> String {
    if diff.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{COMMENT_MARKER}\n### archc diff · {}: {}\n",
        markdown_text(&diff.system),
        markdown_text(&summary_line(diff))
    );
    let all: Vec<(Option<&str>, &Change)> = diff.all().collect();
    let section = |effects: &[Effect]| -> (String, usize) {
        let listed: Vec<&(Option<&str>, &Change)> =
            all.iter().filter(|(_, c)| effects.contains(&c.effect)).collect();
        let mut text: String = listed
            .iter()
            .take(LIST_LIMIT)
            .map(|(env, change)| {
                format!(
                    "- **{}** · {} · {}\n",
                    markdown_text(env.unwrap_or("system")),
                    change.area.as_str(),
                    markdown_text(&change.text)
                )
            })
            .collect();
        if listed.len() > LIST_LIMIT {
            let _ = writeln!(
                text,
                "- … and {} more (`archc diff` lists them all)",
                listed.len() - LIST_LIMIT
            );
        }
        (text, listed.len())
    };
    let (broadening, n) = section(&[Effect::Broadening]);
    if n > 0 {
        let _ = write!(
            out,
            "\n**Broadening** — more is exposed, reachable or allowed, or less protected: review before merging\n\n{broadening}"
        );
    }
    let (state, n) = section(&[Effect::Destroy, Effect::Replace]);
    if n > 0 {
        let _ = write!(
            out,
            "\n**Destroyed or replaced** — Terraform would lose what these hold\n\n{state}"
        );
    }
    let costs: Vec<(&EnvDiff, &CostDelta)> = diff
        .envs
        .iter()
        .filter_map(|e| Some((e, e.cost.as_ref()?)))
        .collect();
    if !costs.is_empty() {
        out.push_str("\n| environment | before | after | change |\n|---|--:|--:|--:|\n");
        for (env, cost) in &costs {
            let _ = writeln!(
                out,
                "| {} | ${:.2} | ${:.2} | {} |",
                markdown_text(&env.env),
                cost.before,
                cost.after,
                markdown_text(&signed(cost.delta))
            );
        }
    }
    // What follows is folded, and shown while it fits.
    let mut folded: Vec<(String, String)> = Vec::new();
    for (title, effects) in [
        ("Narrowing", &[Effect::Narrowing][..]),
        ("Moved and neutral", &[Effect::Moved, Effect::Neutral][..]),
    ] {
        let (listed, n) = section(effects);
        if n > 0 {
            folded.push((
                title.to_lowercase(),
                format!("\n<details><summary>{title} ({n})</summary>\n\n{listed}\n</details>\n"),
            ));
        }
    }
    let components: Vec<String> = costs
        .iter()
        .flat_map(|(env, cost)| {
            cost.components.iter().map(|c| {
                format!(
                    "| {} | {} | ${:.2} | ${:.2} | {} |\n",
                    markdown_text(&env.env),
                    markdown_text(&c.component),
                    c.before,
                    c.after,
                    markdown_text(&signed(c.delta))
                )
            })
        })
        .collect();
    if !components.is_empty() {
        folded.push((
            "the cost by component".to_owned(),
            format!(
                "\n<details><summary>Cost by component</summary>\n\n| environment | component | before | after | change |\n|---|---|--:|--:|--:|\n{}\n</details>\n",
                components.concat()
            ),
        ));
    }
    for env in &diff.envs {
        if let Some(diagram) = &env.diagram {
            folded.push((
                format!("the diagram of {}", env.env),
                format!(
                    "\n<details><summary>Diagram: {} ({})</summary>\n\n```mermaid\n{diagram}```\n\n</details>\n",
                    markdown_text(&env.env),
                    status(env)
                ),
            ));
        }
    }
    let mut left_out = Vec::new();
    for (what, part) in folded {
        if out.len() + part.len() <= COMMENT_LIMIT {
            out.push_str(&part);
        } else {
            left_out.push(what);
        }
    }
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "\nNot shown, for the comment's size: {} (`archc diff` shows everything).",
            markdown_text(&left_out.join(", "))
        );
    }
    out
}
