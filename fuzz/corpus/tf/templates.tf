locals {
  a = "${ {k = "}"}.k } %{ if true }x%{ endif }"
  b = [for x in var.l : { (x) = x }]
}
resource "t" "x" {
  z = { "a" : 1, b = 2, a = 3 }
  lifecycle { ignore_changes = all }
  provisioner "local-exec" { command = "echo }" }
}
