// sv (d = 102), written non-centred by hand: the same posterior as sv.stan, sampled in the
// random walk's innovations z, s = sigma * cumulative_sum(z) (the form exmc's compiler chooses
// for this model, D135). The change of variables s <- z has Jacobian sigma^T, which cancels the
// walk's normalising constant, so z ~ std_normal() is the whole prior of the path.
data {
  int<lower=2> T;
  vector[T] r;
}
parameters {
  real<lower=0> sigma;
  real<lower=0> nu;
  vector[T] z;
}
transformed parameters {
  vector[T] s = sigma * cumulative_sum(z);
}
model {
  sigma ~ exponential(50);
  nu ~ exponential(0.1);
  z ~ std_normal();
  r ~ student_t(nu, 0, exp(s));
}
