# exmc and Stan side by side on the seven benchmark models (shared/bench/MODELS.md protocol: one
# chain, 1000 warmup + 1000 draws, adapt_delta 0.8, max tree depth 10; each side's default metric:
# Stan's diagonal, exmc's low-rank plus diagonal, D136). Per model
# and seed, a Stan run and an exmc run alternate, so both see the same machine load; the ratios
# printed are of medians over seeds. From the repository root:
#   Rscript bench/stan/compare.R [--exmc build/bench/bench/sampling_bench] [--seeds 5]
#       [--models simple,medium,...] [--repeat 3] [--gradient-json FILE] [--out DIR] [--cache DIR]
# --repeat R: each seed runs R times on each side and the fastest wall time counts (a seed fixes
# the draws, so the repeats do identical work; the minimum filters out other processes' load).
# --gradient-json: Google Benchmark JSON from gradient_bench (built with EXMC_BENCH_STAN_MATH=ON);
# adds the gradient-only time ratio Stan Math / exmc compiled.
# eight_schools, funnel and sv also run Stan's non-centred programs (the exmc default non-centres
# them automatically: D27, D135), and the ratio is taken against Stan's better program.
# Needs Debian's r-cran-rstan, r-cran-posterior and r-cran-jsonlite (and BH's include path pointing
# at /usr/include: ln -sfn /usr/include /usr/lib/R/site-library/BH/include).
suppressMessages({library(rstan); library(posterior); library(jsonlite)})

opt <- list(exmc = "build/bench/bench/sampling_bench", seeds = "5", `repeat` = "3", out = "build/bench/compare",
            cache = "build/bench/stan_cache", gradient_json = "",
            models = "simple,medium,stress,eight_schools,funnel,logistic,sv")
args <- commandArgs(trailingOnly = TRUE)
for (i in seq(1, length(args), by = 2)) {
  key <- gsub("-", "_", sub("^--", "", args[i]))
  if (!key %in% names(opt)) stop("unknown option ", args[i])
  opt[[key]] <- args[i + 1]
}
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
data_dir <- file.path(here, "..", "data")
models <- strsplit(opt$models, ",")[[1]]
seeds <- seq_len(as.integer(opt$seeds))
dir.create(opt$out, recursive = TRUE, showWarnings = FALSE)
dir.create(opt$cache, recursive = TRUE, showWarnings = FALSE)

programs <- function(model) {
  if (model %in% c("eight_schools", "funnel", "sv")) c(model, paste0(model, "_noncentered")) else model
}
int_fields <- c("N", "K", "G", "J", "T", "group")

# Compiled once per program and cached (as .rds) across invocations; the stanc + C++ compile time
# of a fresh compile is recorded.
compile_times <- list()
stan_models <- list()
for (p in unique(unlist(lapply(models, programs)))) {
  cached <- file.path(opt$cache, paste0(p, ".rds"))
  if (file.exists(cached)) {
    stan_models[[p]] <- readRDS(cached)
  } else {
    t <- system.time(m <- stan_model(file.path(here, "models", paste0(p, ".stan")), model_name = p))
    stan_models[[p]] <- m
    compile_times[[p]] <- t[["elapsed"]]
    saveRDS(m, cached)
  }
}

read_data <- function(model) {
  d <- fromJSON(file.path(data_dir, paste0(model, ".json")))
  for (f in intersect(names(d), int_fields)) d[[f]] <- as.integer(d[[f]])
  if (model == "logistic") d$y <- as.integer(d$y)
  d
}

# Stan's own clock: get_elapsed_time, warmup + sampling, wall time (rstan's R-side setup and
# post-processing excluded, as exmc's compile is). CPU time is no alternative here: proc.time()
# ticks in 10 ms and would charge rstan's R-side work to Stan.
run_stan <- function(program, data, seed) {
  secs <- Inf
  for (r in seq_len(as.integer(opt[["repeat"]]))) {
    f <- sampling(stan_models[[program]], data = data, chains = 1, iter = 2000, warmup = 1000, seed = seed,
                  refresh = 0, control = list(adapt_delta = 0.8, max_treedepth = 10), save_warmup = TRUE)
    secs <- min(secs, sum(get_elapsed_time(f)))
  }
  sp <- get_sampler_params(f, inc_warmup = TRUE)[[1]]
  x <- as_draws_matrix(as.array(f))
  x <- x[, colnames(x) != "lp__"]
  ess <- min(apply(x, 2, function(v) ess_bulk(matrix(v, ncol = 1))), na.rm = TRUE)
  data.frame(implementation = "stan", program = program, seed = seed, seconds = secs,
             min_bulk_ess = ess, ess_per_second = ess / secs, gradients = sum(sp[, "n_leapfrog__"]),
             warmup_gradients = sum(sp[1:1000, "n_leapfrog__"]), divergent = sum(sp[1001:2000, "divergent__"]))
}

run_exmc <- function(model, seed) {
  csv <- tempfile(fileext = ".csv")
  status <- system2(opt$exmc, c("--models", model, "--variants", "auto", "--seeds", "1", "--seed-base", seed,
                                "--repeat", opt[["repeat"]],
                                "--csv", csv), stdout = FALSE)
  if (status != 0) stop("exmc harness failed on ", model)
  r <- read.csv(csv)
  data.frame(implementation = "exmc", program = model, seed = seed, seconds = r$seconds,
             min_bulk_ess = r$min_bulk_ess, ess_per_second = r$ess_per_second, gradients = r$gradients,
             warmup_gradients = r$warmup_gradients, divergent = r$divergent)
}

runs <- list()
for (model in models) {
  data <- read_data(model)
  for (seed in seeds) {
    for (p in programs(model)) runs[[length(runs) + 1]] <- cbind(model = model, run_stan(p, data, seed))
    runs[[length(runs) + 1]] <- cbind(model = model, run_exmc(model, seed))
  }
  cat(".", file = stderr())
}
cat("\n", file = stderr())
runs <- do.call(rbind, runs)
write.csv(runs, file.path(opt$out, "compare_runs.csv"), row.names = FALSE)

# Gradient-only times (CPU time, medians of repetitions) from gradient_bench's JSON output.
grad_ns <- function(model, impl) {
  if (opt$gradient_json == "") return(NA)
  b <- fromJSON(opt$gradient_json)$benchmarks
  row <- b[b$name == sprintf("logp_grad/%s/%s/double_median", model, impl), ]
  if (nrow(row) == 0) return(NA)
  row$cpu_time[1] * c(ns = 1, us = 1e3, ms = 1e6)[[row$time_unit[1]]]
}

med <- function(x) median(x, na.rm = TRUE)
rows <- list()
for (model in models) {
  e <- runs[runs$model == model & runs$implementation == "exmc", ]
  for (p in programs(model)) {
    s <- runs[runs$model == model & runs$program == p & runs$implementation == "stan", ]
    us_s <- 1e6 * s$seconds / s$gradients
    us_e <- 1e6 * e$seconds / e$gradients
    rows[[length(rows) + 1]] <- data.frame(
      model = model, stan_program = p, stan_ess_s = med(s$ess_per_second), exmc_ess_s = med(e$ess_per_second),
      ess_s_ratio = med(e$ess_per_second) / med(s$ess_per_second), stan_us_per_grad = med(us_s),
      ess_per_grad_ratio = med(e$min_bulk_ess / e$gradients) / med(s$min_bulk_ess / s$gradients),
      exmc_us_per_grad = med(us_e), step_ratio = med(us_s) / med(us_e),
      gradient_ratio = grad_ns(model, "stan_math") / grad_ns(model, "compiled"),
      stan_min_ess = med(s$min_bulk_ess), exmc_min_ess = med(e$min_bulk_ess), stan_grads = med(s$gradients),
      exmc_grads = med(e$gradients), stan_div = med(s$divergent), exmc_div = med(e$divergent))
  }
}
tab <- do.call(rbind, rows)
write.csv(tab, file.path(opt$out, "compare_summary.csv"), row.names = FALSE)

f0 <- function(x) formatC(x, format = "f", digits = 0, big.mark = "")
f2 <- function(x) ifelse(is.na(x), "–", formatC(x, format = "f", digits = 2))
md <- c("| model | Stan program | Stan ESS/s | exmc ESS/s | ESS/s ratio | ESS per gradient ratio | Stan µs/gradient | exmc µs/gradient | per-gradient ratio | gradient-only ratio | min ESS Stan / exmc | gradients Stan / exmc | divergent Stan / exmc |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (i in seq_len(nrow(tab))) {
  r <- tab[i, ]
  md <- c(md, sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s |", r$model,
                      r$stan_program, f0(r$stan_ess_s), f0(r$exmc_ess_s), f2(r$ess_s_ratio), f2(r$ess_per_grad_ratio),
                      f2(r$stan_us_per_grad),
                      f2(r$exmc_us_per_grad), f2(r$step_ratio), f2(r$gradient_ratio), f0(r$stan_min_ess),
                      f0(r$exmc_min_ess), f0(r$stan_grads), f0(r$exmc_grads), f0(r$stan_div), f0(r$exmc_div)))
}
writeLines(md, file.path(opt$out, "compare.md"))
writeLines(md)
cat(sprintf("\nmedians over %d seeds; µs/gradient = wall seconds of warmup + sampling / gradient evaluations (sampler included)\n",
            length(seeds)))
if (length(compile_times) > 0) {
  cat("Stan compile (stanc + C++, rstan::stan_model), seconds:\n")
  for (p in names(compile_times)) cat(sprintf("  %s: %.1f\n", p, compile_times[[p]]))
}
