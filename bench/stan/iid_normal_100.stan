// iid standard normal in 100 dimensions: the target of exmc's ESS-per-gradient comparison.
parameters {
  vector[100] x;
}
model {
  x ~ std_normal();
}
