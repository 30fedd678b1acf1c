## The breadth set's `che`, `che_robust` and `wald` cases recomputed at the exact REML maximum.
##
## make_oracles_breadth.R keeps, of three optimizers, the fit with the highest log-likelihood.
## On a flat REML surface those log-likelihoods tie to ~1e-13, so the kept fit is whichever
## optimizer happened to stop highest, and its variance components may sit ~1e-8 from the
## maximum. Most results move by far less than their tolerance; the HTZ Wald F of assink2016
## moves by ~66 per unit of sigma2 and does not. Here the maximum is found as the root of the
## analytic REML score (Fisher scoring, dense V: k is small), metafor refits with sigma2 fixed
## there, and clubSandwich computes the robust results on that fit. Same R, metafor and
## clubSandwich as the parent script.
##
## Usage: Rscript make_reml_root.R OUTDIR   (reads ../metafor_reference.json beside this file)
suppressPackageStartupMessages({ library(metafor); library(metadat); library(clubSandwich); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
outdir <- args[1]
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
ref <- fromJSON(file.path(here, "..", "metafor_reference.json"), simplifyVector = FALSE)
num <- function(x) unname(as.numeric(x))

## Fisher scoring on the REML score of V(theta) = theta1 * Z Z' + theta2 * I + V0
reml_root <- function(y, V0, X, cl, start) {
  Z <- outer(cl, unique(cl), "==") * 1
  D <- list(Z %*% t(Z), diag(length(y)))
  th <- start
  for (it in 1:500) {
    Vi <- solve(th[1] * D[[1]] + th[2] * D[[2]] + V0)
    XtVi <- t(X) %*% Vi
    P <- Vi - t(XtVi) %*% solve(XtVi %*% X, XtVi)
    r <- P %*% y
    PD <- lapply(D, function(Dj) P %*% Dj)
    s <- sapply(seq_along(D), function(j) -0.5 * sum(diag(PD[[j]])) + 0.5 * drop(t(r) %*% D[[j]] %*% r))
    info <- outer(1:2, 1:2, Vectorize(function(a, b) 0.5 * sum(PD[[a]] * t(PD[[b]]))))
    step <- solve(info, s)
    th <- pmax(th + step, 0)
    if (max(abs(step)) < 1e-13 * max(1, th)) break   # the score is then at its rounding floor
  }
  list(theta = th, score = s, iterations = it)
}

cases <- list()
for (case in ref$cases) {
  if (!case$kind %in% c("che", "che_robust", "wald")) next
  dat <- get(paste0("dat.", case$dataset))
  dat$yi <- dat[[case$columns$yi]]; dat$vi <- dat[[case$columns$vi]]
  keep <- !is.na(dat$yi) & !is.na(dat$vi) & !is.na(dat[[case$cluster]])
  if (!is.null(case$mods)) keep <- keep & !is.na(dat[[case$mods]])
  dat <- dat[keep, ]; dat$.cl <- dat[[case$cluster]]; dat$.id <- seq_len(nrow(dat))
  V <- if (is.null(case$rho)) diag(dat$vi) else as.matrix(vcalc(vi, cluster = .cl, obs = .id, rho = case$rho, data = dat))
  f <- if (is.null(case$mods)) ~ 1 else as.formula(paste("~", case$mods))
  X <- model.matrix(f, data = dat)
  start <- rma.mv(yi, V, mods = f, random = ~ 1 | .cl/.id, data = dat, method = "REML")$sigma2
  root <- reml_root(dat$yi, V, X, dat$.cl, start)
  fit <- rma.mv(yi, V, mods = f, random = ~ 1 | .cl/.id, data = dat, method = "REML", sigma2 = root$theta)
  e <- list()
  if (case$kind == "che") {
    e <- list(k = fit$k, n_clusters = length(unique(dat$.cl)), estimate = num(coef(fit)), se = num(fit$se),
              stat = num(fit$zval), pval = num(fit$pval), ci_lb = num(fit$ci.lb), ci_ub = num(fit$ci.ub),
              sigma2_between = num(root$theta[1]), sigma2_within = num(root$theta[2]), logLik = num(logLik(fit)))
  } else if (case$kind == "che_robust") {
    ct <- coef_test(fit, vcov = "CR2", cluster = dat$.cl); ci <- conf_int(fit, vcov = "CR2", cluster = dat$.cl)
    e <- list(estimate = num(ct$beta), se = num(ct$SE), stat = num(ct$tstat), df = num(ct$df_Satt),
              pval = num(ct$p_Satt), ci_lb = num(ci$CI_L), ci_ub = num(ci$CI_U))
  } else {
    p <- ncol(X)
    ct <- coef_test(fit, vcov = "CR2", cluster = dat$.cl)
    wt <- Wald_test(fit, constraints = constrain_zero(2:p), vcov = "CR2", cluster = dat$.cl, test = "HTZ")
    e <- list(coefficients = lapply(seq_len(p), function(i) list(name = colnames(X)[i] |> sub(pattern = "(Intercept)", replacement = "intrcpt", fixed = TRUE),
                estimate = num(ct$beta[i]), se = num(ct$SE[i]), stat = num(ct$tstat[i]), df = num(ct$df_Satt[i]),
                pval = num(ct$p_Satt[i]))),
              robust_wald = list(F = num(wt$Fstat), df_num = num(wt$df_num), df_denom = num(wt$df_denom), pval = num(wt$p_val)))
  }
  case$expect <- e
  case$reml_root <- list(sigma2 = num(root$theta), score = num(root$score), iterations = root$iterations)
  cases[[length(cases) + 1]] <- case
}
meta <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
  clubSandwich = as.character(packageVersion("clubSandwich")), metadat = as.character(packageVersion("metadat")),
  note = paste("The che, che_robust and wald cases of ../metafor_reference.json, recomputed with metafor and clubSandwich",
    "at the root of the analytic REML score (Fisher scoring to a step below 1e-13; the score left is in reml_root$score), sigma2 fixed there."),
  cases = cases)
writeLines(toJSON(meta, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), file.path(outdir, "reml_root_reference.json"))
cat("wrote", length(cases), "cases\n")
