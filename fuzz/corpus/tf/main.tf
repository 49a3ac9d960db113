# A configuration like the ones uploaded to TFE { not a block
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
