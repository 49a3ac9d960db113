// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// scan_tf (detail/tf_scan.hpp): a realistic configuration, literals and what is not one, comments,
// strings, heredocs and templates holding braces, counts, notes, files of an archive, and hostile text.
#include "support/catch.hpp"

#include "support/internals.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tf_scan_test {

using namespace std::string_literals;

using tfe::detail::scan_tf;
using tfe::detail::scan_tf_files;
using tfe::detail::tar_entry;
using tfe::detail::tf_config;
using tfe::detail::tf_output;
using tfe::detail::tf_resource;

const char* const main_tf = R"tf(# A configuration like the ones uploaded to TFE { not a block
terraform {
  required_version = ">= 1.5"
  backend "remote" {
    organization = "acme"
  }
}

/* A block comment with { braces }
   resource "terraform_data" "in_comment" {}
*/
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

locals {
  greeting = "hello ${var.names[0]}"
}

provider "aws" {
  region = "eu-west-1" // { not a brace
}

resource "terraform_data" "web" {
  count = 3
  input = "a { string } with \"quotes\" and \\ and \u00e9"
  triggers_replace = [1, 2.50, -3, 1e3, true, null, "x"]
  tags = {
    Name      = "web"
    "with-dash" = 007
    nested    = { list = [[], {}] }
  }
  script = <<-EOT
    #!/bin/sh
    echo "{ ${"not"} interpolated: $${HOME} }"
    if [ -n "$1" ]; then { echo; }; fi
    EOT
  plain_heredoc = <<EOF
{ "json": [1, 2] }
EOF
  reference   = var.names
  expression  = 1 + 2
  interpolate = "id-${count.index}"
  call        = upper("x")
  escaped     = "$${not} %%{interpolated}"
  depends_on  = [terraform_data.db]

  lifecycle {
    ignore_changes = [input]
  }
  provisioner "local-exec" {
    command = "echo '}}}'"
  }
}

resource "terraform_data" "db" {
  for_each = toset(["blue", "green", "blue"])
  input    = each.key
}

resource "terraform_data" "map" {
  for_each = { a = 1, b = 2, c = 3 }
}

resource "terraform_data" "dynamic" {
  for_each = var.names
}

resource "terraform_data" "unknown_count" {
  count = length(var.names)
}

resource "terraform_data" "one_line" { input = "x" }

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
  filter {
    name   = "name"
    values = ["ubuntu/images/*"]
  }
}

module "vpc" {
  source = "./vpc"
  cidr   = "10.0.0.0/16"
}

moved {
  from = terraform_data.old
  to   = terraform_data.web
}

output "string" {
  value       = "hello"
  description = "a literal string"
}

output "number" {
  value = 42
}

output "list" {
  value = ["a", 1, false]
}

output "object" {
  value = {
    name = "x"
    "quoted key" = [1, { deep = null }]
  }
}

output "interpolated" {
  value = "${terraform_data.web[0].id}-suffix"
}

output "secret" {
  value     = "s3cr3t"
  sensitive = true
}

output "heredoc" {
  value = <<EOT
line one {
line two }
EOT
}
)tf";

const tf_resource* find_resource(const tf_config& c, std::string_view mode, std::string_view type,
                                 std::string_view name) {
  for (const auto& r : c.resources)
    if (r.mode == mode && r.type == type && r.name == name) return &r;
  return nullptr;
}

const tf_output* find_output(const tf_config& c, std::string_view name) {
  for (const auto& o : c.outputs)
    if (o.name == name) return &o;
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> attrs(const tf_resource& r) { return r.attributes; }

// Every value the scanner writes is JSON tfe::json reads.
void check_json(const tf_config& c) {
  for (const auto& r : c.resources) {
    CHECK((r.mode == "managed" || r.mode == "data"));
    CHECK(r.count >= -1);
    for (const auto& a : r.attributes) {
      INFO(a.first << " = " << a.second);
      CHECK(tfe::json::parse(a.second));
    }
  }
  for (const auto& o : c.outputs)
    if (o.value) {
      INFO(*o.value);
      CHECK(tfe::json::parse(*o.value));
    }
}

tf_config scan(std::string_view text, std::string_view name = "main.tf") {
  tf_config c;
  scan_tf(name, text, c);
  check_json(c);
  return c;
}

TEST_CASE("scan_tf: a realistic configuration", "[detail][tf_scan]") {
  const tf_config c = scan(main_tf);
  REQUIRE(c.resources.size() == 7);
  const tf_resource* web = find_resource(c, "managed", "terraform_data", "web");
  REQUIRE(web);
  CHECK(web->count == 3);
  CHECK(attrs(*web) == std::vector<std::pair<std::string, std::string>>{
                           {"input", R"("a { string } with \"quotes\" and \\ and é")"},
                           {"triggers_replace", R"([1,2.50,-3,1e3,true,null,"x"])"},
                           {"tags", R"({"Name":"web","with-dash":7,"nested":{"list":[[],{}]}})"},
                           {"plain_heredoc", R"("{ \"json\": [1, 2] }\n")"},
                           {"escaped", R"("${not} %{interpolated}")"},
                       });
  const tf_resource* db = find_resource(c, "managed", "terraform_data", "db");
  REQUIRE(db);
  CHECK(db->count == 2);  // toset of three strings, two distinct
  CHECK(db->attributes.empty());
  CHECK(find_resource(c, "managed", "terraform_data", "map")->count == 3);
  CHECK(find_resource(c, "managed", "terraform_data", "dynamic")->count == -1);
  CHECK(find_resource(c, "managed", "terraform_data", "unknown_count")->count == -1);
  CHECK(attrs(*find_resource(c, "managed", "terraform_data", "one_line")) ==
        std::vector<std::pair<std::string, std::string>>{{"input", "\"x\""}});
  const tf_resource* ami = find_resource(c, "data", "aws_ami", "ubuntu");
  REQUIRE(ami);
  CHECK(ami->count == 1);
  CHECK(attrs(*ami) ==
        std::vector<std::pair<std::string, std::string>>{{"most_recent", "true"}, {"owners", R"(["099720109477"])"}});
  CHECK_FALSE(find_resource(c, "managed", "terraform_data", "in_comment"));

  REQUIRE(c.outputs.size() == 7);
  CHECK(find_output(c, "string")->value == std::optional<std::string>("\"hello\""));
  CHECK(find_output(c, "number")->value == std::optional<std::string>("42"));
  CHECK(find_output(c, "list")->value == std::optional<std::string>(R"(["a",1,false])"));
  CHECK(find_output(c, "object")->value ==
        std::optional<std::string>(R"({"name":"x","quoted key":[1,{"deep":null}]})"));
  CHECK_FALSE(find_output(c, "interpolated")->value);
  CHECK(find_output(c, "secret")->sensitive);
  CHECK(find_output(c, "secret")->value == std::optional<std::string>("\"s3cr3t\""));
  CHECK_FALSE(find_output(c, "string")->sensitive);
  CHECK(find_output(c, "heredoc")->value == std::optional<std::string>(R"("line one {\nline two }\n")"));

  CHECK(c.notes == std::vector<std::string>{
                       "main.tf:67: for_each on terraform_data.dynamic: counted as 1",
                       "main.tf:71: count on terraform_data.unknown_count: counted as 1",
                       "main.tf:85: module \"vpc\" is not expanded",
                   });
}

TEST_CASE("scan_tf: flush heredoc, escapes and literals", "[detail][tf_scan]") {
  const tf_config c = scan(R"tf(
resource "a" "b" {
  flush = <<-EOT
      indented
    less
        more
    EOT
  unicode = "\u00e9\U0001F600\t"
  bad_escape = "\q"
  surrogate = "\ud800"
  big = 99999999999999999999
  huge = 1e999
  small = 1e-999
  neg = -0.5
  ident_key = { true = 1, 2 = "two", "k" : "v" }
  repeated = { a = 1, b = 2, a = 3 }
  trailing = [1, 2,]
  multiline = [
    1,
    2
  ]
  missing_comma = [1 2]
  concat = "a" "b"
  empty_expr =
  string_count = 1
}
)tf");
  REQUIRE(c.resources.size() == 1);
  CHECK(attrs(c.resources[0]) == std::vector<std::pair<std::string, std::string>>{
                                     {"flush", R"("  indented\nless\n    more\n")"},
                                     {"unicode", "\"\xc3\xa9\xf0\x9f\x98\x80\\t\""},
                                     {"small", "1e-999"},
                                     {"neg", "-0.5"},
                                     {"ident_key", R"({"true":1,"2":"two","k":"v"})"},
                                     {"repeated", R"({"a":3,"b":2})"},
                                     {"trailing", "[1,2]"},
                                     {"multiline", "[1,2]"},
                                     {"string_count", "1"},
                                 });
}

TEST_CASE("scan_tf: counts", "[detail][tf_scan]") {
  const tf_config c = scan(R"tf(
resource "t" "zero" { count = 0 }
resource "t" "string" { count = "4" }
resource "t" "negative" { count = -1 }
resource "t" "fraction" { count = 1.5 }
resource "t" "both" {
  count    = 1
  for_each = {}
}
resource "t" "list" { for_each = ["a"] }
resource "t" "empty_map" { for_each = {} }
resource "t" "cond" { count = var.on ? 1 : 0 }
)tf");
  REQUIRE(c.resources.size() == 8);
  const std::int64_t expect[] = {0, 4, -1, -1, -1, -1, 0, -1};
  for (std::size_t i = 0; i < 8; ++i) {
    INFO(c.resources[i].name);
    CHECK(c.resources[i].count == expect[i]);
  }
  CHECK(c.notes == std::vector<std::string>{
                       "main.tf:4: count on t.negative: counted as 1",
                       "main.tf:5: count on t.fraction: counted as 1",
                       "main.tf:7: count and for_each both set on t.both: counted as 1",
                       "main.tf:10: for_each on t.list: counted as 1",
                       "main.tf:12: count on t.cond: counted as 1",
                   });
}

TEST_CASE("scan_tf: notes for what is not read", "[detail][tf_scan]") {
  tf_config c;
  scan_tf("a.tf", "resource \"t\" \"x\" {}\noutput \"o\" { value = 1 }\n", c);
  scan_tf("b.tf", R"tf(
resource "t" "x" { input = 2 }
output "o" { value = 2 }
module "m" {}
weird "block" {}
stray = 1
resource "only_one_label" {}
output "a" "b" {}
resource "t" "dup_attr" {
  a = 1
  a = 2
}
resource "t" "${x}" {}
output "s" { sensitive = var.s }
}
)tf",
          c);
  CHECK(c.resources.size() == 2);
  CHECK(c.resources[0].attributes.empty());  // the first of a duplicate is kept
  CHECK(c.outputs.size() == 2);
  CHECK(c.outputs[0].value == std::optional<std::string>("1"));
  CHECK(c.notes == std::vector<std::string>{
                       "b.tf:2: duplicate resource t.x: the first one is kept",
                       "b.tf:3: duplicate output \"o\": the first one is kept",
                       "b.tf:4: module \"m\" is not expanded",
                       "b.tf:5: unknown block \"weird\" skipped",
                       "b.tf:6: attribute \"stray\" outside a block is ignored",
                       "b.tf:7: resource block with 1 labels (not 2) skipped",
                       "b.tf:8: output block with 2 labels (not 1) skipped",
                       "b.tf:11: attribute \"a\" of t.dup_attr set again: the first is kept",
                       "b.tf:13: block \"resource\" has a label that is not a plain string: skipped",
                       "b.tf:14: sensitive on output \"s\" is not true or false: taken as false",
                       "b.tf:15: unbalanced braces: unexpected '}'",
                   });
}

TEST_CASE("scan_tf: unbalanced and broken files keep what was read", "[detail][tf_scan]") {
  {
    const tf_config c = scan("resource \"t\" \"a\" { input = 1 }\nresource \"t\" \"b\" {\n  input = [1, 2\n");
    REQUIRE(c.resources.size() == 2);
    CHECK(c.resources[1].name == "b");
    CHECK(c.notes == std::vector<std::string>{"main.tf:2: unbalanced braces at end of file"});
  }
  {
    const tf_config c = scan("locals {\n  x = {\n");
    CHECK(c.notes == std::vector<std::string>{"main.tf:1: unbalanced braces at end of file"});
  }
  {  // An unterminated string ends at its line.
    const tf_config c = scan("resource \"t\" \"a\" {\n  input = \"abc\n  other = 2\n}\n");
    REQUIRE(c.resources.size() == 1);
    CHECK(attrs(c.resources[0]) == std::vector<std::pair<std::string, std::string>>{{"other", "2"}});
    CHECK(c.notes == std::vector<std::string>{"main.tf:2: unterminated string"});
  }
  {
    const tf_config c = scan("output \"h\" {\n  value = <<EOT\nno end\n");
    REQUIRE(c.outputs.size() == 1);
    CHECK_FALSE(c.outputs[0].value);
    CHECK(c.notes ==
          std::vector<std::string>{"main.tf:2: unterminated heredoc", "main.tf:1: unbalanced braces at end of file"});
  }
  {
    const tf_config c = scan("/* never closed\nresource \"t\" \"a\" {}\n");
    CHECK(c.resources.empty());
    CHECK(c.notes == std::vector<std::string>{"main.tf:1: unterminated comment"});
  }
  {  // Braces inside templates do not count.
    const tf_config c =
        scan("resource \"t\" \"a\" {\n  x = \"${ {a = \"}\"}.a }\"\n  y = 1\n}\nresource \"t\" \"b\" {}\n");
    REQUIRE(c.resources.size() == 2);
    CHECK(attrs(c.resources[0]) == std::vector<std::pair<std::string, std::string>>{{"y", "1"}});
  }
}

TEST_CASE("scan_tf: nesting deeper than 64 levels", "[detail][tf_scan]") {
  std::string deep_list = "resource \"t\" \"a\" {\n  ok = " + std::string(64, '[') + std::string(64, ']') +
                          "\n  deep = " + std::string(65, '[') + std::string(65, ']') + "\n}\n";
  tf_config c = scan(deep_list);
  REQUIRE(c.resources.size() == 1);
  REQUIRE(c.resources[0].attributes.size() == 1);
  CHECK(c.resources[0].attributes[0].first == "ok");
  CHECK(c.notes == std::vector<std::string>{"main.tf:3: nesting deeper than 64 levels is not read"});
  // 100k levels of anything: no recursion, no crash.
  for (const char* open : {"{", "[", "(", "\"${"}) {
    std::string s = "resource \"t\" \"b\" {\n  x = ";
    for (int i = 0; i < 100000; ++i) s += open;
    c = scan(s);
    CHECK(c.resources.size() == 1);
    CHECK_FALSE(c.notes.empty());
  }
}

TEST_CASE("scan_tf: hostile bytes", "[detail][tf_scan]") {
  {  // NUL, invalid UTF-8, a byte order mark; notes stay one printable line each.
    const std::string text = "\xEF\xBB\xBFresource \"t\" \"a\xff\" {\n  x = \"\xc0\xaf\"\n}\n\0\x01\n\"\n\xfe\xfe {\n"s;
    const tf_config c = scan(text);
    REQUIRE(c.resources.size() == 1);
    CHECK(c.resources[0].name == "a\xff");
    for (const auto& n : c.notes) {
      INFO(n);
      CHECK(n.find('\n') == std::string::npos);
      CHECK(n.find('\0') == std::string::npos);
    }
  }
  {  // At most 100 notes per file.
    std::string junk;
    for (int i = 0; i < 1000; ++i) junk += "}\n";
    const tf_config c = scan(junk);
    CHECK(c.notes.size() == 101);
    CHECK(c.notes.back() == "main.tf: more notes left out");
  }
  // Every prefix of the realistic file scans.
  const std::string full = main_tf;
  for (std::size_t n = 0; n <= full.size(); n += 7) scan(full.substr(0, n));
  // And every byte value in every position of a small file.
  const std::string small = "resource \"t\" \"a\" { x = [1, \"${y}\"] }\n";
  for (std::size_t i = 0; i < small.size(); ++i)
    for (int b = 0; b < 256; b += 5) {
      std::string s = small;
      s[i] = static_cast<char>(b);
      scan(s);
    }
}

TEST_CASE("scan_tf_files: the root module of an archive", "[detail][tf_scan]") {
  const std::vector<tar_entry> files = {
      {"variables.tf", "variable \"x\" {}\n"},
      {"main.tf", "resource \"t\" \"b\" {}\n"},
      {"a.tf", "resource \"t\" \"a\" {}\noutput \"o\" { value = 1 }\n"},
      {"modules/vpc/main.tf", "resource \"t\" \"vpc\" {}\n"},
      {".terraform/modules/x/main.tf", "resource \"t\" \"cached\" {}\n"},
      {"sub/.terraform/y.tf", "resource \"t\" \"cached2\" {}\n"},
      {"README.md", "resource \"t\" \"readme\" {}\n"},
      {"extra.tf.json", "{}"},
      {"override.tf", "resource \"t\" \"a\" { x = 1 }\n"},
      {"main.tf", "resource \"t\" \"c\" {}\n"},  // a later entry of the same name replaces the earlier
  };
  const tf_config c = scan_tf_files(files);
  REQUIRE(c.resources.size() == 2);
  CHECK(c.resources[0].name == "a");
  CHECK(c.resources[1].name == "c");
  REQUIRE(c.outputs.size() == 1);
  CHECK(c.notes == std::vector<std::string>{
                       "extra.tf.json: JSON configuration is not read",
                       "modules/vpc/main.tf: not in the root module",
                       "override.tf: override files are not merged",
                   });
  // Duplicates across files.
  const tf_config d = scan_tf_files({{"a.tf", "resource \"t\" \"x\" {}\n"}, {"b.tf", "resource \"t\" \"x\" {}\n"}});
  CHECK(d.resources.size() == 1);
  CHECK(d.notes == std::vector<std::string>{"b.tf:1: duplicate resource t.x: the first one is kept"});
}

}  // namespace tf_scan_test
