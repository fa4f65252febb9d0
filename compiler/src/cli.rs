//! The `archc` command line: `check`, `build`, `cost`, `diagram`, `doc`, `fmt` and `explain`.
//! With `cli/` (safe file access, the output directory), the only module that reads or writes
//! files or the terminal; everything it shows comes from the diagnostics' data.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

mod files;
mod output;
mod revisions;
mod state;

use clap::{Parser, Subcommand, ValueEnum};

use crate::date::Date;
use crate::db::{RootDatabase, Workspace};
use crate::diagnostics::{HostError, Severity, codes, did_you_mean, plural, render};
use files::{Links, ReadError};

/// Exit status: no errors.
pub const EXIT_OK: u8 = 0;
/// Exit status: the input has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit status: bad command line, or files that could not be read.
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "archc",
    version,
    about = "A compiler for cloud architecture: checks .arch designs against the design rules",
    long_about = None,
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Diagnostics shown per file before the rest are only counted (0: show all).
    #[arg(long, global = true, value_name = "N", default_value_t = render::DEFAULT_LIMIT)]
    error_limit: usize,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a workspace (a directory of .arch files, or one file) and report every problem.
    Check {
        /// The workspace directory or a single .arch file [default: the nearest directory at or
        /// above the current one that holds `archc.toml`].
        path: Option<PathBuf>,
        /// How to print diagnostics: for people (with the exposure report), one JSON object per
        /// line, or one SARIF 2.1.0 log.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Limit the exposure report to one environment.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// When to colour the output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Check the workspace and write every environment's Terraform (its root and its bootstrap),
    /// ecspresso configs, deploy workflow and diagrams, and DESIGN.md, into `--out`.
    Build {
        /// The workspace directory or a single .arch file [default: the nearest directory at or
        /// above the current one that holds `archc.toml`].
        path: Option<PathBuf>,
        /// The output directory; archc writes only inside it.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Build one environment only.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// Write beside files archc did not write (they are never replaced or removed), and
        /// overwrite generated files that were edited by hand.
        #[arg(long)]
        force: bool,
        /// Write nothing; fail if the output on disk is missing, stale or edited by hand.
        #[arg(long)]
        check: bool,
        /// Build even if the last build's stateful resources (databases, buckets) would be
        /// destroyed: a removal or replacement that is meant.
        #[arg(long)]
        allow_replace: bool,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// When to colour diagnostics.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Estimate the monthly cost of each environment from the region's price catalogue.
    Cost {
        /// The workspace directory or a single .arch file [default: the nearest directory at or
        /// above the current one that holds `archc.toml`].
        path: Option<PathBuf>,
        /// One environment only.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// A table for people, or JSON.
        #[arg(long, value_enum, default_value_t = CostFormat::Human)]
        format: CostFormat,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// When to colour diagnostics.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Print Mermaid diagrams (`archc build` writes them too): one diagram as Mermaid when
    /// `--env` and `--kind` select exactly one, else a Markdown document with one ```mermaid
    /// block per environment and diagram (which GitHub and most Markdown viewers render).
    Diagram {
        /// The workspace directory or a single .arch file [default: the nearest directory at or
        /// above the current one that holds `archc.toml`].
        path: Option<PathBuf>,
        /// One environment only.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// One diagram only.
        #[arg(long, value_enum)]
        kind: Option<DiagramKind>,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// When to colour diagnostics.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Write the design document, DESIGN.md, into `--out` (`archc build` writes it too).
    Doc {
        /// The workspace directory or a single .arch file [default: the nearest directory at or
        /// above the current one that holds `archc.toml`].
        path: Option<PathBuf>,
        /// The output directory; archc writes only inside it.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Write beside files archc did not write (they are never replaced or removed), and
        /// overwrite generated files that were edited by hand.
        #[arg(long)]
        force: bool,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
        /// When to colour diagnostics.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Compare two versions of the workspace: what the change does to the architecture (what
    /// faces the internet, flows, rules, permissions, protection, waivers, what Terraform would
    /// destroy or replace, the cost), per environment, from the IR.
    Diff {
        /// The version before: a git revision (commit, branch, tag) of the repository the
        /// workspace is in, or a directory holding that version's .arch files.
        base: String,
        /// The version after, the same way [default: the workspace as it is on disk].
        head: Option<String>,
        /// The workspace directory [default: the nearest directory at or above the current one
        /// that holds `archc.toml`].
        #[arg(long, value_name = "PATH")]
        workspace: Option<PathBuf>,
        /// One environment only.
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        /// For people, as JSON, or as the Markdown of a pull-request comment (nothing when
        /// nothing changed).
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 1 when the change holds such an item (repeatable): `broadening` (more exposed,
        /// reachable, permitted or less protected), `destroy` (destroyed or replaced resources).
        #[arg(long, value_enum)]
        deny: Vec<DenyArg>,
        /// When to colour the output.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Check waiver expiry dates as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Format .arch files in place (white space only; comments are kept).
    Fmt {
        /// A directory of .arch files, or one file [default: the workspace around the current
        /// directory, as for `check`].
        path: Option<PathBuf>,
        /// Write nothing; fail if a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code (`archc explain E1002`), or list every code.
    Explain {
        /// The code, e.g. E1002, or its name, e.g. unknown-field.
        code: Option<String>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CostFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Json,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DenyArg {
    Broadening,
    Destroy,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiagramKind {
    Architecture,
    Inbound,
    Outbound,
    SecurityGroups,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs `archc` with `args` (including the program name). `terminal` says whether stderr is
/// a terminal that wants colour (for `--color auto`).
pub fn run(args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write, terminal: bool) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => return clap_error(&error, stdout, stderr),
    };
    let limit = cli.error_limit;
    let command = match with_workspace(cli.command) {
        Ok(command) => command,
        Err(error) => {
            return match render::host_human(&error, stderr) {
                Ok(()) => EXIT_USAGE,
                Err(_) => EXIT_USAGE,
            };
        }
    };
    let result = match command {
        Command::Check {
            path,
            format,
            env,
            color,
            today,
        } => {
            let color = color.resolve(terminal);
            let options = CheckOptions {
                format,
                env,
                color,
                limit,
                today: today.unwrap_or_else(Date::today_utc),
            };
            check(root(&path), &options, stdout, stderr)
        }
        Command::Build {
            path,
            out,
            env,
            force,
            check,
            allow_replace,
            today,
            color,
        } => {
            let options = BuildOptions {
                out,
                env,
                force,
                check,
                allow_replace,
                today: today.unwrap_or_else(Date::today_utc),
                style: Style {
                    color: color.resolve(terminal),
                    limit,
                },
            };
            build(root(&path), &options, stdout, stderr)
        }
        Command::Cost {
            path,
            env,
            format,
            today,
            color,
        } => cost(
            root(&path),
            env.as_deref(),
            format,
            today.unwrap_or_else(Date::today_utc),
            Style {
                color: color.resolve(terminal),
                limit,
            },
            stdout,
            stderr,
        ),
        Command::Diagram {
            path,
            env,
            kind,
            today,
            color,
        } => diagram(
            root(&path),
            env.as_deref(),
            kind,
            today.unwrap_or_else(Date::today_utc),
            Style {
                color: color.resolve(terminal),
                limit,
            },
            stdout,
            stderr,
        ),
        Command::Doc {
            path,
            out,
            force,
            today,
            color,
        } => doc(
            root(&path),
            &out,
            force,
            today.unwrap_or_else(Date::today_utc),
            Style {
                color: color.resolve(terminal),
                limit,
            },
            stdout,
            stderr,
        ),
        Command::Diff {
            base,
            head,
            workspace,
            env,
            format,
            deny,
            color,
            today,
        } => diff(
            &DiffOptions {
                base,
                head,
                workspace: root(&workspace).to_path_buf(),
                env,
                format,
                deny,
                today: today.unwrap_or_else(Date::today_utc),
                style: Style {
                    color: color.resolve(terminal),
                    limit,
                },
            },
            stdout,
            stderr,
        ),
        Command::Fmt { path, check } => fmt(
            root(&path),
            check,
            Style {
                color: terminal,
                limit,
            },
            stdout,
            stderr,
        ),
        Command::Explain { code } => explain(code.as_deref(), stdout, stderr),
    };
    // A closed pipe or full disk while printing: nothing more can be said, and the exit code
    // still tells the caller.
    result.unwrap_or(EXIT_USAGE)
}

impl ColorChoice {
    /// Whether to colour, given whether the output is a terminal that wants colour.
    fn resolve(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal,
        }
    }
}

fn clap_error(error: &clap::Error, stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    let text = error.render().to_string();
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(stdout, "{text}");
            EXIT_OK
        }
        _ => {
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let _ = write!(stderr, "error[{}]: {text}", codes::INVALID_ARGUMENTS.id);
            EXIT_USAGE
        }
    }
}

/// How diagnostics are shown: in colour or not, and how many per file (`--error-limit`).
#[derive(Debug, Clone, Copy)]
struct Style {
    color: bool,
    limit: usize,
}

struct CheckOptions {
    format: Format,
    env: Option<String>,
    color: bool,
    limit: usize,
    today: Date,
}

fn check(
    path: &Path,
    options: &CheckOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let host_error =
        |error: HostError, stdout: &mut dyn Write, stderr: &mut dyn Write| -> std::io::Result<u8> {
            match options.format {
                Format::Human => render::host_human(&error, stderr)?,
                Format::Json | Format::Sarif => writeln!(stdout, "{}", render::host_json(&error))?,
            }
            Ok(EXIT_USAGE)
        };
    let sources = match load(path) {
        Ok(sources) => sources,
        Err(error) => return host_error(error, stdout, stderr),
    };
    let file_count = sources.len();
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, options.today);
    crate::check::prime(&db, workspace);
    let diagnostics = crate::check::diagnostics(&db, workspace);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    if let Some(env) = &options.env
        && let Err(error) = known_env(&db, workspace, env)
    {
        return host_error(error, stdout, stderr);
    }
    match options.format {
        Format::Human => {
            // Buffered: a report is many small writes, and the standard streams are not.
            let mut buffered = io::BufWriter::new(&mut *stderr);
            let mut renderer = render::Human::new(&db, options.color, options.limit);
            for diagnostic in &diagnostics {
                renderer.render(diagnostic, &mut buffered)?;
            }
            renderer.finish(&mut buffered)?;
            buffered.flush()?;
            drop(buffered);
            if errors == 0 {
                let reports = crate::report::exposure(&db, workspace, options.env.as_deref());
                write!(stdout, "{}", crate::report::render(&reports))?;
            }
            let files = plural(file_count, "file");
            match (errors, warnings) {
                (0, 0) => writeln!(stderr, "checked {files}: no problems")?,
                _ => writeln!(
                    stderr,
                    "checked {files}: {}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning")
                )?,
            }
        }
        Format::Json => {
            let mut buffered = io::BufWriter::new(&mut *stdout);
            for diagnostic in &diagnostics {
                serde_json::to_writer(&mut buffered, &render::json(&db, diagnostic))?;
                buffered.write_all(b"\n")?;
            }
            buffered.flush()?;
        }
        Format::Sarif => {
            let mut buffered = io::BufWriter::new(&mut *stdout);
            crate::diagnostics::sarif::write(&db, &diagnostics, &mut buffered)?;
            buffered.flush()?;
        }
    }
    Ok(if errors > 0 { EXIT_ERRORS } else { EXIT_OK })
}

struct BuildOptions {
    out: PathBuf,
    env: Option<String>,
    force: bool,
    check: bool,
    allow_replace: bool,
    today: Date,
    style: Style,
}

/// Loads and checks the workspace, printing its diagnostics; `Err` is the exit status when it
/// cannot go on (unreadable input, errors, an unknown `--env`).
fn checked(
    path: &Path,
    today: Date,
    style: Style,
    env: Option<&str>,
    stderr: &mut dyn Write,
) -> std::io::Result<Result<(RootDatabase, Workspace), u8>> {
    let sources = match load(path) {
        Ok(sources) => sources,
        Err(error) => {
            render::host_human(&error, stderr)?;
            return Ok(Err(EXIT_USAGE));
        }
    };
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, today);
    crate::check::prime(&db, workspace);
    let diagnostics = crate::check::diagnostics(&db, workspace);
    let mut renderer = render::Human::new(&db, style.color, style.limit);
    for diagnostic in &diagnostics {
        renderer.render(diagnostic, stderr)?;
    }
    renderer.finish(stderr)?;
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        writeln!(
            stderr,
            "stopped: {}; nothing was written",
            plural(errors, "error")
        )?;
        return Ok(Err(EXIT_ERRORS));
    }
    if let Some(env) = env
        && let Err(error) = known_env(&db, workspace, env)
    {
        render::host_human(&error, stderr)?;
        return Ok(Err(EXIT_USAGE));
    }
    Ok(Ok((db, workspace)))
}

fn build(
    path: &Path,
    options: &BuildOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let (db, workspace) = match checked(path, options.today, options.style, options.env.as_deref(), stderr)? {
        Ok(checked) => checked,
        Err(code) => return Ok(code),
    };
    let report = |error: HostError, stderr: &mut dyn Write| -> std::io::Result<u8> {
        render::host_human(&error, stderr)?;
        Ok(EXIT_USAGE)
    };
    let directory = match output::Directory::open(&options.out) {
        Ok(directory) => directory,
        Err(error) => return report(error, stderr),
    };
    let scope = crate::backend::scope(options.env.as_deref());
    // Each environment is generated, hashed, compared with the disk and summarized for the
    // state-safety check on its own thread; only what must be written is kept.
    let summarize = !options.check && !options.allow_replace;
    // Meanwhile another thread looks for files archc did not write (a walk of the whole
    // directory, which for 240,000 files took as long as a third of the generating).
    let (planned, foreign) = std::thread::scope(|scope| {
        let foreign = (!options.check).then(|| scope.spawn(|| directory.foreign()));
        let planned: Vec<(output::Planned, Option<state::Summary>)> =
            crate::backend::build_with(&db, workspace, options.env.as_deref(), &|file| {
                let summary = summarize
                    .then(|| state::summarize(&file.path, &file.contents))
                    .flatten();
                (directory.plan(file, options.force), summary)
            });
        let foreign = foreign.map(|walk| {
            walk.join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
        });
        (planned, foreign)
    });
    let foreign = match foreign.transpose() {
        Ok(foreign) => foreign.unwrap_or_default(),
        Err(error) => return report(error, stderr),
    };
    let (mut planned, next): (Vec<output::Planned>, Vec<Option<state::Summary>>) =
        planned.into_iter().unzip();
    // The review workflow runs the workspace's commands from the output directory (the
    // repository's root), so it names the workspace relative to it.
    if options.env.is_none() {
        let workspace = relative_to(&options.out, path);
        let review = crate::backend::review::workflow(&crate::backend::header_line(), &workspace);
        planned.push(directory.plan(review, options.force));
    }
    if options.check {
        let differences = output::differences(&directory, &planned, &scope);
        if differences.is_empty() {
            writeln!(
                stdout,
                "{}: up to date ({})",
                options.out.display(),
                plural(planned.len(), "file")
            )?;
            return Ok(EXIT_OK);
        }
        let error = HostError {
            code: codes::STALE_OUTPUT,
            message: format!(
                "the output in `{}` does not match the sources:\n  {}",
                options.out.display(),
                differences.join("\n  ")
            ),
            help: "run `archc build` and commit the result; never edit generated files by hand".into(),
        };
        render::host_human(&error, stderr)?;
        return Ok(EXIT_ERRORS);
    }
    if summarize {
        let losses = state::losses(
            &previous_terraform(&directory, &scope, &planned, &next),
            &next.into_iter().flatten().collect::<Vec<_>>(),
        );
        if !losses.is_empty() {
            let listed: Vec<String> = losses
                .iter()
                .map(|l| match &l.because {
                    Some(because) => format!("`{}` in {} (replaced: {because})", l.address, l.env),
                    None => format!("`{}` in {}", l.address, l.env),
                })
                .collect();
            let error = HostError {
                code: codes::WOULD_DESTROY_DATA,
                message: format!(
                    "this build would make Terraform destroy {} with its data (the last build declared it; this one drops it, renames it without `was`, or replaces it)",
                    listed.join(", ")
                ),
                help: "if you renamed it, add `was = \"<old name>\"` to its new declaration (archc then moves its state and keeps its names); if an override changes what forces a replacement, undo it; to replace or remove it on purpose, build with `--allow-replace`".into(),
            };
            render::host_human(&error, stderr)?;
            return Ok(EXIT_ERRORS);
        }
    }
    match output::commit(directory, planned, &foreign, &scope, options.force) {
        Ok(written) => {
            writeln!(
                stdout,
                "wrote {} to {} ({} unchanged, {} removed)",
                plural(written.written, "file"),
                options.out.display(),
                written.unchanged,
                written.removed
            )?;
            Ok(EXIT_OK)
        }
        Err(error) => report(error, stderr),
    }
}

/// `path` relative to the directory `base` (both as given, from the current directory):
/// `infra`, `../examples/webapp`, `.`.
fn relative_to(base: &Path, path: &Path) -> String {
    let absolute = |p: &Path| -> Vec<String> {
        let full = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut parts: Vec<String> = Vec::new();
        for component in full.components() {
            match component {
                std::path::Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                _ => {}
            }
        }
        parts
    };
    let (base, path) = (absolute(base), absolute(path));
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let parts: Vec<&str> = std::iter::repeat_n("..", base.len().saturating_sub(common))
        .chain(path.iter().skip(common).map(String::as_str))
        .collect();
    match parts.is_empty() {
        true => ".".to_owned(),
        false => parts.join("/"),
    }
}

/// The Terraform the last build wrote (as recorded) under `scope`, summarized: what the state
/// on AWS was planned from. A file this build leaves unchanged is summarized from what it
/// generates (the same bytes); only the others are read back.
fn previous_terraform(
    directory: &output::Directory,
    scope: &[String],
    planned: &[output::Planned],
    next: &[Option<state::Summary>],
) -> Vec<state::Summary> {
    let unchanged: std::collections::BTreeMap<&str, &state::Summary> = planned
        .iter()
        .zip(next)
        .filter_map(|(file, summary)| {
            Some((
                file.path.as_str(),
                summary.as_ref().filter(|_| file.is_unchanged())?,
            ))
        })
        .collect();
    directory
        .recorded(scope)
        .filter(|path| path.ends_with(".tf"))
        .filter_map(|path| match unchanged.get(path) {
            Some(summary) => Some((*summary).clone()),
            None => state::summarize(path, &directory.previous(path)?),
        })
        .collect()
}

fn cost(
    path: &Path,
    env: Option<&str>,
    format: CostFormat,
    today: Date,
    style: Style,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let (db, workspace) = match checked(path, today, style, env, stderr)? {
        Ok(checked) => checked,
        Err(code) => return Ok(code),
    };
    let ir = &crate::lower::lower(&db, workspace).ir;
    match crate::cost::estimate(ir, env) {
        Ok(estimates) => {
            match format {
                CostFormat::Human => write!(stdout, "{}", crate::cost::render(&estimates))?,
                CostFormat::Json => {
                    let reductions: Vec<serde_json::Value> = crate::cost::nat_reductions(&estimates)
                        .into_iter()
                        .map(|(env, baseline, percent)| serde_json::json!({ "env": env, "baseline": baseline, "nat_percent_less": percent }))
                        .collect();
                    let value = serde_json::json!({ "estimates": estimates, "nat_reductions": reductions });
                    writeln!(
                        stdout,
                        "{}",
                        serde_json::to_string_pretty(&value).unwrap_or_default()
                    )?;
                }
            }
            Ok(EXIT_OK)
        }
        Err(region) => {
            let error = HostError {
                code: codes::NO_PRICES,
                message: format!("archc has no price catalogue for {region}"),
                help: format!(
                    "the catalogues are in stdlib/prices/; archc has prices for {}",
                    crate::diagnostics::all_of(&crate::cost::regions())
                ),
            };
            render::host_human(&error, stderr)?;
            Ok(EXIT_USAGE)
        }
    }
}

fn diagram(
    path: &Path,
    env: Option<&str>,
    kind: Option<DiagramKind>,
    today: Date,
    style: Style,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let (db, workspace) = match checked(path, today, style, env, stderr)? {
        Ok(checked) => checked,
        Err(code) => return Ok(code),
    };
    let wanted = kind.map(|k| match k {
        DiagramKind::Architecture => "architecture.mmd",
        DiagramKind::Inbound => "inbound.mmd",
        DiagramKind::Outbound => "outbound.mmd",
        DiagramKind::SecurityGroups => "security-groups.mmd",
    });
    let ir = &crate::lower::lower(&db, workspace).ir;
    let selected: Vec<(&str, &str, String)> = ir
        .envs
        .iter()
        .filter(|e| env.is_none_or(|name| e.name == name))
        .flat_map(|e| {
            crate::backend::mermaid::diagrams(e)
                .into_iter()
                .filter(|(name, _)| wanted.is_none_or(|w| w == *name))
                .map(|(name, text)| (e.name.as_str(), name.trim_end_matches(".mmd"), text))
        })
        .collect();
    // One diagram is Mermaid as it is; several are a Markdown document, one block each, which
    // a renderer takes as a whole (Mermaid itself takes one diagram per input).
    match selected.as_slice() {
        [(_, _, text)] => write!(stdout, "{text}")?,
        _ => {
            writeln!(stdout, "# {} diagrams", ir.system)?;
            for (env, kind, text) in &selected {
                write!(stdout, "\n## {env}: {kind}\n\n```mermaid\n{text}```\n")?;
            }
        }
    }
    Ok(EXIT_OK)
}

fn doc(
    path: &Path,
    out: &Path,
    force: bool,
    today: Date,
    style: Style,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let (db, workspace) = match checked(path, today, style, None, stderr)? {
        Ok(checked) => checked,
        Err(code) => return Ok(code),
    };
    let document = crate::backend::design_document(&db, workspace);
    match output::write(
        out,
        std::slice::from_ref(&document),
        &["DESIGN.md".to_owned()],
        force,
    ) {
        Ok(_) => {
            writeln!(stdout, "wrote {}", out.join(&document.path).display())?;
            Ok(EXIT_OK)
        }
        Err(error) => {
            render::host_human(&error, stderr)?;
            Ok(EXIT_USAGE)
        }
    }
}

struct DiffOptions {
    base: String,
    head: Option<String>,
    workspace: PathBuf,
    env: Option<String>,
    format: DiffFormat,
    deny: Vec<DenyArg>,
    today: Date,
    style: Style,
}

/// Compares two versions of the workspace. Both are checked in one database, the base first:
/// the head's files that did not change keep their inputs, so only what changed is checked
/// again.
fn diff(options: &DiffOptions, stdout: &mut dyn Write, stderr: &mut dyn Write) -> std::io::Result<u8> {
    let base = revisions::sources(&options.base, &options.workspace);
    let head = match &options.head {
        Some(head) => revisions::sources(head, &options.workspace),
        None => revisions::on_disk(&options.workspace),
    };
    let (base, head) = match (base, head) {
        (Ok(base), Ok(head)) => (base, head),
        (Err(error), _) | (_, Err(error)) => {
            render::host_human(&error, stderr)?;
            return Ok(EXIT_USAGE);
        }
    };
    let names = [
        format!("the version before (`{}`)", options.base),
        match &options.head {
            Some(head) => format!("the version after (`{head}`)"),
            None => "the workspace".to_owned(),
        },
    ];
    let [before_name, after_name] = &names;
    for (name, sources) in [(before_name, &base), (after_name, &head)] {
        if sources.is_empty() {
            writeln!(
                stderr,
                "note: {name} holds no .arch files there: compared as an empty workspace"
            )?;
        }
    }
    let mut db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, base, options.today);
    let before = if workspace.files(&db).is_empty() {
        crate::diff::Side::empty()
    } else {
        if let Some(code) = diff_side_errors(&db, workspace, before_name, options.style, stderr)? {
            return Ok(code);
        }
        crate::diff::Side::of(&db, workspace)
    };
    let empty_after = head.is_empty();
    crate::db::replace_files(&mut db, workspace, head);
    if !empty_after && let Some(code) = diff_side_errors(&db, workspace, after_name, options.style, stderr)? {
        return Ok(code);
    }
    if let Some(env) = &options.env
        && let Err(error) = known_env(&db, workspace, env)
        && !before.ir.envs.iter().any(|e| &e.name == env)
    {
        render::host_human(&error, stderr)?;
        return Ok(EXIT_USAGE);
    }
    let after = match empty_after {
        true => crate::diff::Side::empty(),
        false => crate::diff::Side::of(&db, workspace),
    };
    let compared = crate::diff::compare(
        &before,
        &after,
        options.env.as_deref(),
        options.format != DiffFormat::Human,
    );
    match options.format {
        DiffFormat::Human => write!(
            stdout,
            "{}",
            crate::diff::render::human(&compared, options.style.color)
        )?,
        DiffFormat::Json => writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&compared).unwrap_or_default()
        )?,
        DiffFormat::Markdown => write!(stdout, "{}", crate::diff::render::markdown(&compared))?,
    }
    let mut denied = Vec::new();
    for deny in &options.deny {
        let (what, n) = match deny {
            DenyArg::Broadening => ("broadening", compared.denied(crate::diff::Deny::Broadening)),
            DenyArg::Destroy => ("destroy", compared.denied(crate::diff::Deny::Destroy)),
        };
        if n > 0 && !denied.iter().any(|(w, _)| *w == what) {
            denied.push((what, n));
        }
    }
    if denied.is_empty() {
        return Ok(EXIT_OK);
    }
    let listed: Vec<String> = denied
        .iter()
        .map(|(what, n)| format!("{} (`--deny {what}`)", plural(*n, &format!("{what} change"))))
        .collect();
    render::host_human(
        &HostError {
            code: codes::DENIED_CHANGE,
            message: format!("the change holds {}", listed.join(" and ")),
            help: "review the changes listed above; in the review workflow, the `archc-approved` label on the pull request accepts them".into(),
        },
        stderr,
    )?;
    Ok(EXIT_ERRORS)
}

/// Whether one version of a diff can be compared: it must parse, type-check and lower (else
/// its errors are printed, and the exit status returned). Errors of the design rules or of
/// AWS's constraints do not stop a comparison (a base written before a rule existed is still
/// what is deployed): they are noted in one line.
fn diff_side_errors(
    db: &RootDatabase,
    workspace: Workspace,
    name: &str,
    style: Style,
    stderr: &mut dyn Write,
) -> std::io::Result<Option<u8>> {
    crate::check::prime(db, workspace);
    let diagnostics = crate::check::diagnostics(db, workspace);
    let errors: Vec<&crate::diagnostics::Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(None);
    }
    if crate::check::lowered(db, workspace).is_some() {
        writeln!(
            stderr,
            "note: {name} has {} from the design rules or AWS's constraints (`archc check` lists them); compared as it is",
            plural(errors.len(), "error")
        )?;
        return Ok(None);
    }
    let mut renderer = render::Human::new(db, style.color, style.limit);
    for diagnostic in &errors {
        renderer.render(diagnostic, stderr)?;
    }
    renderer.finish(stderr)?;
    writeln!(
        stderr,
        "stopped: {name} has {}; only versions that parse, type-check and lower can be compared",
        plural(errors.len(), "error")
    )?;
    Ok(Some(EXIT_ERRORS))
}

/// Formats every file of the workspace; with `check`, only reports the ones that would change.
fn fmt(
    path: &Path,
    check: bool,
    style: Style,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<u8> {
    let sources = match load(path) {
        Ok(sources) => sources,
        Err(error) => {
            render::host_human(&error, stderr)?;
            return Ok(EXIT_USAGE);
        }
    };
    let db = RootDatabase::default();
    let workspace = Workspace::from_sources(&db, sources, Date::from_unix_days(0));
    let mut unformatted = Vec::new();
    let mut broken = 0;
    let mut renderer = render::Human::new(&db, style.color, style.limit);
    for &file in workspace.files(&db) {
        let syntax = &crate::syntax::parse(&db, file).diagnostics;
        for diagnostic in syntax {
            renderer.render(diagnostic, stderr)?;
        }
        let Some(formatted) = crate::format::format(file.text(&db), !syntax.is_empty()) else {
            broken += 1;
            continue;
        };
        if formatted == file.text(&db) {
            continue;
        }
        unformatted.push(file.path(&db).to_owned());
        if !check {
            let target = Path::new(file.path(&db));
            if let Err(error) = files::rewrite(target, formatted.as_bytes()) {
                render::host_human(
                    &HostError {
                        code: codes::UNREADABLE_FILE,
                        message: format!("cannot write `{}`: {error}", target.display()),
                        help: "check that the file is writable".into(),
                    },
                    stderr,
                )?;
                return Ok(EXIT_USAGE);
            }
        }
    }
    renderer.finish(stderr)?;
    for path in &unformatted {
        writeln!(
            stdout,
            "{}{path}",
            if check { "not formatted: " } else { "formatted " }
        )?;
    }
    if broken > 0 {
        writeln!(
            stderr,
            "{} with syntax errors left as they are",
            plural(broken, "file")
        )?;
    }
    Ok(if broken > 0 || (check && !unformatted.is_empty()) {
        EXIT_ERRORS
    } else {
        EXIT_OK
    })
}

/// `Ok` when the workspace declares environment `env`; otherwise an E9007 error with the names.
fn known_env(db: &RootDatabase, workspace: Workspace, env: &str) -> Result<(), HostError> {
    let names: Vec<&str> = crate::model::model(db, workspace)
        .envs
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    if names.contains(&env) {
        return Ok(());
    }
    let help = match did_you_mean(env, names.iter().copied()) {
        Some(s) => format!(
            "did you mean `{s}`? The environments are {}",
            crate::diagnostics::all_of(&names)
        ),
        None if names.is_empty() => "this workspace declares no environment (`env <name> { … }`)".to_owned(),
        None => format!("the environments are {}", crate::diagnostics::all_of(&names)),
    };
    Err(HostError {
        code: codes::UNKNOWN_ENVIRONMENT,
        message: format!("there is no environment `{env}`"),
        help,
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date of the form YYYY-MM-DD"))
}

fn explain(code: Option<&str>, stdout: &mut dyn Write, stderr: &mut dyn Write) -> std::io::Result<u8> {
    let Some(query) = code else {
        for code in codes::ALL {
            writeln!(stdout, "{}  {}", code.id, code.name)?;
        }
        return Ok(EXIT_OK);
    };
    if let Some(code) = codes::lookup(query) {
        write!(stdout, "{}", code.explanation)?;
        return Ok(EXIT_OK);
    }
    let ids = codes::ALL.iter().flat_map(|c| [c.id, c.name]);
    let help = match did_you_mean(&query.to_ascii_uppercase(), ids)
        .or_else(|| did_you_mean(query, codes::ALL.iter().map(|c| c.name)))
    {
        Some(s) => format!("did you mean `{s}`? Run `archc explain` to list every code"),
        None => "run `archc explain` to list every code".to_owned(),
    };
    render::host_human(
        &HostError {
            code: codes::UNKNOWN_CODE,
            message: format!("there is no diagnostic code `{query}`"),
            help,
        },
        stderr,
    )?;
    Ok(EXIT_USAGE)
}

/// The file that marks a workspace's root directory, as `Cargo.toml` marks a package's: the
/// `.arch` files below it are one system (except those below another `archc.toml`).
pub const WORKSPACE_MARKER: &str = "archc.toml";

/// The path a command's `path` argument resolves to once `with_workspace` has run.
fn root(path: &Option<PathBuf>) -> &Path {
    path.as_deref().unwrap_or(Path::new("."))
}

/// Fills a command's missing `path` with the workspace around the current directory.
fn with_workspace(mut command: Command) -> Result<Command, HostError> {
    // Comparing with a directory: it is the workspace (a revision is read from its repository).
    if let Command::Diff {
        workspace: workspace @ None,
        head: Some(head),
        ..
    } = &mut command
        && Path::new(head.as_str()).is_dir()
    {
        *workspace = Some(PathBuf::from(head.as_str()));
    }
    let path = match &mut command {
        Command::Check { path, .. }
        | Command::Build { path, .. }
        | Command::Cost { path, .. }
        | Command::Diagram { path, .. }
        | Command::Doc { path, .. }
        | Command::Diff { workspace: path, .. }
        | Command::Fmt { path, .. } => path,
        Command::Explain { .. } => return Ok(command),
    };
    if path.is_none() {
        let cwd = std::env::current_dir().map_err(|error| io_error(Path::new("."), &error))?;
        *path = Some(find_workspace(&cwd)?);
    }
    Ok(command)
}

/// The nearest directory at or above `cwd` that holds `archc.toml`, relative to `cwd` (`.`,
/// `..`, …); else an error that names the workspaces below `cwd`.
pub fn find_workspace(cwd: &Path) -> Result<PathBuf, HostError> {
    for (up, dir) in cwd.ancestors().enumerate() {
        if dir.join(WORKSPACE_MARKER).is_file() {
            return Ok(match up {
                0 => PathBuf::from("."),
                n => (0..n).map(|_| "..").collect(),
            });
        }
    }
    let mut below = Vec::new();
    workspaces_below(cwd, cwd, 4, &mut below);
    below.sort();
    let help = match below.first() {
        Some(first) => format!(
            "pass a workspace's directory, e.g. `archc check {first}`{}; or create `archc.toml` in the directory that holds your .arch files",
            match below.len() {
                1 => String::new(),
                n => format!(" (workspaces below here: {})", below.iter().take(8).cloned().collect::<Vec<_>>().join(", ") + if n > 8 { ", …" } else { "" }),
            }
        ),
        None => "create an empty `archc.toml` in the directory that holds your .arch files (it marks the workspace, as Cargo.toml does), or pass that directory".into(),
    };
    Err(HostError {
        code: codes::NO_WORKSPACE,
        message: "no archc workspace here: no `archc.toml` in this directory or above it".into(),
        help,
    })
}

/// Directories below `dir` (to `depth` levels, hidden ones and build outputs skipped) that hold
/// `archc.toml`, relative to `base`.
fn workspaces_below(base: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir || name.starts_with('.') || matches!(name.as_str(), "target" | "node_modules") {
            continue;
        }
        let path = entry.path();
        if path.join(WORKSPACE_MARKER).is_file() {
            out.push(display(path.strip_prefix(base).unwrap_or(&path)));
        } else if depth > 1 {
            workspaces_below(base, &path, depth - 1, out);
        }
    }
}

/// Reads the workspace at `path`: one file, or every `.arch` file below a directory (hidden
/// directories and other workspaces, which hold their own `archc.toml`, skipped), sorted by
/// path.
pub fn load(path: &Path) -> Result<Vec<(String, String)>, HostError> {
    let metadata = std::fs::metadata(path).map_err(|error| io_error(path, &error))?;
    let mut files = Vec::new();
    if metadata.is_dir() {
        collect_arch_files(path, &mut files)?;
        if files.is_empty() {
            return Err(HostError {
                code: codes::NO_SOURCE_FILES,
                message: format!("`{}` holds no .arch files", display(path)),
                help: "point archc at the directory that holds your .arch files, e.g. `archc check examples/webapp`".into(),
            });
        }
    } else {
        files.push(path.to_path_buf());
    }
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let bytes = files::read(&file, Links::Follow).map_err(|error| read_error(&file, error))?;
            let text = String::from_utf8(bytes).map_err(|error| not_utf8(&file, &error))?;
            Ok((display(&file), text))
        })
        .collect()
}

fn collect_arch_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), HostError> {
    let entries = std::fs::read_dir(dir).map_err(|error| io_error(dir, &error))?;
    for entry in entries {
        let entry = entry.map_err(|error| io_error(dir, &error))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let file_type = entry.file_type().map_err(|error| io_error(&path, &error))?;
        if file_type.is_dir() && !hidden && !path.join(WORKSPACE_MARKER).is_file() {
            collect_arch_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "arch") && !hidden {
            files.push(path);
        }
    }
    Ok(())
}

fn read_error(path: &Path, error: ReadError) -> HostError {
    match error {
        ReadError::Io(error) => io_error(path, &error),
        ReadError::NotRegular => HostError {
            code: codes::UNREADABLE_FILE,
            message: format!("`{}` is not a regular file", display(path)),
            help: "archc reads only regular files (not FIFOs, devices or sockets); remove it or rename it so it does not end in `.arch`".into(),
        },
        ReadError::TooLarge(size) => HostError {
            code: codes::UNREADABLE_FILE,
            message: format!(
                "`{}` is {} MiB, more than archc reads ({} MiB)",
                display(path),
                size / (1024 * 1024),
                files::READ_LIMIT / (1024 * 1024)
            ),
            help: "an architecture is kilobytes of text; check that this is the file you meant".into(),
        },
    }
}

fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

fn io_error(path: &Path, error: &std::io::Error) -> HostError {
    if error.kind() == std::io::ErrorKind::NotFound {
        HostError {
            code: codes::PATH_NOT_FOUND,
            message: format!("`{}` does not exist", display(path)),
            help: "check the path; `archc check` takes a directory of .arch files or one .arch file".into(),
        }
    } else {
        HostError {
            code: codes::UNREADABLE_FILE,
            message: format!("cannot read `{}`: {error}", display(path)),
            help: "check that the file exists and that you may read it".into(),
        }
    }
}

fn not_utf8(path: &Path, error: &std::string::FromUtf8Error) -> HostError {
    let offset = error.utf8_error().valid_up_to();
    let bytes = error.as_bytes();
    let line = bytes
        .get(..offset)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1;
    HostError {
        code: codes::NOT_UTF8,
        message: format!(
            "`{}` is not valid UTF-8 (first bad byte at offset {offset}, line {line})",
            display(path)
        ),
        help: "save the file as UTF-8".into(),
    }
}
