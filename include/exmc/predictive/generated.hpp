#pragma once
// Generated quantities: user functions of each posterior draw, stored with names like the
// model's own quantities.
//
//   auto gq = exmc::generated_quantities(fit.posterior, {"y_new[0]", "y_new[1]"},
//       [&](const exmc::draw_view& d, exmc::rng& g, std::span<double> out) {
//         out[0] = g.normal(d("alpha") + d("beta") * 1.5, d("sigma"));
//         out[1] = d.vector("theta").sum();
//       }, {.seed = 3});
//
// Chain c uses rng(seed, c) over its draws in order: reproducible whatever the thread count.
#include <Eigen/Core>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "predictive.hpp"

namespace exmc {

// One draw's values by name: d("mu") for a scalar, d.vector("theta") for theta[0], theta[1], ...
class draw_view {
 public:
  draw_view(const std::vector<std::string>& names, const std::unordered_map<std::string, Eigen::Index>& index)
      : names_(names), index_(index) {}
  void set(const Eigen::MatrixXd& chain, Eigen::Index row) {
    chain_ = &chain;
    row_ = row;
  }
  double operator()(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    if (it == index_.end()) throw model_error("generated_quantities: no quantity named '" + std::string(name) + "' in the draws");
    return (*chain_)(row_, it->second);
  }
  Eigen::VectorXd vector(std::string_view name) const {
    std::vector<double> v;
    for (Eigen::Index i = 0;; ++i) {
      const auto it = index_.find(std::string(name) + "[" + std::to_string(i) + "]");
      if (it == index_.end()) break;
      v.push_back((*chain_)(row_, it->second));
    }
    if (v.empty()) throw model_error("generated_quantities: no vector named '" + std::string(name) + "' in the draws");
    return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
  // A matrix parameter or deterministic (a Cholesky factor, a K x J matrix), stored as name[i,j].
  Eigen::MatrixXd matrix(std::string_view name) const {
    const auto at = [&](Eigen::Index i, Eigen::Index j) {
      return index_.find(str_cat({name, "[", std::to_string(i), ",", std::to_string(j), "]"}));
    };
    Eigen::Index rows = 0, cols = 0;
    while (at(rows, 0) != index_.end()) ++rows;
    while (at(0, cols) != index_.end()) ++cols;
    if (rows == 0) throw model_error(str_cat({"generated_quantities: no matrix named '", name, "' in the draws"}));
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) {
        const auto it = at(i, j);
        if (it == index_.end())
          throw model_error(str_cat({"generated_quantities: '", name, "' is not a complete matrix in the draws"}));
        m(i, j) = (*chain_)(row_, it->second);
      }
    return m;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  const std::vector<std::string>& names_;
  const std::unordered_map<std::string, Eigen::Index>& index_;
  const Eigen::MatrixXd* chain_ = nullptr;
  Eigen::Index row_ = 0;
};

using generated_fn = std::function<void(const draw_view&, rng&, std::span<double>)>;

// Evaluates fn on every draw of `posterior`; the result has one column per name in `names`, in
// the chain and draw layout of `posterior`. fn must be safe to call from several threads at once.
inline draws generated_quantities(const draws& posterior, std::vector<std::string> names, const generated_fn& fn,
                                  const predictive_options& o = {}) {
  if (names.empty()) throw model_error("generated_quantities: give the names of the quantities fn writes");
  std::unordered_map<std::string, Eigen::Index> index;
  for (std::size_t k = 0; k < posterior.names.size(); ++k) index.emplace(posterior.names[k], static_cast<Eigen::Index>(k));
  draws out;
  out.names = std::move(names);
  out.chains.resize(posterior.chains.size());
  const auto width = static_cast<Eigen::Index>(out.names.size());
  detail::for_each_chain(static_cast<int>(posterior.chains.size()), o.threads, [&](int c) {
    rng g(o.seed, static_cast<std::uint64_t>(c));
    const Eigen::MatrixXd& in = posterior.chains[static_cast<std::size_t>(c)];
    Eigen::MatrixXd& res = out.chains[static_cast<std::size_t>(c)];
    res.resize(in.rows(), width);
    draw_view view(posterior.names, index);
    std::vector<double> row(static_cast<std::size_t>(width));
    for (Eigen::Index d = 0; d < in.rows(); ++d) {
      view.set(in, d);
      std::fill(row.begin(), row.end(), std::numeric_limits<double>::quiet_NaN());
      fn(view, g, std::span<double>(row));
      for (Eigen::Index k = 0; k < width; ++k) res(d, k) = row[static_cast<std::size_t>(k)];
    }
  });
  return out;
}

// Columns of several draws objects side by side (same chains and draws), e.g. the posterior
// with its generated quantities, for summary() or the writers.
inline draws combine(const draws& a, const draws& b) {
  if (a.chains.size() != b.chains.size())
    throw model_error("combine: " + std::to_string(a.chains.size()) + " chains vs " + std::to_string(b.chains.size()));
  draws out;
  out.names = a.names;
  out.names.insert(out.names.end(), b.names.begin(), b.names.end());
  for (std::size_t c = 0; c < a.chains.size(); ++c) {
    if (a.chains[c].rows() != b.chains[c].rows())
      throw model_error("combine: chain " + std::to_string(c) + " has " + std::to_string(a.chains[c].rows()) + " vs " +
                        std::to_string(b.chains[c].rows()) + " draws");
    Eigen::MatrixXd m(a.chains[c].rows(), a.chains[c].cols() + b.chains[c].cols());
    m << a.chains[c], b.chains[c];
    out.chains.push_back(std::move(m));
  }
  return out;
}

}  // namespace exmc
