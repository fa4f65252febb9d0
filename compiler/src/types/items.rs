//! Items: the top level of a file, the system, components (kind, placement, body), flows,
//! routes and waivers.

use super::*;

impl Checker<'_> {
    pub(super) fn top_level(&mut self, member: &Member) {
        match &member.kind {
            MemberKind::Use { module } => {
                if !self.catalogue.modules.contains(&module.text) {
                    let names: Vec<&str> = self.catalogue.modules.iter().map(String::as_str).collect();
                    self.error(
                        codes::UNKNOWN_MODULE,
                        module.span.clone(),
                        format!("there is no stdlib module `{}`", module.text),
                        format!("the stdlib modules are {}", all_of(&names)),
                    );
                }
            }
            MemberKind::Decl(decl) if decl.keyword.text == SYSTEM_KEYWORD => self.system(decl),
            MemberKind::Decl(decl) if decl.keyword.text == ENV_KEYWORD => self.env(decl),
            MemberKind::Decl(decl) if self.catalogue.categories.contains_key(&decl.keyword.text) => self
                .error(
                    codes::MISPLACED_ITEM,
                    decl.keyword.span.clone(),
                    format!(
                        "a {} must be declared inside the `system` block",
                        decl.keyword.text
                    ),
                    "move it into `system <name> { … }`",
                ),
            MemberKind::Decl(decl) => {
                let suggestion = did_you_mean(&decl.keyword.text, [SYSTEM_KEYWORD, ENV_KEYWORD, "use"]);
                self.error(
                    codes::UNKNOWN_ITEM_KEYWORD,
                    decl.keyword.span.clone(),
                    format!("unknown item `{}` at the top level of a file", decl.keyword.text),
                    match suggestion {
                        Some(s) => {
                            format!("did you mean `{s}`? A file holds `system`, `env` and `use` items")
                        }
                        None => "a file holds `system`, `env` and `use` items".to_owned(),
                    },
                );
            }
            _ => self.error(
                codes::MISPLACED_ITEM,
                member_head_span(member),
                "this must be inside a `system` or `env` block",
                "a file holds `system`, `env` and `use` items; fields, flows and routes go inside them",
            ),
        }
    }

    pub(super) fn no_kind_or_tier(&mut self, decl: &Decl, what: &str) {
        if let Some(kind) = &decl.kind {
            self.error(
                codes::MISPLACED_ITEM,
                kind.span.clone(),
                format!("{what} has no kind"),
                format!("write `{} {} {{ … }}`", decl.keyword.text, decl.name.text),
            );
        }
        if let Some(tier) = &decl.tier {
            self.error(
                codes::UNEXPECTED_PLACEMENT,
                tier.span.clone(),
                format!("{what} is not placed in a tier"),
                format!("remove `in {}`", tier.text),
            );
        }
    }

    pub(super) fn system(&mut self, decl: &Decl) {
        self.declaration(decl);
        self.no_kind_or_tier(decl, "a system");
        if let Some(first) = self.symbols.systems.first()
            && first.item != decl.name.text
        {
            let first_span =
                find_declaration(self.db, first.file, Namespace::System, &first.item, first.ordinal)
                    .unwrap_or(0..0);
            self.push(
                Diagnostic::error(
                    codes::CONFLICTING_SYSTEMS,
                    self.file,
                    decl.name.span.clone(),
                    format!(
                        "this workspace already declares system `{}`; `{}` would be a second system",
                        first.item, decl.name.text
                    ),
                )
                .with_label(first.file, first_span, "the workspace's system is declared here")
                .with_help(format!(
                    "every file of a workspace belongs to one system: rename this block to `system {}`, or move the file to its own directory",
                    first.item
                )),
            );
        }
        let Some(schema) = self.catalogue.block(SYSTEM_BLOCK) else {
            return;
        };
        // Required fields may be set in any file's system block: checked by `check_workspace`.
        self.body(
            schema,
            &decl.body,
            SYSTEM_KEYWORD,
            &Owner::system(decl),
            Completeness::Partial,
        );
    }

    pub(super) fn component(&mut self, decl: &Decl, container: &str) {
        let keyword = &decl.keyword.text;
        let Some(category) = self.catalogue.categories.get(keyword) else {
            let candidates = self.catalogue.categories.keys().map(String::as_str);
            let help = match did_you_mean(keyword, candidates) {
                Some(s) => format!("did you mean `{s}`?"),
                None => {
                    let names: Vec<&str> = self.catalogue.categories.keys().map(String::as_str).collect();
                    format!("items are declared with {}", one_of(&names))
                }
            };
            self.error(
                codes::UNKNOWN_ITEM_KEYWORD,
                decl.keyword.span.clone(),
                format!("unknown item keyword `{keyword}`"),
                help,
            );
            return;
        };
        self.declaration(decl);
        let what = keyword.replace('_', " ");
        self.check_unique(
            self.symbols.components.get(&decl.name.text),
            Namespace::Component,
            &decl.name,
            &what,
        );
        if category.scope != container {
            let place = if category.scope == NETWORK_BLOCK {
                "inside the `network` block".to_owned()
            } else {
                format!("directly inside the `{}` block", category.scope)
            };
            self.error(
                codes::MISPLACED_ITEM,
                decl.keyword.span.clone(),
                format!("a {what} must be declared {place}"),
                format!("move `{keyword} {}` there", decl.name.text),
            );
            return;
        }
        let kind_name = self
            .catalogue
            .kind_name(keyword, decl.kind.as_ref().map(|k| k.text.as_str()));
        let kinds_of_category: Vec<&str> = self
            .catalogue
            .kinds
            .values()
            .filter(|k| &k.category == keyword)
            .map(|k| k.name.as_str())
            .collect();
        let Some(kind_name) = kind_name else {
            self.error(
                codes::UNKNOWN_KIND,
                decl.name.span.clone(),
                format!("{what} `{}` needs a kind", decl.name.text),
                format!(
                    "write `{keyword} {} : <kind>`, where the kind is {}",
                    decl.name.text,
                    one_of(&kinds_of_category)
                ),
            );
            return;
        };
        let kind_span = decl
            .kind
            .as_ref()
            .map_or(decl.name.span.clone(), |k| k.span.clone());
        let Some(kind) = self.catalogue.kinds.get(&kind_name) else {
            let help = match did_you_mean(&kind_name, kinds_of_category.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("a {what} is one of {}", one_of(&kinds_of_category)),
            };
            self.error(
                codes::UNKNOWN_KIND,
                kind_span,
                format!("unknown kind `{kind_name}`"),
                help,
            );
            return;
        };
        if &kind.category != keyword {
            self.error(
                codes::KIND_CATEGORY_MISMATCH,
                kind_span,
                format!(
                    "`{kind_name}` is a kind of {}, not of {what}",
                    kind.category.replace('_', " ")
                ),
                format!(
                    "declare it as `{} {} : {kind_name}`, or pick a {what} kind: {}",
                    kind.category,
                    decl.name.text,
                    one_of(&kinds_of_category)
                ),
            );
            return;
        }
        if let Some(written) = &decl.kind {
            self.record(written, || Meaning::Kind);
        }
        self.placement(decl, category.placed, &what);
        let owner = Owner {
            description: format!("{what} `{}` ({kind_name})", decl.name.text),
            span: decl.name.span.clone(),
            is_system: false,
        };
        self.body(&kind.schema, &decl.body, &kind.name, &owner, Completeness::Full);
    }

    pub(super) fn placement(&mut self, decl: &Decl, placed: bool, what: &str) {
        // Only for messages: collected when something is wrong, never on the happy path.
        let tiers = || -> Vec<&str> { self.symbols.tier_names().collect() };
        match (&decl.tier, placed) {
            (None, true) => self.error(
                codes::MISSING_PLACEMENT,
                decl.name.span.clone(),
                format!("{what} `{}` is not placed in a tier", decl.name.text),
                if tiers().is_empty() {
                    "add `in <tier>` after the name, and declare the tier in `network { tier <name> { … } }`"
                        .to_owned()
                } else {
                    format!(
                        "add `in <tier>` after the name; the tiers are {}",
                        all_of(&tiers())
                    )
                },
            ),
            (Some(tier), false) => self.error(
                codes::UNEXPECTED_PLACEMENT,
                tier.span.clone(),
                format!("a {what} is not placed in a tier"),
                format!("remove `in {}`", tier.text),
            ),
            (Some(tier), true) => match self.symbols.component(&tier.text) {
                Some(declared) if declared.category == "tier" => self.record(tier, || Meaning::Reference {
                    category: declared.category.clone(),
                }),
                found => {
                    let message = match found {
                        Some(other) => format!(
                            "`{}` is a {}, not a tier",
                            tier.text,
                            other.category.replace('_', " ")
                        ),
                        None => format!("there is no tier `{}`", tier.text),
                    };
                    let tiers = tiers();
                    let help = match did_you_mean(&tier.text, tiers.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if tiers.is_empty() => {
                            "declare tiers in `network { tier <name> { … } }`".to_owned()
                        }
                        None => format!("the tiers are {}", all_of(&tiers)),
                    };
                    self.error(codes::UNKNOWN_TIER, tier.span.clone(), message, help);
                }
            },
            (None, false) => {}
        }
    }

    pub(super) fn flow(&mut self, from: &Ident, to: &Ident, what: &Value) {
        // Each end's category (`internet` for the internet), when it resolves.
        let mut ends: [Option<String>; 2] = [None, None];
        for (end, category) in [from, to].into_iter().zip(ends.iter_mut()) {
            if end.text == INTERNET {
                self.record(end, || Meaning::Internet);
                *category = Some(INTERNET.to_owned());
                continue;
            }
            match self.symbols.component(&end.text) {
                Some(declared) if declared.category != "tier" => {
                    *category = Some(declared.category.clone());
                    self.record(end, || Meaning::Reference {
                        category: declared.category.clone(),
                    });
                }
                found => {
                    let message = match found {
                        Some(_) => format!("`{}` is a tier; flows connect components", end.text),
                        None => format!("unknown flow endpoint `{}`", end.text),
                    };
                    let names = self.symbols.component_names().chain([INTERNET]);
                    let help = match did_you_mean(&end.text, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "a flow connects two declared components, or a component and `internet`"
                            .to_owned(),
                    };
                    self.error(codes::UNKNOWN_FLOW_ENDPOINT, end.span.clone(), message, help);
                }
            }
        }
        let [source, target] = ends;
        let catalogue = self.catalogue;
        let Some(schema) = catalogue.block(FLOW_BLOCK) else {
            return;
        };
        let levels: &[String] = target
            .as_deref()
            .and_then(|t| catalogue.categories.get(t))
            .map_or(&[], |c| &c.access);
        match (&target, levels.is_empty()) {
            // An unknown target (reported above): the value is checked for what it could be.
            (None, _) => {
                let either = schema.fields.iter().map(|f| f.ty.clone()).collect();
                self.value(&Type::Union(either), what);
            }
            (Some(target), true) => self.protocol_flow(to, target, what, schema),
            (Some(target), false) => {
                self.grant(to, target, what, levels);
                self.grant_source(from, source.as_deref(), to, target);
            }
        }
    }

    /// A flow to a component in the VPC or to the internet: it carries a protocol.
    fn protocol_flow(&mut self, to: &Ident, target: &str, what: &Value, schema: &Schema) {
        let access = self.catalogue.enums.get(ACCESS_ENUM).map(Enum::variant_names);
        let is_level = |name: &str| access.as_ref().is_some_and(|a| a.contains(&name));
        let names_a_level = match &what.kind {
            ValueKind::List(_) => true,
            ValueKind::Path(path) => is_level(&path.dotted()),
            _ => false,
        };
        if names_a_level {
            let reached = if target == INTERNET {
                "the internet is reached through the network".to_owned()
            } else {
                format!(
                    "`{}` is {}, reached through the network",
                    to.text,
                    article(&target.replace('_', " "))
                )
            };
            self.error(
                codes::FLOW_ACCESS_MISMATCH,
                what.span.clone(),
                format!("{reached}: a flow to it carries a protocol, not an access level"),
                "write the protocol, e.g. `: https`, `: postgres` or `: tcp(8080)`; access levels are for buckets, queues, topics and secrets",
            );
            return;
        }
        if let Some(field) = schema.field("protocol") {
            self.value(&field.ty, what);
        }
    }

    /// A flow to a bucket or a topic: it grants access levels of the target's category.
    fn grant(&mut self, to: &Ident, target: &str, what: &Value, levels: &[String]) {
        let allowed: Vec<&str> = levels.iter().map(String::as_str).collect();
        let example = allowed.first().copied().unwrap_or_default();
        let help = format!(
            "{} takes {}, e.g. `: {example}`; the flow becomes an IAM policy on the source's task role",
            article(target),
            one_of(&allowed)
        );
        let is_protocol = match &what.kind {
            ValueKind::Call { .. } => true,
            ValueKind::Path(path) => WebProtocol::named(&path.dotted()).is_some(),
            _ => false,
        };
        if is_protocol {
            self.error(
                codes::FLOW_ACCESS_MISMATCH,
                what.span.clone(),
                format!(
                    "`{}` is {}, not in the network: a flow to it grants access, it carries no protocol",
                    to.text,
                    article(target)
                ),
                help,
            );
            return;
        }
        let written: Vec<&Value> = match &what.kind {
            ValueKind::List(items) => items.iter().collect(),
            _ => vec![what],
        };
        if written.is_empty() {
            self.error(
                codes::FLOW_ACCESS_MISMATCH,
                what.span.clone(),
                "an empty list grants nothing",
                help.clone(),
            );
        }
        let access = Type::Enum(ACCESS_ENUM.to_owned());
        let members = self.catalogue.enums.get(ACCESS_ENUM).map(Enum::variant_names);
        for level in written {
            let name = match &level.kind {
                ValueKind::Path(path) if path.single().is_some() => path.dotted(),
                // Anything else is not an access level: the type check says why.
                _ => {
                    self.value(&access, level);
                    continue;
                }
            };
            if allowed.contains(&name.as_str()) {
                self.value(&access, level);
            } else if members.as_ref().is_some_and(|m| m.contains(&name.as_str())) {
                self.error(
                    codes::FLOW_ACCESS_MISMATCH,
                    level.span.clone(),
                    format!("`{name}` does not apply to {}", article(target)),
                    help.clone(),
                );
            } else {
                let help = match did_you_mean(&name, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? {help}"),
                    None => help.clone(),
                };
                self.error(
                    codes::UNKNOWN_ENUM_VALUE,
                    level.span.clone(),
                    format!("`{name}` is not an access level"),
                    help,
                );
            }
        }
    }

    /// The source of a grant must run with an IAM role (a service or a job).
    fn grant_source(&mut self, from: &Ident, source: Option<&str>, to: &Ident, target: &str) {
        let Some(source) = source else { return };
        if self.catalogue.categories.get(source).is_some_and(|c| c.principal) {
            return;
        }
        let principals: Vec<String> = self
            .catalogue
            .categories
            .values()
            .filter(|c| c.principal)
            .map(|c| article(&c.name))
            .collect();
        let what = if source == INTERNET {
            "the internet".to_owned()
        } else {
            format!("`{}` is {}: it", from.text, article(&source.replace('_', " ")))
        };
        self.error(
            codes::GRANT_WITHOUT_ROLE,
            from.span.clone(),
            format!(
                "{what} has no IAM role, so nothing can be granted to it on the {target} `{}`",
                to.text
            ),
            format!(
                "access to {} is granted to {}, whose tasks run with a role",
                article(target),
                principals.join(" or ")
            ),
        );
    }

    pub(super) fn route(&mut self, pattern: &StringLit, target: &Ident, body: Option<&Body>, owner: &Owner) {
        let Some(schema) = self.catalogue.block(ROUTE_BLOCK) else {
            return;
        };
        if let Some(field) = schema.field("pattern") {
            let pattern_value = Value {
                kind: ValueKind::String(pattern.value.clone()),
                span: pattern.span.clone(),
            };
            self.value(&field.ty, &pattern_value);
        }
        if let Some(field) = schema.field("target") {
            let target_value = Value {
                kind: ValueKind::Path(Path {
                    segments: vec![target.clone()],
                    span: target.span.clone(),
                }),
                span: target.span.clone(),
            };
            self.value(&field.ty, &target_value);
        }
        let Some(body) = body else { return };
        // `pattern` and `target` are written in the route's head.
        let rest = Schema {
            fields: schema
                .fields
                .iter()
                .filter(|f| f.name != "pattern" && f.name != "target")
                .cloned()
                .collect(),
        };
        let route_owner = Owner {
            description: format!("the route of {}", owner.description),
            span: pattern.span.clone(),
            is_system: false,
        };
        self.body(&rest, body, ROUTE_BLOCK, &route_owner, Completeness::Full);
    }

    /// `allow R001 reason "…" until 2027-03-31`: a waiver must name a design rule, give a
    /// reason, and, if it has an expiry date, a real one.
    pub(super) fn waiver(&mut self, code: &Ident, reason: Option<&StringLit>, until: Option<&Ident>) {
        let found = codes::lookup(&code.text).filter(|c| c.id == code.text);
        if let Some(rule) = found.filter(|c| c.id.starts_with('R') && !codes::waivable(c)) {
            self.error(
                codes::INVALID_WAIVER_CODE,
                code.span.clone(),
                format!("{} ({}) cannot be waived", rule.id, rule.name),
                format!(
                    "what {} refuses is never a trade-off; fix the finding (`archc explain {}`)",
                    rule.id, rule.id
                ),
            );
        } else if !found.is_some_and(|c| codes::waivable(&c)) {
            let rules: Vec<&str> = codes::ALL
                .iter()
                .filter(|c| codes::waivable(c))
                .map(|c| c.id)
                .collect();
            let help = match did_you_mean(&code.text, rules.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? Only design rules can be waived"),
                None => {
                    let (first, last) = (
                        rules.first().copied().unwrap_or_default(),
                        rules.last().copied().unwrap_or_default(),
                    );
                    let between: Vec<&str> = codes::UNWAIVABLE
                        .iter()
                        .map(|c| c.id)
                        .filter(|id| *id > first && *id < last)
                        .collect();
                    let except = match between.split_last() {
                        None => String::new(),
                        Some((only, [])) => format!(", but not {only}"),
                        Some((last, rest)) => format!(", but not {} or {last}", rest.join(", ")),
                    };
                    format!(
                        "only design rules ({first} to {last}{except}) can be waived; other errors must be fixed"
                    )
                }
            };
            self.error(
                codes::INVALID_WAIVER_CODE,
                code.span.clone(),
                format!("`{}` is not a design rule", code.text),
                help,
            );
        }
        if reason.is_none_or(|r| r.value.trim().is_empty()) {
            let span = reason.map_or(code.span.clone(), |r| r.span.clone());
            self.error(
                codes::WAIVER_WITHOUT_REASON,
                span,
                format!("the waiver of {} gives no reason", code.text),
                format!(
                    "say why the rule does not apply here: `allow {} reason \"…\"`",
                    code.text
                ),
            );
        }
        let Some(until) = until else { return };
        // Expiry is the rules' business: an expired waiver stops waiving, so the rule's own
        // finding must show beside it.
        if Date::parse(&until.text).is_none() {
            self.error(
                codes::INVALID_DATE,
                until.span.clone(),
                format!("`{}` is not a date", until.text),
                "write the date as YYYY-MM-DD, e.g. `2027-03-31`",
            );
        }
    }
}
