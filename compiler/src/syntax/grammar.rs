//! The pest parser generated from `grammar/arch.pest`, and the words users see for its rules.

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/arch.pest"]
pub struct ArchParser;

/// What a rule is called in an error message ("expected a value").
pub fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::ident | Rule::path | Rule::block_head => "a name",
        Rule::list
        | Rule::call
        | Rule::string
        | Rule::cidr
        | Rule::prefix
        | Rule::quantity
        | Rule::number
        | Rule::boolean => "a value",
        Rule::body => "`{`",
        Rule::EOI => "the end of the item",
        Rule::kw_use
        | Rule::kw_flow
        | Rule::kw_route
        | Rule::use_item
        | Rule::flow
        | Rule::route
        | Rule::route_head
        | Rule::attribute
        | Rule::decl
        | Rule::decl_head
        | Rule::block => "an item",
        Rule::kw_in => "`in`",
        Rule::allow | Rule::kw_allow => "an item",
        Rule::kw_reason => "`reason`",
        Rule::kw_until => "`until`",
        Rule::date => "a date such as `2027-03-31`",
        Rule::string_inner | Rule::escape => "the rest of the string",
        Rule::modifier => "`required` or `repeated`",
        Rule::type_expr | Rule::list_type | Rule::map_type | Rule::ref_type | Rule::int_range => "a type",
        Rule::category_def | Rule::kind_def | Rule::block_def | Rule::enum_def | Rule::fn_def => {
            "a catalogue declaration"
        }
        Rule::field_def | Rule::metric_def | Rule::kw_metric => "a field declaration",
        Rule::param => "a parameter",
        Rule::members
        | Rule::member_only
        | Rule::head
        | Rule::schema_file
        | Rule::member
        | Rule::arrow
        | Rule::value
        | Rule::schema_item
        | Rule::type_atom
        | Rule::ident_char
        | Rule::WHITESPACE
        | Rule::COMMENT => "input",
    }
}
