//! Reading the model: `Get` reads a component's typed values, and a value that the checks
//! guarantee but that is missing is a `Fault` (an `E2999` internal error), never a guess.

use super::*;

/// A value lowering needs and that the checker and the model guarantee (a required field, a
/// stdlib default, a member of a closed set) but did not find: a bug in archc. It becomes an
/// `E2999` diagnostic at the item being lowered, never a guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    pub(super) field: String,
    pub(super) expected: String,
    pub(super) origin: Origin,
}

impl Fault {
    pub(super) fn new(field: &str, expected: impl Into<String>, origin: &Origin) -> Self {
        Fault {
            field: field.to_owned(),
            expected: expected.into(),
            origin: origin.clone(),
        }
    }

    pub(super) fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            codes::INTERNAL_ERROR,
            self.origin.file,
            self.origin.span.clone(),
            format!(
                "internal error: lowering found no {} for `{}` here, although the checks passed",
                self.expected, self.field
            ),
        )
        .with_help("this is a bug in archc, not in your sources: please report it with this file")
    }
}

pub(super) type Lowering<T> = Result<T, Fault>;

/// The lowered items of `results`; each fault becomes its diagnostic in `faults`.
pub(super) fn keep<T>(results: impl Iterator<Item = Lowering<T>>, faults: &mut Vec<Diagnostic>) -> Arc<[T]> {
    results
        .filter_map(|result| result.map_err(|fault| faults.push(fault.diagnostic())).ok())
        .collect()
}

/// Reads typed values out of resolved fields. A field the stdlib gives a default is always
/// there (the model fills defaults in), so reading it cannot fail but by a bug: a [`Fault`].
/// Optional fields (no default, not required) read as `Option`.
pub(super) struct Get<'a> {
    pub(super) fields: &'a Fields,
    pub(super) fallback: &'a Origin,
}

impl<'a> Get<'a> {
    pub(super) fn new(fields: &'a Fields, fallback: &'a Origin) -> Self {
        Self { fields, fallback }
    }
    pub(super) fn setting(&self, name: &str) -> Option<&'a Setting> {
        self.fields.get(name)
    }
    pub(super) fn origin(&self, name: &str) -> Origin {
        self.setting(name)
            .map_or_else(|| self.fallback.clone(), |s| s.origin.clone())
    }
    /// The value of a field that must be there, read by `read`.
    pub(super) fn require<T>(
        &self,
        name: &str,
        expected: &str,
        read: impl FnOnce(&'a Val) -> Option<T>,
    ) -> Lowering<T> {
        self.setting(name)
            .and_then(|s| read(&s.value))
            .ok_or_else(|| Fault::new(name, expected, &self.origin(name)))
    }
    /// The value of an optional field, read by `read`: `None` when it is not set.
    pub(super) fn optional<T>(
        &self,
        name: &str,
        expected: &str,
        read: impl FnOnce(&'a Val) -> Option<T>,
    ) -> Lowering<Option<T>> {
        match self.setting(name) {
            None => Ok(None),
            Some(setting) => read(&setting.value)
                .map(Some)
                .ok_or_else(|| Fault::new(name, expected, &setting.origin)),
        }
    }
    pub(super) fn str(&self, name: &str) -> Lowering<String> {
        self.require(name, "string", |v| v.as_str().map(str::to_owned))
    }
    pub(super) fn optional_str(&self, name: &str) -> Lowering<Option<String>> {
        self.optional(name, "string", |v| v.as_str().map(str::to_owned))
    }
    pub(super) fn int(&self, name: &str) -> Lowering<i64> {
        self.require(name, "integer", Val::as_int)
    }
    pub(super) fn port(&self, name: &str) -> Lowering<u16> {
        self.require(name, "port", |v| v.as_int().and_then(|n| u16::try_from(n).ok()))
    }
    /// An optional port, with where it was written.
    pub(super) fn optional_port(&self, name: &str) -> Lowering<Option<Spanned<u16>>> {
        Ok(self
            .optional(name, "port", |v| v.as_int().and_then(|n| u16::try_from(n).ok()))?
            .map(|port| Spanned {
                value: port,
                origin: self.origin(name),
            }))
    }
    /// An optional duration in seconds, with where it was written.
    pub(super) fn optional_spanned_duration(&self, name: &str) -> Lowering<Option<Spanned<u64>>> {
        Ok(self.optional_duration(name)?.map(|seconds| Spanned {
            value: seconds,
            origin: self.origin(name),
        }))
    }
    pub(super) fn bool(&self, name: &str) -> Lowering<bool> {
        self.require(name, "boolean", Val::as_bool)
    }
    pub(super) fn duration(&self, name: &str) -> Lowering<u64> {
        self.require(name, "duration", duration)
    }
    pub(super) fn optional_duration(&self, name: &str) -> Lowering<Option<u64>> {
        self.optional(name, "duration", duration)
    }
    pub(super) fn optional_percent(&self, name: &str) -> Lowering<Option<u8>> {
        self.optional(name, "percentage", |v| match v {
            Val::Percent(p) => Some(*p),
            _ => None,
        })
    }
    /// A list of strings; not set is the empty list.
    pub(super) fn strings(&self, name: &str) -> Lowering<Vec<String>> {
        Ok(self
            .optional(name, "list of strings", |v| match v {
                Val::List(items) => items.iter().map(|i| i.as_str().map(str::to_owned)).collect(),
                _ => None,
            })?
            .unwrap_or_default())
    }
    /// A list of CIDR blocks (`[10.0.1.0/24]`), empty when not set.
    pub(super) fn cidrs(&self, name: &str) -> Lowering<Vec<Ipv4Net>> {
        Ok(self
            .optional(name, "list of CIDR blocks", |v| match v {
                Val::List(items) => items
                    .iter()
                    .map(|item| match item {
                        Val::Cidr(net) => Some(*net),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            })?
            .unwrap_or_default())
    }
    pub(super) fn block(&self, name: &str) -> Lowering<&'a Fields> {
        self.require(name, "block", Val::as_block)
    }
    pub(super) fn spanned_int(&self, name: &str) -> Lowering<Spanned<i64>> {
        Ok(Spanned {
            value: self.int(name)?,
            origin: self.origin(name),
        })
    }
    pub(super) fn spanned_duration(&self, name: &str) -> Lowering<Spanned<u64>> {
        Ok(Spanned {
            value: self.duration(name)?,
            origin: self.origin(name),
        })
    }
    pub(super) fn spanned_bool(&self, name: &str) -> Lowering<Spanned<bool>> {
        Ok(Spanned {
            value: self.bool(name)?,
            origin: self.origin(name),
        })
    }
    /// A member of a closed set (`purpose = static`).
    pub(super) fn choice<T: StdlibEnum>(&self, name: &str) -> Lowering<T> {
        self.require(name, T::NAME, |v| v.as_str().and_then(T::named))
    }
    /// A list of members of a closed set (`endpoints = [s3, ecr]`).
    pub(super) fn choices<T: StdlibEnum>(&self, name: &str) -> Lowering<Vec<T>> {
        self.require(name, T::NAME, |v| match v {
            Val::List(items) => items.iter().map(|i| i.as_str().and_then(T::named)).collect(),
            _ => None,
        })
    }
    /// The function and first string argument of an optional call such as `ecr("webapp-api")`.
    pub(super) fn optional_call(&self, name: &str) -> Lowering<Option<(&'a str, String)>> {
        self.optional(name, "call", |v| match v {
            Val::Call { function, args } => Some((function.as_str(), args.first()?.as_str()?.to_owned())),
            _ => None,
        })
    }
    /// The first string argument of a required call such as `ecr("webapp-api")`.
    pub(super) fn call_arg(&self, name: &str) -> Lowering<String> {
        self.optional_call(name)?
            .map(|(_, arg)| arg)
            .ok_or_else(|| Fault::new(name, "call", &self.origin(name)))
    }
}

pub(super) fn duration(value: &Val) -> Option<u64> {
    match value {
        Val::Duration(seconds) => Some(*seconds),
        _ => None,
    }
}

/// The tier a placed component is in (the checker requires one).
pub(super) fn tier_of(component: &Component) -> Lowering<String> {
    component
        .tier
        .clone()
        .ok_or_else(|| Fault::new("in <tier>", "tier", &component.origin))
}
