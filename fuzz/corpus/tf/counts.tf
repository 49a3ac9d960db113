resource "t" "a" { count = 3 }
resource "t" "b" { for_each = toset(["x", "y"]) }
resource "t" "c" { for_each = { k = 1 } }
resource "t" "d" { count = var.n }
data "d" "e" { x = true }
module "m" { source = "./m" }
