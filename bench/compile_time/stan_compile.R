# Compiles one Stan program with rstan::stan_model (stanc, then the C++ compile of the model and
# rstan's sampler module); bench/compile_time/measure.sh wraps it in /usr/bin/time for wall time
# and peak memory.   Rscript bench/compile_time/stan_compile.R PROGRAM.stan
suppressMessages(library(rstan))
f <- commandArgs(trailingOnly = TRUE)[1]
t <- system.time(stan_model(f))
cat(sprintf("stan_model elapsed: %.1f s\n", t[["elapsed"]]))
