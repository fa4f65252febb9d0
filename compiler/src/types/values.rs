//! Values: each against its type: numbers in range, CIDR blocks, durations, percentages, cron
//! expressions, account IDs, AWS names (`formats.rs`), references, enum values, function calls.

use super::*;

impl Checker<'_> {
    /// Checks `value` against `ty`, reporting what is wrong. Returns whether it is valid.
    pub(super) fn value(&mut self, ty: &Type, value: &Value) -> bool {
        let span = value.span.clone();
        match (ty, &value.kind) {
            (Type::Union(alternatives), _) => {
                match alternatives.iter().find(|t| shape_fits(t, &value.kind)) {
                    Some(alternative) => self.value(alternative, value),
                    None => self.mismatch(ty, value),
                }
            }
            (Type::String, ValueKind::String(_)) | (Type::Bool, ValueKind::Bool(_)) => true,
            (Type::Int { min, max }, ValueKind::Number(text)) => match text.parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => true,
                _ => {
                    self.error(
                        codes::OUT_OF_RANGE,
                        span,
                        format!("`{text}` is out of range"),
                        format!("use {}", self.catalogue.describe(ty)),
                    );
                    false
                }
            },
            (Type::Cidr, ValueKind::Cidr(text)) => self.cidr(text, span),
            (Type::Prefix, ValueKind::Prefix(digits)) => match digits.parse::<u8>() {
                Ok(n) if n <= 32 => true,
                _ => {
                    self.error(
                        codes::INVALID_CIDR,
                        span,
                        format!("`/{digits}` is not a valid IPv4 prefix length"),
                        "a prefix length is from `/0` to `/32`; subnets are usually `/24`",
                    );
                    false
                }
            },
            (Type::Duration, ValueKind::Quantity { amount, unit }) if unit != "%" => {
                let valid_unit = matches!(unit.as_str(), "s" | "m" | "h" | "d");
                let seconds = amount
                    .parse::<u64>()
                    .ok()
                    .and_then(|n| crate::date::duration_seconds(n, unit));
                if valid_unit && seconds.is_some() {
                    return true;
                }
                self.error(
                    codes::INVALID_DURATION,
                    span,
                    if valid_unit {
                        format!("`{amount}{unit}` is too long a duration: at most ten years (`3650d`)")
                    } else {
                        format!("`{unit}` is not a unit of time")
                    },
                    "a duration is a whole number with `s`, `m`, `h` or `d`, e.g. `60s` or `5m`",
                );
                false
            }
            (Type::Duration, ValueKind::Number(n)) => {
                self.error(
                    codes::INVALID_DURATION,
                    span,
                    format!("the duration `{n}` has no unit"),
                    format!("add a unit: `{n}s`, `{n}m`, `{n}h` or `{n}d`"),
                );
                false
            }
            (Type::Percent, ValueKind::Quantity { amount, unit }) if unit == "%" => {
                match amount.parse::<u64>() {
                    Ok(n) if n <= 100 => true,
                    _ => {
                        self.error(
                            codes::INVALID_PERCENTAGE,
                            span,
                            format!("`{amount}%` is more than 100%"),
                            "a percentage is from `0%` to `100%`",
                        );
                        false
                    }
                }
            }
            (Type::Percent, ValueKind::Number(n)) => {
                self.error(
                    codes::INVALID_PERCENTAGE,
                    span,
                    format!("`{n}` is not a percentage"),
                    format!("write it with a percent sign: `{n}%`"),
                );
                false
            }
            (Type::Cron, ValueKind::String(text)) => self.cron(text, span),
            (Type::AccountId, ValueKind::String(text)) => {
                if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                    return true;
                }
                self.error(
                    codes::INVALID_ACCOUNT_ID,
                    span,
                    format!("\"{text}\" is not an AWS account ID"),
                    "an account ID is exactly 12 digits, e.g. \"111111111111\"",
                );
                false
            }
            (Type::Text(format), ValueKind::String(text)) => match format.check(text) {
                Ok(()) => true,
                Err(invalid) => {
                    self.error(codes::MALFORMED_STRING, span, invalid.message, invalid.help);
                    false
                }
            },
            (Type::Metric, ValueKind::Path(path)) => self.metric(path),
            (Type::List(inner), ValueKind::List(items)) => {
                let mut ok = true;
                for item in items {
                    ok &= self.value(inner, item);
                }
                ok
            }
            (Type::Ref(categories), ValueKind::Path(path)) if path.single().is_some() => {
                self.reference(categories, path)
            }
            (Type::Enum(name), ValueKind::Path(path)) if path.single().is_some() => {
                self.enum_value(name, path)
            }
            (Type::Produced(produced), ValueKind::Call { name, args }) => {
                self.call(produced, name, args, span)
            }
            _ => self.mismatch(ty, value),
        }
    }

    pub(super) fn mismatch(&mut self, ty: &Type, value: &Value) -> bool {
        let expected = self.catalogue.describe(ty);
        let mut help = format!("use {expected}");
        if let ValueKind::String(text) = &value.kind {
            let quoted_fits = [Type::Cidr, Type::Int { min: 0, max: 0 }]
                .iter()
                .any(|t| shape_fits(t, &reparse_unquoted(text)) && shape_fits(ty, &reparse_unquoted(text)));
            if quoted_fits {
                help = format!("remove the quotes: `{text}`");
            }
        }
        if let (Type::AccountId, ValueKind::Number(n)) = (ty, &value.kind) {
            help = format!("put the account ID in quotes: \"{n}\"");
        }
        self.error(
            codes::TYPE_MISMATCH,
            value.span.clone(),
            format!("expected {expected}, found {}", describe_value(&value.kind)),
            help,
        );
        false
    }

    pub(super) fn cidr(&mut self, text: &str, span: Span) -> bool {
        match Ipv4Net::from_str(text) {
            Err(_) => {
                self.error(
                    codes::INVALID_CIDR,
                    span,
                    format!("`{text}` is not a valid IPv4 CIDR block"),
                    "each of the four numbers is 0–255 and the prefix length is 0–32, e.g. `10.0.0.0/16`",
                );
                false
            }
            Ok(net) if net.addr() != net.network() => {
                self.error(
                    codes::CIDR_HOST_BITS,
                    span,
                    format!("`{text}` has host bits set"),
                    format!("the network address of this block is `{}`", net.trunc()),
                );
                false
            }
            Ok(_) => true,
        }
    }

    pub(super) fn cron(&mut self, text: &str, span: Span) -> bool {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 6 {
            self.error(
                codes::INVALID_CRON,
                span,
                format!(
                    "this cron expression has {} fields; EventBridge needs 6",
                    fields.len()
                ),
                "the fields are: minutes hours day-of-month month day-of-week year, e.g. \"0 18 * * ? *\"",
            );
            return false;
        }
        let day_of_month = fields.get(2).copied().unwrap_or_default();
        let day_of_week = fields.get(4).copied().unwrap_or_default();
        if (day_of_month == "?") == (day_of_week == "?") {
            self.error(
                codes::INVALID_CRON,
                span,
                "exactly one of day-of-month and day-of-week must be `?`",
                "EventBridge cannot use both day fields at once, e.g. \"0 18 * * ? *\" runs daily at 18:00 UTC",
            );
            return false;
        }
        true
    }

    pub(super) fn metric(&mut self, path: &Path) -> bool {
        let [component, metric] = path.segments.as_slice() else {
            self.error(
                codes::TYPE_MISMATCH,
                path.span.clone(),
                format!("`{}` is not a metric", path.dotted()),
                "a metric is `<component>.<metric>`, e.g. `api.cpu`",
            );
            return false;
        };
        let Some(declared) = self
            .symbols
            .component(&component.text)
            .filter(|d| d.category != "tier")
        else {
            let help = match did_you_mean(&component.text, self.symbols.component_names()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "a metric starts with a component's name, e.g. `api.cpu`".to_owned(),
            };
            self.error(
                codes::UNKNOWN_REFERENCE,
                component.span.clone(),
                format!("there is no component `{}`", component.text),
                help,
            );
            return false;
        };
        let kind = self
            .catalogue
            .kind_name(&declared.category, declared.kind.as_deref());
        self.record(component, || Meaning::Reference {
            category: declared.category.clone(),
        });
        let Some(kind) = kind.and_then(|k| self.catalogue.kinds.get(&k)) else {
            return false;
        };
        if kind.metrics.iter().any(|(m, _)| m == &metric.text) {
            self.record(metric, || Meaning::Metric {
                kind: kind.name.clone(),
            });
            return true;
        }
        let names: Vec<&str> = kind.metrics.iter().map(|(m, _)| m.as_str()).collect();
        let help = match did_you_mean(&metric.text, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => format!("kind `{}` has no metrics", kind.name),
            None => format!("the metrics of kind `{}` are {}", kind.name, all_of(&names)),
        };
        self.error(
            codes::UNKNOWN_METRIC,
            metric.span.clone(),
            format!(
                "`{}` ({}) has no metric `{}`",
                component.text, kind.name, metric.text
            ),
            help,
        );
        false
    }

    pub(super) fn reference(&mut self, categories: &[String], path: &Path) -> bool {
        let Some(name) = path.single() else { return false };
        let words: Vec<String> = categories.iter().map(|c| c.replace('_', " ")).collect();
        let wanted = words.join(" or ");
        match self.symbols.component(&name.text) {
            Some(declared) if categories.contains(&declared.category) => {
                self.record(name, || Meaning::Reference {
                    category: declared.category.clone(),
                });
                true
            }
            Some(declared) => {
                self.error(
                    codes::TYPE_MISMATCH,
                    name.span.clone(),
                    format!(
                        "`{}` is a {}, expected a {wanted}",
                        name.text,
                        declared.category.replace('_', " ")
                    ),
                    format!("name a {wanted} here"),
                );
                false
            }
            None => {
                let candidates: Vec<&str> = self
                    .symbols
                    .components
                    .iter()
                    .filter(|(_, sites)| {
                        sites
                            .first()
                            .is_some_and(|s| categories.contains(&s.item.category))
                    })
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = match did_you_mean(&name.text, candidates.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if candidates.is_empty() => format!("declare a {wanted} first"),
                    None => format!("the candidates are {}", all_of(&candidates)),
                };
                self.error(
                    codes::UNKNOWN_REFERENCE,
                    name.span.clone(),
                    format!("there is no {wanted} `{}`", name.text),
                    help,
                );
                false
            }
        }
    }

    pub(super) fn enum_value(&mut self, name: &str, path: &Path) -> bool {
        let Some(variant) = path.single() else {
            return false;
        };
        let Some(definition) = self.catalogue.enums.get(name) else {
            return false;
        };
        let variants = definition.variant_names();
        if variants.contains(&variant.text.as_str()) {
            self.record(variant, || Meaning::EnumValue {
                enum_name: name.to_owned(),
            });
            return true;
        }
        let help = match did_you_mean(&variant.text, variants.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? The values are {}", all_of(&variants)),
            None => format!("the values are {}", all_of(&variants)),
        };
        self.error(
            codes::UNKNOWN_ENUM_VALUE,
            variant.span.clone(),
            format!("`{}` is not a valid {}", variant.text, name.replace('_', " ")),
            help,
        );
        false
    }

    pub(super) fn call(&mut self, produced: &str, name: &Ident, args: &[Value], span: Span) -> bool {
        let Some(function) = self.catalogue.functions.get(&name.text) else {
            let producers: Vec<&str> = self
                .catalogue
                .producers(produced)
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            let all = self.catalogue.functions.keys().map(String::as_str);
            let help = match did_you_mean(&name.text, all) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("here you can call {}", one_of(&producers)),
            };
            self.error(
                codes::UNKNOWN_FUNCTION,
                name.span.clone(),
                format!("there is no function `{}`", name.text),
                help,
            );
            return false;
        };
        self.record(name, || Meaning::Function);
        if function.returns != produced {
            let producers: Vec<&str> = self
                .catalogue
                .producers(produced)
                .iter()
                .map(|f| f.name.as_str())
                .collect();
            self.error(
                codes::TYPE_MISMATCH,
                span,
                format!(
                    "`{}(…)` gives {}, but {} is expected here",
                    name.text,
                    crate::catalogue::article(&function.returns.replace('_', " ")),
                    crate::catalogue::article(&produced.replace('_', " ")),
                ),
                format!("here you can call {}", one_of(&producers)),
            );
            return false;
        }
        if args.len() != function.params.len() {
            let signature: Vec<String> = function.params.iter().map(|(p, _)| p.clone()).collect();
            self.error(
                codes::ARGUMENT_COUNT,
                span,
                format!(
                    "`{}` takes {} argument{}, found {}",
                    name.text,
                    function.params.len(),
                    if function.params.len() == 1 { "" } else { "s" },
                    args.len()
                ),
                format!("call it as `{}({})`", name.text, signature.join(", ")),
            );
            return false;
        }
        let mut ok = true;
        for ((_, ty), arg) in function.params.iter().zip(args) {
            ok &= self.value(ty, arg);
        }
        ok
    }
}

/// Whether a value has the outward form of a type (used to pick a union's alternative).
fn shape_fits(ty: &Type, value: &ValueKind) -> bool {
    match (ty, value) {
        (Type::String | Type::Cron | Type::AccountId | Type::Text(_), ValueKind::String(_))
        | (Type::Int { .. }, ValueKind::Number(_))
        | (Type::Bool, ValueKind::Bool(_))
        | (Type::Cidr, ValueKind::Cidr(_))
        | (Type::Prefix, ValueKind::Prefix(_))
        | (Type::List(_), ValueKind::List(_))
        | (Type::Produced(_), ValueKind::Call { .. }) => true,
        (Type::Duration, ValueKind::Quantity { unit, .. }) => unit != "%",
        (Type::Percent, ValueKind::Quantity { unit, .. }) => unit == "%",
        (Type::Metric, ValueKind::Path(p)) => p.segments.len() == 2,
        (Type::Ref(_) | Type::Enum(_), ValueKind::Path(p)) => p.segments.len() == 1,
        (Type::Union(alternatives), _) => alternatives.iter().any(|t| shape_fits(t, value)),
        _ => false,
    }
}

/// What a quoted string would be without its quotes, for "remove the quotes" hints.
fn reparse_unquoted(text: &str) -> ValueKind {
    if text.contains('/') && text.split('.').count() == 4 {
        ValueKind::Cidr(text.to_owned())
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        ValueKind::Number(text.to_owned())
    } else {
        ValueKind::String(text.to_owned())
    }
}

/// Words for a value in messages.
fn describe_value(value: &ValueKind) -> String {
    match value {
        ValueKind::String(text) => format!("the string \"{text}\""),
        ValueKind::Number(n) => format!("the number `{n}`"),
        ValueKind::Bool(b) => format!("`{b}`"),
        ValueKind::Cidr(c) => format!("the CIDR block `{c}`"),
        ValueKind::Prefix(p) => format!("the prefix length `/{p}`"),
        ValueKind::Quantity { amount, unit } => format!("`{amount}{unit}`"),
        ValueKind::List(_) => "a list".to_owned(),
        ValueKind::Call { name, .. } => format!("a call of `{}`", name.text),
        ValueKind::Path(path) => format!("the name `{}`", path.dotted()),
    }
}
