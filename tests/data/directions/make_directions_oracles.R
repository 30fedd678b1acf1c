## Reference values for vote counting by direction of effect (alliance_meta.engine.directions).
## Usage: Rscript make_directions_oracles.R OUT.json
## For each case (x favouring of n with a direction): the Wilson score interval of
## prop.test(x, n, correct = FALSE) and the two-sided exact sign test binom.test(x, n, 0.5).
## Base R only (stats); numbers are written with 17 significant digits so that they read
## back as the same doubles.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "directions_reference.json"

cases <- list(
  c(0, 1), c(1, 1),                      # n = 1
  c(0, 2), c(1, 2), c(2, 2),             # n = 2
  c(0, 3), c(1, 3), c(2, 3), c(3, 3),
  c(0, 5), c(5, 5), c(2, 5),
  c(0, 10), c(10, 10), c(5, 10), c(7, 10), c(3, 10),
  c(1, 7), c(6, 7),
  c(17, 24), c(7, 24), c(12, 24),
  c(24, 30), c(6, 30), c(15, 30),
  c(24, 35), c(24, 31), c(29, 35),
  c(0, 60), c(60, 60), c(45, 60), c(31, 60),
  c(50, 99), c(49, 99), c(90, 99),
  c(600, 1000), c(400, 1000), c(500, 1000), c(501, 1000), c(530, 1000),
  c(0, 1000), c(1000, 1000), c(1, 1000),
  c(2500, 5000), c(2600, 5000)
)

num <- function(v) sprintf("%.17g", v)
lines <- character(0)
for (cs in cases) {
  x <- cs[1]; n <- cs[2]
  ci <- suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)  # warns for small n (chi-square p only)
  p  <- binom.test(x, n, 0.5)$p.value
  lines <- c(lines, sprintf('    {"x": %d, "n": %d, "proportion": %s, "ci_lb": %s, "ci_ub": %s, "sign_test_pval": %s}',
                            x, n, num(x / n), num(ci[1]), num(ci[2]), num(p)))
}

json <- c("{",
          sprintf('  "R": "%s",', R.version.string),
          '  "functions": "prop.test(x, n, correct = FALSE)$conf.int (Wilson score); binom.test(x, n, 0.5)$p.value (two-sided)",',
          sprintf('  "qnorm_0975": %s,', num(qnorm(0.975))),
          '  "script": "tests/data/directions/make_directions_oracles.R",',
          '  "cases": [',
          paste(lines, collapse = ",\n"),
          "  ]",
          "}")
writeLines(json, out)
