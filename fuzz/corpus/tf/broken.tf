resource "t" "a" {
  x = "unterminated
  y = [1, 2
  /* comment
}
}}
"${ {"
