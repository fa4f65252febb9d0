//! Environments: their settings, and overrides by path (`api.scale.min = 1`) to a component's
//! fields, with the field's type.

use super::*;

impl Checker<'_> {
    pub(super) fn env(&mut self, decl: &Decl) {
        self.declaration(decl);
        self.no_kind_or_tier(decl, "an environment");
        self.check_unique(
            self.symbols.envs.get(&decl.name.text),
            Namespace::Env,
            &decl.name,
            "environment",
        );
        let Some(schema) = self.catalogue.block(ENV_BLOCK) else {
            return;
        };
        let owner = Owner {
            description: format!("environment `{}`", decl.name.text),
            span: decl.name.span.clone(),
            is_system: false,
        };
        let mut settings = Vec::new();
        for member in &decl.body.members {
            let head = match &member.kind {
                MemberKind::Attribute { path, .. } | MemberKind::Block { path, .. } => path,
                MemberKind::Allow { .. } => {
                    settings.push(member.clone());
                    continue;
                }
                _ => {
                    self.error(
                        codes::MISPLACED_ITEM,
                        member_head_span(member),
                        "an environment holds settings and overrides only",
                        "write `<setting> = …`, `<component>.<field> = …` or `<component>.<block> { … }`",
                    );
                    continue;
                }
            };
            let is_setting = head.single().is_some_and(|s| schema.field(&s.text).is_some());
            let is_component = head
                .segments
                .first()
                .is_some_and(|s| self.symbols.component(&s.text).is_some());
            if is_setting
                || !is_component
                    && head.single().is_some()
                    && !matches!(member.kind, MemberKind::Block { .. })
            {
                settings.push(member.clone());
            } else {
                self.override_member(member, &owner);
            }
        }
        let settings_body = Body {
            members: settings,
            span: decl.body.span.clone(),
            recovered: decl.body.recovered,
        };
        self.body(schema, &settings_body, ENV_KEYWORD, &owner, Completeness::Full);
    }

    /// `api.scale.min = 1` or `api.scale { min = 1 }`: the path must lead from a component to
    /// one of its fields, and the value must have that field's type.
    pub(super) fn override_member(&mut self, member: &Member, env: &Owner) {
        let (path, value, block) = match &member.kind {
            MemberKind::Attribute { path, value } => (path, Some(value), None),
            MemberKind::Block { path, body } => (path, None, Some(body)),
            _ => return,
        };
        let Some((head, rest)) = path.segments.split_first() else {
            return;
        };
        let Some(declared) = self.symbols.component(&head.text) else {
            let names = self.symbols.component_names();
            let help = match did_you_mean(&head.text, names) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "an override starts with a component's name, e.g. `api.scale.min = 1`".to_owned(),
            };
            self.error(
                codes::UNKNOWN_OVERRIDE_PATH,
                head.span.clone(),
                format!(
                    "`{}` is neither a setting of {} nor a component",
                    head.text, env.description
                ),
                help,
            );
            return;
        };
        let kind_name = self
            .catalogue
            .kind_name(&declared.category, declared.kind.as_deref());
        self.record(head, || Meaning::Reference {
            category: declared.category.clone(),
        });
        let Some(kind) = kind_name.and_then(|k| self.catalogue.kinds.get(&k)) else {
            return; // The declaration itself is reported.
        };
        let mut schema = &kind.schema;
        let mut schema_name = kind.name.clone();
        let mut owner = format!(
            "{} `{}` ({})",
            declared.category.replace('_', " "),
            head.text,
            kind.name
        );
        let mut remaining = rest;
        loop {
            let Some((segment, after)) = remaining.split_first() else {
                // The path ends at the component itself.
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    path.span.clone(),
                    format!("an override must name a field of `{}`", head.text),
                    format!("write `{}.<field> = …`", head.text),
                );
                return;
            };
            let Some(field) = schema.field(&segment.text) else {
                let help = match did_you_mean(&segment.text, schema.field_names()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => {
                        let names: Vec<&str> = schema.field_names().collect();
                        format!("the fields of {owner} are {}", all_of(&names))
                    }
                };
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    segment.span.clone(),
                    format!("{owner} has no field `{}`", segment.text),
                    help,
                );
                return;
            };
            self.record(segment, || Meaning::Field {
                owner: schema_name.clone(),
            });
            if field.repeated {
                self.error(
                    codes::UNKNOWN_OVERRIDE_PATH,
                    segment.span.clone(),
                    format!(
                        "`{}` may appear many times, so it cannot be overridden by path",
                        field.name
                    ),
                    "change it in the system, or override a single-valued field",
                );
                return;
            }
            match (&field.ty, after.is_empty()) {
                (Type::Block(name), false) => {
                    let Some(inner) = self.catalogue.block(name) else {
                        return;
                    };
                    schema = inner;
                    schema_name = name.clone();
                    owner = format!("the `{}` block of `{}`", field.name, head.text);
                    remaining = after;
                }
                (Type::Map(value_type), false) if after.len() == 1 => {
                    if let Some(value) = value {
                        self.override_value(value_type, value);
                    } else {
                        self.error(
                            codes::OVERRIDE_TYPE_MISMATCH,
                            member_head_span(member),
                            format!("`{}` takes a single value, not a block", path.dotted()),
                            format!("write `{} = …`", path.dotted()),
                        );
                    }
                    return;
                }
                (_, false) => {
                    self.error(
                        codes::UNKNOWN_OVERRIDE_PATH,
                        after.first().map_or(segment.span.clone(), |s| s.span.clone()),
                        format!("`{}` is a single value and has no fields", field.name),
                        format!("override it as `{}.{} = …`", head.text, rest_to(rest, segment)),
                    );
                    return;
                }
                (ty, true) => {
                    match (value, block, ty) {
                        (Some(value), _, Type::Block(_) | Type::Map(_)) => self.error(
                            codes::OVERRIDE_TYPE_MISMATCH,
                            value.span.clone(),
                            format!("`{}` is a block, not a single value", path.dotted()),
                            format!("write `{} {{ … }}`", path.dotted()),
                        ),
                        (Some(value), _, ty) => self.override_value(ty, value),
                        (None, Some(body), _) => {
                            let block_owner = Owner {
                                description: format!("the override of `{}`", path.dotted()),
                                span: path.span.clone(),
                                is_system: false,
                            };
                            self.block_field_as_override(field, body, &block_owner);
                        }
                        (None, None, _) => {}
                    }
                    return;
                }
            }
        }
    }

    pub(super) fn block_field_as_override(&mut self, field: &Field, body: &Body, owner: &Owner) {
        let before = self.diagnostics.len();
        self.block_field(field, body, owner, Completeness::Partial);
        self.as_override_errors(before);
    }

    /// Checks an override's value; a type mismatch there is an override type mismatch.
    pub(super) fn override_value(&mut self, ty: &Type, value: &Value) {
        let before = self.diagnostics.len();
        self.value(ty, value);
        self.as_override_errors(before);
    }

    pub(super) fn as_override_errors(&mut self, from: usize) {
        for diagnostic in self.diagnostics.iter_mut().skip(from) {
            if diagnostic.code == codes::TYPE_MISMATCH {
                diagnostic.code = codes::OVERRIDE_TYPE_MISMATCH;
            }
        }
    }
}
