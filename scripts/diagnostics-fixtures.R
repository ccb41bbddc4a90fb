#!/usr/bin/env Rscript
# Regenerates tests/diagnostics/fixtures/: deterministic draw sets and log-likelihood
# matrices plus the reference values the R packages posterior and loo compute from them.
# The C++ tests (tests/diagnostics/) read these files; CI has no R.
#
#   apt-get install -y r-cran-posterior r-cran-loo
#   Rscript scripts/diagnostics-fixtures.R            # from the repository root
#
# Inputs are rounded to 10 significant digits and read back before the references are
# computed, so R and C++ start from the same doubles (the decimal strings in the CSV).
suppressPackageStartupMessages({
  library(posterior)
  library(loo)
})

out_dir <- file.path("tests", "diagnostics", "fixtures")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
fmt <- function(x) ifelse(is.na(x) & !is.nan(x), "NA", sprintf("%.17g", x))

# --- helpers ---------------------------------------------------------------------------
ar1 <- function(n, rho, start = rnorm(1)) {
  x <- numeric(n)
  x[1] <- start
  for (i in seq_len(n - 1)) x[i + 1] <- rho * x[i] + sqrt(1 - rho^2) * rnorm(1)
  x
}

# Writes a draws x chains matrix and returns it as read back from the file.
write_draws <- function(name, m) {
  path <- file.path(out_dir, paste0("draws_", name, ".csv"))
  colnames(m) <- paste0("chain", seq_len(ncol(m)))
  write.csv(format(signif(m, 10), digits = 10, scientific = FALSE, trim = TRUE),
            path, row.names = FALSE, quote = FALSE)
  unname(as.matrix(read.csv(path)))
}

ref <- data.frame(case = character(), quantity = character(), value = character())
add <- function(case, quantity, value) {
  ref <<- rbind(ref, data.frame(case = case, quantity = quantity, value = fmt(value)))
}

# --- draw sets for the convergence diagnostics ------------------------------------------
set.seed(20240611)
cases <- list()
cases$well_mixed <- matrix(rnorm(4 * 1000), 1000, 4)
cases$ar1_rho09 <- sapply(1:4, function(c) ar1(1000, 0.9))
cases$nonconverged <- sapply(c(0, 0, 1, 3), function(mu) mu + ar1(500, 0.5))
cases$cauchy <- matrix(rcauchy(4 * 1000), 1000, 4)
cases$constant <- matrix(2.5, 100, 4)
cases$constant_per_chain <- sapply(1:4, function(c) rep(c, 100))
cases$single_chain <- matrix(ar1(1001, 0.5), ncol = 1)  # odd length: split drops the middle draw
cases$antithetic <- sapply(1:4, function(c) ar1(1000, -0.7))  # hits the N log10(N) cap
cases$poisson_ties <- matrix(rpois(4 * 200, 3), 200, 4)     # many ties: average ranks
cases$short_odd <- matrix(rnorm(3 * 7), 7, 3)

for (name in names(cases)) {
  x <- write_draws(name, cases[[name]])
  r <- function(q, v) add(name, q, v)
  suppressWarnings({
    r("rhat", rhat(x)); r("rhat_basic", rhat_basic(x)); r("ess_basic", ess_basic(x))
    r("ess_bulk", ess_bulk(x)); r("ess_tail", ess_tail(x))
    r("ess_mean", ess_mean(x)); r("ess_sd", ess_sd(x))
    for (p in c(0.05, 0.5, 0.95)) {
      r(sprintf("ess_q%g", 100 * p), ess_quantile(x, p))
      r(sprintf("mcse_q%g", 100 * p), mcse_quantile(x, p))
      r(sprintf("q%g", 100 * p), quantile(x, p))
    }
    r("mcse_mean", mcse_mean(x)); r("mcse_sd", mcse_sd(x))
    r("mean", mean(x)); r("sd", sd(x))
    acf <- posterior::autocorrelation(x[, 1])
    for (lag in 0:9) r(sprintf("acf.%d", lag), acf[lag + 1])
  })
}

# --- log-likelihood matrices for WAIC, PSIS-LOO and comparison --------------------------
# Data: 15 standard-normal observations and one outlier. Posterior draws come from
# conjugate approximations run as AR(1) chains so that r_eff differs from 1.
set.seed(777)
N <- 16
y <- c(rnorm(N - 1), 7)
chains <- 4
iter <- 250
chain_id <- rep(seq_len(chains), each = iter)
S <- chains * iter
ar_draws <- function(rho) as.vector(sapply(seq_len(chains), function(c) ar1(iter, rho)))

mu <- mean(y) + sd(y) / sqrt(N) * ar_draws(0.6)
sigma <- sd(y) * exp(0.18 * ar_draws(0.6))
ll_normal <- sapply(y, function(yi) dnorm(yi, mu, sigma, log = TRUE))

mu_t <- median(y) + 0.27 * ar_draws(0.3)
scale_t <- 0.9 * exp(0.2 * ar_draws(0.3))
ll_student <- sapply(y, function(yi) dt((yi - mu_t) / scale_t, df = 3, log = TRUE) - log(scale_t))

# One free effect per observation with a tight likelihood: leaving a point out moves its
# effect a lot, so many Pareto k are above 0.7.
theta <- sapply(y, function(yi) 0.8 * yi + 0.35 * ar_draws(0.2))
ll_per_obs <- sapply(seq_len(N), function(i) dnorm(y[i], theta[, i], 0.25, log = TRUE))

write_ll <- function(name, ll) {
  path <- file.path(out_dir, paste0("loglik_", name, ".csv"))
  m <- format(signif(ll, 10), digits = 10, scientific = FALSE, trim = TRUE)
  df <- data.frame(chain = chain_id, m)
  colnames(df) <- c("chain", paste0("y", seq_len(N)))
  write.csv(df, path, row.names = FALSE, quote = FALSE)
  unname(as.matrix(read.csv(path)[, -1]))
}

add_loo <- function(case, l) {
  est <- l$estimates
  for (q in rownames(est)) {
    add(case, q, est[q, "Estimate"])
    add(case, paste0("se_", q), est[q, "SE"])
  }
  pw <- l$pointwise
  for (q in c("elpd_loo", "mcse_elpd_loo", "p_loo", "looic"))
    for (i in seq_len(nrow(pw))) add(case, sprintf("%s.%d", q, i - 1), pw[i, q])
  k <- l$diagnostics$pareto_k
  for (i in seq_along(k)) add(case, sprintf("pareto_k.%d", i - 1), k[i])
  n_eff <- l$diagnostics$n_eff
  for (i in seq_along(n_eff)) add(case, sprintf("n_eff.%d", i - 1), n_eff[i])
}

loos <- list()
for (name in c("normal", "student", "per_obs")) {
  ll <- write_ll(name, get(paste0("ll_", name)))
  r_eff <- relative_eff(exp(ll), chain_id = chain_id)
  for (i in seq_along(r_eff)) add(name, sprintf("r_eff.%d", i - 1), r_eff[i])
  suppressWarnings({
    l <- loo(ll, r_eff = r_eff)
    w <- waic(ll)
    l1 <- loo(ll, r_eff = rep(1, N))
  })
  loos[[name]] <- l
  add_loo(paste0(name, "_loo"), l)
  add_loo(paste0(name, "_loo_reff1"), l1)
  for (q in rownames(w$estimates)) {
    add(paste0(name, "_waic"), q, w$estimates[q, "Estimate"])
    add(paste0(name, "_waic"), paste0("se_", q), w$estimates[q, "SE"])
  }
  for (i in seq_len(N)) add(paste0(name, "_waic"), sprintf("p_waic.%d", i - 1), w$pointwise[i, "p_waic"])
}

cmp <- loo_compare(loos)
for (i in seq_len(nrow(cmp))) {
  m <- rownames(cmp)[i]
  add("compare", paste0("rank.", m), i - 1)
  add("compare", paste0("elpd_diff.", m), cmp[i, "elpd_diff"])
  add("compare", paste0("se_diff.", m), cmp[i, "se_diff"])
}

# --- raw PSIS on a heavy-tailed vector of log importance ratios -------------------------
set.seed(99)
lr <- log(rexp(2000)) + 0.9 * log(1 / runif(2000))  # Pareto-like tail with k near 0.9
path <- file.path(out_dir, "log_ratios.csv")
write.csv(data.frame(log_ratio = format(signif(lr, 10), digits = 10, trim = TRUE)), path,
          row.names = FALSE, quote = FALSE)
lr <- read.csv(path)$log_ratio
suppressWarnings(p <- psis(lr, r_eff = 1))
add("psis_vector", "pareto_k", p$diagnostics$pareto_k)
add("psis_vector", "tail_len", attr(p, "tail_len"))
lw <- weights(p, log = TRUE, normalize = TRUE)
for (i in seq(1, length(lw), by = 37)) add("psis_vector", sprintf("log_weight.%d", i - 1), lw[i])
suppressWarnings(p20 <- psis(lr[1:20], r_eff = 1))  # tail of 4 draws: too short to fit
add("psis_short", "pareto_k", p20$diagnostics$pareto_k)

write.csv(ref, file.path(out_dir, "reference.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(ref), "reference values to", out_dir, "\n")
