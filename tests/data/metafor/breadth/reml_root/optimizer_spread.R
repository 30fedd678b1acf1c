## The HTZ Wald F of assink2016 (~ deltype, three-level) at each of the three optimizers that
## make_oracles_breadth.R compares, and at the root of the REML score.
## Usage: Rscript optimizer_spread.R
suppressPackageStartupMessages({ library(metafor); library(metadat); library(clubSandwich); library(jsonlite) })
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
dat <- dat.assink2016; dat$.cl <- dat$study; dat$.id <- seq_len(nrow(dat))
root <- Filter(function(c) c$id == "assink2016/wald/deltype",
               fromJSON(file.path(here, "reml_root_reference.json"), simplifyVector = FALSE)$cases)[[1]]
controls <- list(
  "nlminb (default)" = list(),
  "optim BFGS" = list(optimizer = "optim", optmethod = "BFGS", reltol = 1e-14, maxit = 10000),
  "optim Nelder-Mead" = list(optimizer = "optim", optmethod = "Nelder-Mead", reltol = 1e-15, maxit = 100000))
fits <- lapply(controls, function(ctl) rma.mv(yi, vi, mods = ~ deltype, random = ~ 1 | .cl/.id, data = dat,
                                              method = "REML", control = ctl))
fits[["root of the REML score"]] <- rma.mv(yi, vi, mods = ~ deltype, random = ~ 1 | .cl/.id, data = dat,
                                           method = "REML", sigma2 = unlist(root$reml_root$sigma2))
cat("| fit | sigma2_between | sigma2_within | REML logLik | HTZ F |\n| --- | ---: | ---: | ---: | ---: |\n")
for (nm in names(fits)) {
  f <- fits[[nm]]
  wt <- Wald_test(f, constraints = constrain_zero(2:3), vcov = "CR2", cluster = dat$.cl, test = "HTZ")
  cat(sprintf("| %s | %.15f | %.15f | %.15f | %.10f |\n", nm, f$sigma2[1], f$sigma2[2], as.numeric(logLik(f)), wt$Fstat))
}
