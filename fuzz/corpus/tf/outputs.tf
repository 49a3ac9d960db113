output "s" { value = "x" }
output "n" {
  value     = [1, 2.5e3, -0, { a = null }]
  sensitive = true
}
output "i" { value = "${var.x}" }
