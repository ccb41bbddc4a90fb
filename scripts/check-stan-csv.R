#!/usr/bin/env Rscript
# Proves that exmc's Stan CSV files are read by rstan's read_stan_csv (Debian's r-cran-rstan).
# Usage: scripts/check-stan-csv.R out_1.csv out_2.csv ...
# Checks: rstan reads every file; chains, kept draws, warmup and thin agree with the header;
# parameter names come back as Stan names (theta[1] for theta.1); rstan's means of every
# parameter equal those of a plain read.csv of the same rows; sampler params and adaptation
# info are present. Exits non-zero on the first failure. CI does not need R: run it by hand.
suppressMessages(library(rstan))
files <- commandArgs(trailingOnly = TRUE)
if (length(files) == 0) stop("usage: check-stan-csv.R file_1.csv [file_2.csv ...]")
fail <- function(...) { message("FAIL: ", ...); quit(status = 1) }

fit <- read_stan_csv(files)
raw <- lapply(files, function(f) read.csv(f, comment.char = "#"))
header <- readLines(files[1])
setting <- function(key) {
  line <- grep(paste0("^#\\s*", key, " = "), header, value = TRUE)[1]
  as.numeric(sub(" .*", "", sub(paste0("^#\\s*", key, " = "), "", line)))
}
draws <- setting("num_samples"); thin <- setting("thin"); warmup <- setting("num_warmup")
save_warmup <- setting("save_warmup")
kept <- 1 + (draws - 1) %/% thin
if (fit@sim$chains != length(files)) fail("rstan sees ", fit@sim$chains, " chains, expected ", length(files))
if (fit@sim$n_save[1] - fit@sim$warmup2[1] != kept) fail("rstan kept ", fit@sim$n_save[1] - fit@sim$warmup2[1], " draws, expected ", kept)
if (fit@sim$warmup != warmup || fit@sim$thin != thin) fail("warmup/thin differ from the header")

stats <- c("lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__")
csv_names <- setdiff(names(raw[[1]]), stats)
stan_names <- sub("\\.", "[", csv_names)
stan_names <- ifelse(grepl("\\[", stan_names), paste0(gsub("\\.", ",", stan_names), "]"), stan_names)
if (!identical(fit@sim$fnames_oi, c(stan_names, "lp__"))) fail("names: ", paste(fit@sim$fnames_oi, collapse = " "))

rows <- if (save_warmup == 1) -(1:(1 + (warmup - 1) %/% thin)) else seq_len(kept)
ours <- colMeans(do.call(rbind, lapply(raw, function(r) r[rows, csv_names, drop = FALSE])))
pm <- get_posterior_mean(fit)  # one chain: no "mean-all chains" column
theirs <- pm[stan_names, ncol(pm)]
if (max(abs(ours - theirs)) > 1e-12 * max(1, abs(ours))) fail("posterior means differ: ", max(abs(ours - theirs)))

sp <- get_sampler_params(fit, inc_warmup = FALSE)
if (length(sp) != length(files) || !all(c("accept_stat__", "divergent__", "treedepth__") %in% colnames(sp[[1]])))
  fail("sampler params missing")
info <- get_adaptation_info(fit)
if (!all(grepl("Step size", info))) fail("adaptation info missing")
print(fit, pars = head(fit@model_pars, 3), probs = c(0.05, 0.5, 0.95))
cat("OK: rstan read", length(files), "chains,", kept, "draws each,", length(stan_names), "parameters\n")
