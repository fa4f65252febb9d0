//! Bodies: each member of a block against its schema: known fields, set once, blocks and maps.

use super::*;

impl Checker<'_> {
    /// Checks the members of `body` against `schema`. `container` is the block's name; item
    /// declarations are allowed where a category's `scope` names it.
    pub(super) fn body(
        &mut self,
        schema: &Schema,
        body: &Body,
        container: &str,
        owner: &Owner,
        completeness: Completeness,
    ) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut typos: Vec<String> = Vec::new();
        for member in &body.members {
            match &member.kind {
                MemberKind::Attribute { path, value } => {
                    let Some(field) = self.field(schema, path, owner, &mut typos) else {
                        continue;
                    };
                    self.field_name(path, container);
                    self.not_twice(field, path, &mut seen, owner);
                    match &field.ty {
                        Type::Block(_) | Type::Map(_) => self.error(
                            codes::TYPE_MISMATCH,
                            value.span.clone(),
                            format!("`{}` is a block, not a single value", field.name),
                            format!("write `{} {{ … }}`", field.name),
                        ),
                        ty => {
                            self.value(ty, value);
                        }
                    }
                }
                MemberKind::Block { path, body: inner } => {
                    let Some(field) = self.field(schema, path, owner, &mut typos) else {
                        continue;
                    };
                    self.field_name(path, container);
                    self.not_twice(field, path, &mut seen, owner);
                    self.block_field(field, inner, owner, completeness);
                }
                MemberKind::Decl(decl) => self.component(decl, container),
                MemberKind::Flow { from, to, protocol } => {
                    if container != SYSTEM_KEYWORD {
                        self.error(
                            codes::MISPLACED_ITEM,
                            member_head_span(member),
                            "a flow must be declared directly inside the `system` block",
                            "move it into `system <name> { … }`",
                        );
                        continue;
                    }
                    self.flow(from, to, protocol);
                }
                MemberKind::Route {
                    pattern,
                    target,
                    body: route_body,
                } => {
                    let route_field = schema
                        .fields
                        .iter()
                        .find(|f| f.ty == Type::Block(ROUTE_BLOCK.to_owned()));
                    if route_field.is_none() {
                        self.error(
                            codes::MISPLACED_ITEM,
                            member_head_span(member),
                            format!("{} has no routes", owner.description),
                            "routes belong to the edge, e.g. `edge cdn : cloudfront { route \"/*\" -> alb }`",
                        );
                        continue;
                    }
                    self.route(pattern, target, route_body.as_ref(), owner);
                }
                MemberKind::Use { .. } => self.error(
                    codes::MISPLACED_ITEM,
                    member_head_span(member),
                    "`use` must stand at the top level of a file",
                    "move it to the top of the file",
                ),
                MemberKind::Allow { code, reason, until } => {
                    self.waiver(code, reason.as_ref(), until.as_ref())
                }
            }
        }
        if completeness == Completeness::Full && !body.recovered {
            let missing: Vec<&Field> = schema
                .fields
                .iter()
                .filter(|f| f.required && !seen.contains_key(&f.name) && !typos.contains(&f.name))
                .collect();
            if !missing.is_empty() {
                self.push(missing_fields(
                    self.catalogue,
                    self.file,
                    owner.span.clone(),
                    &owner.description,
                    &missing,
                ));
            }
        }
    }

    /// Looks up a one-segment field path in `schema`, reporting unknown fields. A likely typo
    /// (`prot` for `port`) is recorded in `typos` so the field is not also reported missing.
    pub(super) fn field<'s>(
        &mut self,
        schema: &'s Schema,
        path: &Path,
        owner: &Owner,
        typos: &mut Vec<String>,
    ) -> Option<&'s Field> {
        let Some(name) = path.single() else {
            self.error(
                codes::UNKNOWN_FIELD,
                path.span.clone(),
                format!("{} has no field `{}`", owner.description, path.dotted()),
                "dotted paths such as `api.scale.min` are only for overrides inside `env` blocks",
            );
            return None;
        };
        if let Some(field) = schema.field(&name.text) {
            return Some(field);
        }
        let help = match did_you_mean(&name.text, schema.field_names()) {
            Some(s) => {
                typos.push(s.to_owned());
                format!("did you mean `{s}`?")
            }
            None => {
                let names: Vec<&str> = schema.field_names().collect();
                format!("the fields of {} are {}", owner.description, all_of(&names))
            }
        };
        self.error(
            codes::UNKNOWN_FIELD,
            name.span.clone(),
            format!("{} has no field `{}`", owner.description, name.text),
            help,
        );
        None
    }

    pub(super) fn not_twice(
        &mut self,
        field: &Field,
        path: &Path,
        seen: &mut BTreeMap<String, Span>,
        owner: &Owner,
    ) {
        if field.repeated {
            return;
        }
        self.set_once(seen, &field.name, &path.span, &owner.description);
        if owner.is_system {
            self.system_field_once(&field.name, path);
        }
    }

    /// Records that `key` is set at `span` in one block, reporting a second setting.
    pub(super) fn set_once(
        &mut self,
        seen: &mut BTreeMap<String, Span>,
        key: &str,
        span: &Span,
        block: &str,
    ) {
        if let Some(first) = seen.get(key) {
            let first = first.clone();
            self.push(
                Diagnostic::error(
                    codes::DUPLICATE_FIELD,
                    self.file,
                    span.clone(),
                    format!("`{key}` is set twice in {block}"),
                )
                .with_label(self.file, first, "first set here")
                .with_help("keep one of them"),
            );
        } else {
            seen.insert(key.to_owned(), span.clone());
        }
    }

    /// System fields may be split across files, but each is set once in the workspace.
    pub(super) fn system_field_once(&mut self, name: &str, path: &Path) {
        let Some(first) = self
            .symbols
            .system_fields
            .get(name)
            .and_then(|sites| sites.first())
        else {
            return;
        };
        if first.file == self.file {
            return; // Duplicates within one file are reported by `not_twice`.
        }
        let first_span = find_declaration(self.db, first.file, Namespace::SystemField, name, first.ordinal)
            .unwrap_or(0..0);
        self.push(
            Diagnostic::error(
                codes::DUPLICATE_FIELD,
                self.file,
                path.span.clone(),
                format!("`{name}` is set twice in the system"),
            )
            .with_label(first.file, first_span, "first set here")
            .with_help("the system's fields may be spread over files, but each is set once"),
        );
    }

    pub(super) fn block_field(
        &mut self,
        field: &Field,
        body: &Body,
        owner: &Owner,
        completeness: Completeness,
    ) {
        match &field.ty {
            Type::Block(name) => {
                let Some(schema) = self.catalogue.block(name) else {
                    return;
                };
                let inner_owner = Owner {
                    description: format!("the `{}` block of {}", field.name, owner.description),
                    span: body.span.start..body.span.start + 1,
                    is_system: false,
                };
                let container = if field.name == NETWORK_BLOCK {
                    NETWORK_BLOCK
                } else {
                    name.as_str()
                };
                self.body(schema, body, container, &inner_owner, completeness);
            }
            Type::Map(value_type) => {
                let block = format!("the `{}` block of {}", field.name, owner.description);
                self.map_body(value_type, body, &block);
            }
            _ => self.error(
                codes::TYPE_MISMATCH,
                body.span.clone(),
                format!("`{}` takes a single value, not a block", field.name),
                format!(
                    "write `{} = …` with {}",
                    field.name,
                    self.catalogue.describe(&field.ty)
                ),
            ),
        }
    }

    /// `secret { KEY = value … }`: free keys, each value of one type.
    pub(super) fn map_body(&mut self, value_type: &Type, body: &Body, block: &str) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for member in &body.members {
            match &member.kind {
                MemberKind::Attribute { path, value } if let Some(key) = path.single() => {
                    self.record(key, || Meaning::Key);
                    self.set_once(&mut seen, &path.dotted(), &path.span, block);
                    self.value(value_type, value);
                }
                _ => self.error(
                    codes::TYPE_MISMATCH,
                    member_head_span(member),
                    "this block holds only `NAME = value` entries",
                    format!(
                        "each entry is `NAME = …` with {}",
                        self.catalogue.describe(value_type)
                    ),
                ),
            }
        }
    }
}
