# Stan's ESS per gradient on iid normal 100-d, with the protocol of bench/iid_normal_ess.cpp:
# one chain, 1000 warmup + 1000 draws, seeds 1000..1004; gradients = sum of n_leapfrog__ over
# warmup and sampling; ESS = minimum bulk-ESS (posterior package) over the 100 coordinates.
#   Rscript bench/stan/iid_normal_ess.R
# Needs Debian's r-cran-rstan and r-cran-posterior (and BH's include path pointing at
# /usr/include: ln -sfn /usr/include /usr/lib/R/site-library/BH/include).
suppressMessages({library(rstan); library(posterior)})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
m <- stan_model(file.path(here, "iid_normal_100.stan"))
rows <- lapply(1000:1004, function(seed) {
  f <- sampling(m, chains = 1, iter = 2000, warmup = 1000, seed = seed, refresh = 0,
                control = list(adapt_delta = 0.8, max_treedepth = 10), save_warmup = TRUE)
  sp <- get_sampler_params(f, inc_warmup = TRUE)[[1]]
  grads <- sum(sp[, "n_leapfrog__"])
  warm <- sum(sp[1:1000, "n_leapfrog__"])
  x <- as_draws_matrix(as.array(f, pars = "x"))
  ess <- min(apply(x, 2, function(v) ess_bulk(matrix(v, ncol = 1))))
  data.frame(seed = seed, min_bulk_ess = ess, gradients = grads, warmup_gradients = warm,
             ess_per_1000_gradients = 1000 * ess / grads)
})
r <- do.call(rbind, rows)
print(r)
cat(sprintf("median ESS per 1000 gradients: %.2f; median gradients: %.0f; median warmup gradients: %.0f\n",
            median(r$ess_per_1000_gradients), median(r$gradients), median(r$warmup_gradients)))
