resource "t" "h" {
  a = <<-EOT
    { brace
      $${x} %%{y}
    EOT
  b = <<EOF
${x}
EOF
  c = "\u00e9\U0001F600 \" \\"
}
