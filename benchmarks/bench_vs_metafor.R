## The R side of benchmarks/bench_vs_metafor.py: metafor 3.8-1 and clubSandwich 0.5.8 on the
## same CSV the engine reads (columns yi, vi, cluster, M), timed inside R with proc.time() around
## the calls only (Rscript's start-up, loading the packages and read.csv are not counted; the
## Python runner reports the whole process separately).
##
## Usage: Rscript bench_vs_metafor.R FILE CASE REPEAT
##   CASE one of
##     che         V <- vcalc(vi, cluster, obs = row, rho = .6); rma.mv(yi, V, random = ~ 1 | cluster/row);
##                 coef_test(fit, vcov = "CR2")
##     che_sparse  the same model with a sparse V (vcalc per cluster, joined by Matrix::bdiag) and
##                 rma.mv(sparse = TRUE), metafor's own option for large k
##     wald        rma.mv(yi, vi, mods = ~ M, random = ~ 1 | cluster/row);
##                 Wald_test(fit, constrain_zero(2:3), vcov = "CR2", test = "HTZ")
##     wald_sparse the same with rma.mv(sparse = TRUE)
##     sel         selmodel(rma(yi, vi), type = "stepfun", steps = .025)
##   REPEAT      runs of the timed calls at most (no new run after 20 s in all); the best time is printed
## Prints one JSON object: the best seconds of the fit and of the inference and their sum (wall
## time), the CPU time of that run (user + system), the seconds before the first run (start-up,
## packages, read.csv: R's clock starts with the process), and the
## quantities the engine's --json output also gives, for the agreement check.
suppressPackageStartupMessages({ library(metafor); library(clubSandwich); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]; case <- args[2]; repeat_n <- as.integer(args[3])
dat <- read.csv(file)
dat$row <- seq_len(nrow(dat))
dat$M <- factor(dat$M)                      # levels sorted, as the engine's M[b], M[c] against M[a]
rho <- 0.6
elapsed <- function() proc.time()[["elapsed"]]
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }

run_once <- function() {
  c0 <- cpu(); t0 <- elapsed()
  if (case == "che") {
    V <- vcalc(vi, cluster = cluster, obs = row, rho = rho, data = dat)
    fit <- rma.mv(yi, V, random = ~ 1 | cluster/row, data = dat, method = "REML")
  } else if (case == "che_sparse") {
    # the CSV is sorted by cluster, so the blocks in cluster order are the rows in file order
    blocks <- lapply(split(dat, dat$cluster), function(d) {
      d$obs <- seq_len(nrow(d))              # vcalc wants obs numbered within the block
      vcalc(vi, cluster = cluster, obs = obs, rho = rho, data = d)
    })
    V <- Matrix::bdiag(blocks)
    fit <- rma.mv(yi, V, random = ~ 1 | cluster/row, data = dat, method = "REML", sparse = TRUE)
  } else if (case %in% c("wald", "wald_sparse")) {
    fit <- rma.mv(yi, vi, mods = ~ M, random = ~ 1 | cluster/row, data = dat, method = "REML",
                  sparse = case == "wald_sparse")
  } else if (case == "sel") {
    fit <- selmodel(rma(yi, vi, data = dat, method = "REML"), type = "stepfun", steps = 0.025)
  } else stop("unknown case ", case)
  t1 <- elapsed()
  inf <- if (case %in% c("che", "che_sparse")) coef_test(fit, vcov = "CR2")
         else if (case %in% c("wald", "wald_sparse")) Wald_test(fit, constraints = constrain_zero(2:3), vcov = "CR2", test = "HTZ")
         else NULL
  t2 <- elapsed()
  list(fit = fit, inf = inf, fit_s = t1 - t0, inference_s = t2 - t1, cpu_s = cpu() - c0)
}

setup_s <- elapsed()                         # R's clock starts with the process: start-up, packages, read.csv
best <- NULL; runs <- 0
start <- elapsed()
for (i in seq_len(repeat_n)) {
  if (i > 1 && elapsed() - start > 20) break   # slow sizes: one run is the measurement
  got <- run_once(); runs <- runs + 1
  if (is.null(best) || got$fit_s + got$inference_s < best$fit_s + best$inference_s) best <- got
}
fit <- best$fit; inf <- best$inf
out <- list(case = case, k = nrow(dat), n_clusters = length(unique(dat$cluster)), runs = runs, setup_s = setup_s,
            fit_s = best$fit_s, inference_s = best$inference_s, total_s = best$fit_s + best$inference_s,
            cpu_s = best$cpu_s,
            logLik = as.numeric(logLik(fit)))
if (case %in% c("che", "che_sparse")) {
  out <- c(out, list(estimate = inf$beta, se = inf$SE, df = inf$df_Satt, pval = inf$p_Satt,
                     sigma2 = fit$sigma2))
} else if (case %in% c("wald", "wald_sparse")) {
  out <- c(out, list(coef = unname(coef(fit)), F = inf$Fstat, df_num = inf$df_num, df_denom = inf$df_denom,
                     pval = inf$p_val, sigma2 = fit$sigma2))
} else {
  out <- c(out, list(estimate = unname(coef(fit)$beta), se = fit$se, tau2 = fit$tau2, delta = fit$delta,
                     lrt = fit$LRT, lrt_pval = fit$LRTp))
}
cat(toJSON(out, auto_unbox = TRUE, digits = NA), "\n")
