// exmc::any_density: every refinement forwarded, the fallbacks every inference method relies on,
// the model's workspaces owned and released, and sampling through it (what exmc::sample does, in
// libexmc when linked) bit-identical to NUTS instantiated for the model's own type.
#include <catch2/catch.hpp>
#include <atomic>

#include <exmc/exmc.hpp>
#include <exmc/nuts/driver.hpp>  // sample_nuts for the model's own type, for the comparison

namespace {

std::atomic<int> workspaces_alive{0};

// Every refinement, with a workspace that counts its instances.
struct full_density {
  using scalar = double;
  struct workspace {
    Eigen::VectorXd scratch;
    explicit workspace(Eigen::Index n) : scratch(n) { ++workspaces_alive; }
    workspace(workspace&& o) noexcept : scratch(std::move(o.scratch)) { ++workspaces_alive; }
    workspace& operator=(workspace&&) = delete;
    ~workspace() { --workspaces_alive; }
  };
  Eigen::Index dim() const { return 2; }
  workspace make_workspace() const { return workspace(2); }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g, workspace& ws) const {
    ws.scratch = q;
    g = -ws.scratch;
    return -0.5 * q.squaredNorm();
  }
  double logp_grad(const exmc::vector_t<double>& q, exmc::vector_t<double>& g) const {
    workspace ws = make_workspace();
    return logp_grad(q, g, ws);
  }
  std::vector<std::string> param_names() const { return {"a", "b", "a_plus_b"}; }
  void constrain(const exmc::vector_t<double>& q, Eigen::VectorXd& out) const {
    out.resize(3);
    out << q[0], std::exp(q[1]), q[0] + std::exp(q[1]);
  }
  void unconstrain(const exmc::named_values& v, exmc::vector_t<double>& q) const {
    for (const auto& [name, x] : v) {
      if (name == "a") q[0] = x[0];
      else if (name == "b") q[1] = std::log(x[0]);
      else throw exmc::model_error("unknown parameter '" + name + "'");
    }
  }
};

// Nothing but the gradient, in float.
struct plain_density {
  using scalar = float;
  Eigen::Index dim() const { return 3; }
  double logp_grad(const exmc::vector_t<float>& q, exmc::vector_t<float>& g) const {
    g = -2.0f * q;
    return -static_cast<double>(q.squaredNorm());
  }
};

}  // namespace

static_assert(exmc::WorkspaceLogDensity<exmc::any_density<double>>);
static_assert(exmc::ConstrainedLogDensity<exmc::any_density<double>>);
static_assert(exmc::UnconstrainableLogDensity<exmc::any_density<float>>);
static_assert(!exmc::UnconstrainableLogDensity<plain_density>);

TEST_CASE("any_density forwards every refinement of the model", "[core][any_density]") {
  const full_density model;
  const exmc::any_density<double> d(model);
  CHECK(d.dim() == 2);
  Eigen::VectorXd q(2), g(2), g_model(2);
  q << 0.3, -1.2;
  {
    auto ws = d.make_workspace();
    CHECK(workspaces_alive == 1);
    CHECK(d.logp_grad(q, g, ws) == model.logp_grad(q, g_model));
    CHECK(g == g_model);
    auto moved = std::move(ws);
    CHECK(workspaces_alive == 1);
  }
  CHECK(workspaces_alive == 0);
  g.setZero();
  CHECK(d.logp_grad(q, g) == -0.5 * q.squaredNorm());
  CHECK(g == -q);
  CHECK(d.param_names() == model.param_names());
  Eigen::VectorXd out;
  d.constrain(q, out);
  CHECK(out.size() == 3);
  CHECK(out[1] == std::exp(-1.2));
  CHECK(d.can_unconstrain());
  CHECK(exmc::can_unconstrain(d));
  Eigen::VectorXd u = Eigen::VectorXd::Zero(2);
  d.unconstrain({{"b", Eigen::VectorXd::Constant(1, 2.0)}}, u);
  CHECK(u[1] == std::log(2.0));
  CHECK_THROWS_WITH(d.unconstrain({{"c", Eigen::VectorXd::Zero(1)}}, u), "unknown parameter 'c'");
  const exmc::any_density<double> copy(d);  // copies the view, does not wrap it again
  CHECK(copy.param_names() == model.param_names());
}

TEST_CASE("any_density without refinements: the names and values every method uses", "[core][any_density]") {
  const plain_density model;
  const exmc::any_density<float> d(model);
  CHECK(d.param_names() == std::vector<std::string>{"q[0]", "q[1]", "q[2]"});
  Eigen::VectorXf q(3), g(3);
  q << 1.5f, -0.25f, 2.0f;
  Eigen::VectorXd out;
  d.constrain(q, out);
  CHECK(out == q.cast<double>());
  auto ws = d.make_workspace();  // empty: the model has none
  CHECK(d.logp_grad(q, g, ws) == model.logp_grad(q, g));
  CHECK_FALSE(d.can_unconstrain());
  CHECK_FALSE(exmc::can_unconstrain(model));
  CHECK_THROWS_AS(d.unconstrain({{"x", Eigen::VectorXd::Zero(1)}}, q), exmc::model_error);
  exmc::sample_options o;
  o.init = {{"x", Eigen::VectorXd::Zero(1)}};
  CHECK_THROWS_WITH(exmc::sample(model, o),
                    "sample: init gives named values but the density has no unconstrain(); use init_unconstrained");
}

TEST_CASE("sampling through any_density is bit-identical to NUTS on the model's own type", "[core][any_density][nuts]") {
  using namespace exmc;
  Eigen::VectorXd y(8), sigma(8);
  y << 28, 8, -3, 7, -1, 1, 18, 12;
  sigma << 15, 10, 16, 11, 9, 11, 10, 18;
  auto mu = param<"mu">(normal(0.0, 5.0));
  auto tau = param<"tau">(half_cauchy(5.0));
  auto theta = param<"theta">(normal(mu, tau), 8);
  const auto ld = compile<double>(model(mu, tau, theta, observe<"y">(normal(theta, sigma), y)));
  for (const metric_kind metric : {metric_kind::diag, metric_kind::dense}) {
    sample_options o;
    o.chains = 2;
    o.warmup = 150;
    o.draws = 100;
    o.seed = 31;
    o.metric = metric;
    o.save_warmup = true;
    o.init = {{"tau", Eigen::VectorXd::Constant(1, 2.0)}};
    const fit through = sample(ld, o);                  // any_density (libexmc when linked)
    const fit own = detail::sample_nuts(ld, o);         // NUTS instantiated for the model's type
    REQUIRE(through.posterior.num_chains() == 2);
    CHECK(through.posterior.names == own.posterior.names);
    for (std::size_t c = 0; c < 2; ++c) {
      CHECK(through.posterior.chains[c] == own.posterior.chains[c]);
      CHECK(through.sample_stats.chains[c] == own.sample_stats.chains[c]);
      CHECK(through.warmup_posterior.chains[c] == own.warmup_posterior.chains[c]);
      CHECK(through.step_size[c] == own.step_size[c]);
      CHECK(through.grad_evals_warmup[c] == own.grad_evals_warmup[c]);
    }
  }
  const full_density counted;
  const fit f = sample(counted, {.chains = 3, .warmup = 50, .draws = 50, .seed = 2});
  CHECK(f.all_ok());
  CHECK(f.posterior.names == std::vector<std::string>{"a", "b", "a_plus_b"});
  CHECK(workspaces_alive == 0);  // one per chain, each released
}
