//! Names AWS cannot tell apart or cannot take (`E1037`), decided from the symbol table.

use super::*;

/// The `E1037` diagnostics of the workspace: a query of its own that reads the symbol table
/// (which an edit of a value or an override leaves equal), so it does not re-run on every
/// keystroke in the file that declares the system.
#[salsa::tracked(returns(ref))]
pub(super) fn aws_name_conflicts(db: &dyn Db, workspace: Workspace) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    conflicts(db, workspace_symbols(db, workspace), &mut diagnostics);
    diagnostics
}

/// The archc-owned Terraform resource that a component or tier called `name` would share an
/// address with: the NAT instance's and the VPC endpoints' security groups (every placed
/// component has a group), the notifier's and the flow logs' log groups (every task has one),
/// and the public subnets and route table (a tier's are named after it).
fn reserved(name: &str, category: Option<&str>) -> Option<&'static str> {
    let placed = matches!(category, Some("service" | "job" | "database" | "load_balancer"));
    let task = matches!(category, Some("service" | "job"));
    match name {
        "nat" if placed => Some("NAT instance security group"),
        "vpc_endpoints" if placed => Some("VPC endpoints security group"),
        "alarm_notifier" | "vpc_flow_logs" if task => Some("log group"),
        "public" if category == Some("tier") => Some("public subnets and route table"),
        _ => None,
    }
}

/// Names that AWS cannot tell apart or cannot take. Physical names (`webapp-prd-api`, bucket
/// names, IAM roles) are written in lowercase with `-` for `_`, and IAM and S3 compare names
/// without case, so `Api` beside `api` would be one resource; a name that starts or ends with
/// `_` would start or end an AWS name with `-`, which load balancers and target groups refuse.
/// Declarations are looked up (parsed files read) only to place a diagnostic.
fn conflicts(db: &dyn Db, symbols: &SymbolTable, diagnostics: &mut Vec<Diagnostic>) {
    fn first_site<T>(sites: &[Site<T>]) -> Option<(SourceFile, usize)> {
        sites.first().map(|s| (s.file, s.ordinal))
    }
    let aws_form = |name: &str| name.to_ascii_lowercase().replace('_', "-");
    let envs: Vec<(&String, Option<(SourceFile, usize)>)> = symbols
        .envs
        .iter()
        .map(|(name, sites)| (name, first_site(sites)))
        .collect();
    let components: Vec<(&String, Option<(SourceFile, usize)>)> = symbols
        .components
        .iter()
        .map(|(name, sites)| (name, first_site(sites)))
        .collect();
    for (namespace, what, names) in [
        (Namespace::Env, "environment", envs),
        (Namespace::Component, "name", components),
    ] {
        let place = |name: &str, (file, ordinal): (SourceFile, usize)| {
            (
                file,
                find_declaration(db, file, namespace, name, ordinal).unwrap_or(0..0),
            )
        };
        let mut first_of: BTreeMap<String, (&String, (SourceFile, usize))> = BTreeMap::new();
        for (name, site) in names {
            let Some(site) = site else { continue };
            let reserved = (namespace == Namespace::Component)
                .then(|| reserved(name, symbols.component(name).map(|c| c.category.as_str())))
                .flatten();
            if let Some(owner) = reserved {
                let (file, span) = place(name, site);
                diagnostics.push(
                    Diagnostic::error(
                        codes::AWS_NAME_CONFLICT,
                        file,
                        span,
                        format!("`{name}` is the name of archc's own {owner} in the Terraform it writes"),
                    )
                    .with_help(format!(
                        "rename it, e.g. `{name}_1` or a name that says what it is"
                    )),
                );
            }
            if name.starts_with('_') || name.ends_with('_') {
                let (file, span) = place(name, site);
                diagnostics.push(
                    Diagnostic::error(
                        codes::AWS_NAME_CONFLICT,
                        file,
                        span,
                        format!("the {what} `{name}` would start or end an AWS name with `-`"),
                    )
                    .with_help(format!(
                        "AWS names start and end with a letter or digit: rename it to `{}`",
                        name.trim_matches('_')
                    )),
                );
            }
            let form = aws_form(name);
            let Some((earlier, earlier_site)) = first_of.get(&form) else {
                first_of.insert(form, (name, site));
                continue;
            };
            let (file, span) = place(name, site);
            let (earlier_file, earlier_span) = place(earlier, *earlier_site);
            diagnostics.push(
                Diagnostic::error(
                    codes::AWS_NAME_CONFLICT,
                    file,
                    span,
                    format!("the {what}s `{earlier}` and `{name}` are one name in AWS (`{form}`)"),
                )
                .with_label(earlier_file, earlier_span, "the other one")
                .with_help(
                    "AWS resource names are lowercase with `-` for `_`, and IAM and S3 ignore case: give them names that differ in more than case or `_`",
                ),
            );
        }
    }
}
