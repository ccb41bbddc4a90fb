#pragma once
// ArviZ InferenceData as a NetCDF-4 file, readable by arviz.from_netcdf and xarray:
//
//   #include <exmc/io/netcdf.hpp>     // not in the umbrella header: link with -lnetcdf
//   exmc::write_netcdf("out.nc", exmc::to_inference_data(fit));
//
// One NetCDF group per InferenceData group (posterior, sample_stats, and when filled
// log_likelihood, posterior_predictive, prior, observed_data). Every variable has dimensions
// (chain, draw, <name>_dim_0, ...), ArviZ's default names; `theta[0]..theta[7]` becomes one
// variable `theta` of shape (chain, draw, 8), `Sigma[i,j]` a (chain, draw, I, J) one. Sampler
// statistics take ArviZ's names (lp, acceptance_rate, step_size, tree_depth, n_steps,
// diverging, energy). Chains stopped early are cut to the shortest chain: NetCDF arrays are
// rectangular.
#include <netcdf.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../core/draws.hpp"
#include "../core/error.hpp"
#include "../nuts/fit.hpp"
#include "names.hpp"
#include "output_file.hpp"

// Lets <exmc/cli/cli.hpp> offer --netcdf when this header was included before it.
#define EXMC_HAS_NETCDF 1

namespace exmc {

struct inference_data {
  draws posterior;
  draws sample_stats;          // exmc/Stan names are renamed to ArviZ's on writing
  draws log_likelihood;        // optional groups: written only when they have chains
  draws posterior_predictive;
  draws prior;
  draws warmup_posterior;      // ArviZ's warmup groups (save_warmup)
  draws warmup_sample_stats;
  std::vector<std::pair<std::string, Eigen::VectorXd>> observed_data;
  // The `chain` coordinate of the groups drawn by the run: chain numbers as exmc prints them
  // (1-based; a failed chain leaves a gap). Empty, or a group with another number of chains:
  // 1..n.
  std::vector<long long> chain_numbers;
  // Global attributes of the file, e.g. exmc_status = "complete" / "incomplete".
  std::vector<std::pair<std::string, std::string>> attributes;
};

// The posterior, sampler statistics and saved warmup of a fit, with each chain's number and
// the run's fate as attributes: exmc_status ("complete" when every chain ran to the end, else
// "incomplete") and exmc_chains (one line per chain: "chain 2: stopped early ...").
inline inference_data to_inference_data(const fit& f) {
  inference_data d;
  d.posterior = f.posterior;
  d.sample_stats = f.sample_stats;
  d.warmup_posterior = f.warmup_posterior;
  d.warmup_sample_stats = f.warmup_sample_stats;
  for (int id : f.chain_ids) d.chain_numbers.push_back(id + 1);
  std::string chains;
  for (std::size_t c = 0; c < f.status.size(); ++c) {
    const chain_status& s = f.status[c];
    chains += (c ? "\n" : "") + (s.message.empty() ? chain_label(static_cast<long long>(c)) + ": " + to_string(s.outcome) : s.message);
  }
  d.attributes.emplace_back("exmc_status", f.all_ok() ? "complete" : "incomplete");
  d.attributes.emplace_back("exmc_chains", chains);
  return d;
}

namespace io {

class netcdf_file {
 public:
  netcdf_file(const std::string& path) : path_(path) {
    check(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id_), "cannot create the file");
  }
  ~netcdf_file() {
    if (id_ >= 0) nc_close(id_);
  }
  netcdf_file(const netcdf_file&) = delete;
  netcdf_file& operator=(const netcdf_file&) = delete;

  int id() const { return id_; }
  void close() {
    const int id = id_;
    id_ = -1;
    check(nc_close(id), "closing");
  }
  void check(int status, const std::string& what) const {
    if (status != NC_NOERR) throw io_error("write_netcdf: '" + path_ + "': " + what + ": " + nc_strerror(status));
  }

 private:
  std::string path_;
  int id_ = -1;
};

// Columns of one array variable and where each goes inside an element (row-major offset).
struct array_variable {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<std::pair<Eigen::Index, std::size_t>> columns;  // (column, flat offset)
};

// Groups columns into arrays by base name; a base whose indices do not fill a rectangle is
// written as one scalar variable per column under its full name.
inline std::vector<array_variable> group_columns(const std::vector<std::string>& names) {
  std::vector<array_variable> out;
  std::map<std::string, std::vector<std::pair<Eigen::Index, std::vector<long>>>> by_base;
  std::vector<std::string> order;
  for (std::size_t j = 0; j < names.size(); ++j) {
    split_name s = split(names[j]);
    if (!by_base.count(s.base)) order.push_back(s.base);
    by_base[s.base].emplace_back(static_cast<Eigen::Index>(j), std::move(s.index));
  }
  for (const auto& base : order) {
    const auto& cols = by_base[base];
    const std::size_t rank = cols.front().second.size();
    std::vector<std::size_t> shape(rank, 0);
    bool same_rank = true;
    for (const auto& [j, idx] : cols) {
      same_rank = same_rank && idx.size() == rank;
      for (std::size_t k = 0; k < std::min(rank, idx.size()); ++k) shape[k] = std::max(shape[k], static_cast<std::size_t>(idx[k] + 1));
    }
    std::size_t size = 1;
    for (auto n : shape) size *= n;
    std::vector<bool> filled(same_rank ? size : 0, false);
    array_variable v{base, shape, {}};
    bool rectangular = same_rank && size == cols.size();
    for (const auto& [j, idx] : cols) {
      if (!rectangular) break;
      std::size_t off = 0;
      for (std::size_t k = 0; k < rank; ++k) off = off * shape[k] + static_cast<std::size_t>(idx[k]);
      rectangular = !filled[off];
      filled[off] = true;
      v.columns.emplace_back(j, off);
    }
    if (rectangular) {
      out.push_back(std::move(v));
    } else {
      for (const auto& col : cols) out.push_back({names[static_cast<std::size_t>(col.first)], {}, {{col.first, 0}}});
    }
  }
  return out;
}

inline std::string arviz_stat_name(const std::string& n) {
  static const std::map<std::string, std::string> names{
      {"lp__", "lp"},           {"accept_stat__", "acceptance_rate"}, {"stepsize__", "step_size"}, {"treedepth__", "tree_depth"},
      {"n_leapfrog__", "n_steps"}, {"divergent__", "diverging"},      {"energy__", "energy"}};
  const auto it = names.find(n);
  return it == names.end() ? n : it->second;
}

inline int define_dim(const netcdf_file& f, int group, const std::string& name, std::size_t n) {
  int dim = -1;
  if (nc_inq_dimid(group, name.c_str(), &dim) == NC_NOERR) return dim;
  f.check(nc_def_dim(group, name.c_str(), n, &dim), "defining dimension " + name);
  return dim;
}

// A coordinate variable for a dimension (what xarray shows as the index): the given values.
inline void write_coordinate(const netcdf_file& f, int group, const std::string& name, const std::vector<long long>& values) {
  const int dim = define_dim(f, group, name, values.size());
  int var = -1;
  f.check(nc_def_var(group, name.c_str(), NC_INT64, 1, &dim, &var), "defining coordinate " + name);
  f.check(nc_put_var_longlong(group, var, values.data()), "writing coordinate " + name);
}
// The coordinate 0..n-1 (positions along draws and array dimensions).
inline void write_coordinate(const netcdf_file& f, int group, const std::string& name, std::size_t n) {
  std::vector<long long> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<long long>(i);
  write_coordinate(f, group, name, values);
}

inline void write_group(const netcdf_file& f, const std::string& group_name, const draws& d, bool stats,
                        const std::vector<long long>& chain_numbers = {}) {
  if (d.chains.empty()) return;
  int g = -1;
  f.check(nc_def_grp(f.id(), group_name.c_str(), &g), "defining group " + group_name);
  f.check(nc_put_att_text(g, NC_GLOBAL, "inference_library", 4, "exmc"), "writing attributes");
  const auto chains = static_cast<std::size_t>(d.num_chains());
  const auto ndraw = static_cast<std::size_t>(d.num_draws());
  std::vector<long long> numbers = chain_numbers;
  if (numbers.size() != chains) {
    numbers.resize(chains);
    for (std::size_t c = 0; c < chains; ++c) numbers[c] = static_cast<long long>(c + 1);
  }
  write_coordinate(f, g, "chain", numbers);
  write_coordinate(f, g, "draw", ndraw);
  for (const array_variable& v : group_columns(d.names)) {
    const std::string name = stats ? arviz_stat_name(v.name) : v.name;
    std::vector<int> dims{define_dim(f, g, "chain", chains), define_dim(f, g, "draw", ndraw)};
    std::size_t element = 1;
    for (std::size_t k = 0; k < v.shape.size(); ++k) {
      const std::string dim_name = name + "_dim_" + std::to_string(k);
      write_coordinate(f, g, dim_name, v.shape[k]);
      dims.push_back(define_dim(f, g, dim_name, v.shape[k]));
      element *= v.shape[k];
    }
    std::vector<double> values(chains * ndraw * element);
    for (std::size_t c = 0; c < chains; ++c)
      for (std::size_t t = 0; t < ndraw; ++t)
        for (const auto& [col, off] : v.columns)
          values[(c * ndraw + t) * element + off] = d.chains[c](static_cast<Eigen::Index>(t), col);
    const bool integer = stats && (name == "tree_depth" || name == "n_steps");
    const bool boolean = stats && name == "diverging";
    const nc_type type = boolean ? NC_BYTE : integer ? NC_INT64 : NC_DOUBLE;
    int var = -1;
    f.check(nc_def_var(g, name.c_str(), type, static_cast<int>(dims.size()), dims.data(), &var), "defining variable " + name);
    if (boolean) {
      // xarray's convention for booleans stored as bytes: decoded back to bool on reading.
      f.check(nc_put_att_text(g, var, "dtype", 4, "bool"), "writing attributes of " + name);
      std::vector<signed char> b(values.size());
      for (std::size_t i = 0; i < b.size(); ++i) b[i] = values[i] != 0.0 ? 1 : 0;
      f.check(nc_put_var_schar(g, var, b.data()), "writing variable " + name);
    } else if (integer) {
      std::vector<long long> n(values.size());
      for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<long long>(values[i]);
      f.check(nc_put_var_longlong(g, var, n.data()), "writing variable " + name);
    } else {
      f.check(nc_put_var_double(g, var, values.data()), "writing variable " + name);
    }
  }
}

inline void write_netcdf_file(const std::string& path, const inference_data& d) {
  io::netcdf_file f(path);
  for (const auto& [key, value] : d.attributes)
    f.check(nc_put_att_text(f.id(), NC_GLOBAL, key.c_str(), value.size(), value.c_str()), "writing attribute " + key);
  io::write_group(f, "posterior", d.posterior, false, d.chain_numbers);
  io::write_group(f, "sample_stats", d.sample_stats, true, d.chain_numbers);
  io::write_group(f, "log_likelihood", d.log_likelihood, false, d.chain_numbers);
  io::write_group(f, "posterior_predictive", d.posterior_predictive, false, d.chain_numbers);
  io::write_group(f, "prior", d.prior, false);
  io::write_group(f, "warmup_posterior", d.warmup_posterior, false, d.chain_numbers);
  io::write_group(f, "warmup_sample_stats", d.warmup_sample_stats, true, d.chain_numbers);
  if (!d.observed_data.empty()) {
    int g = -1;
    f.check(nc_def_grp(f.id(), "observed_data", &g), "defining group observed_data");
    for (const auto& [name, values] : d.observed_data) {
      if (values.size() == 0) throw model_error("write_netcdf: observed_data '" + name + "' is empty");
      const std::string dim_name = name + "_dim_0";
      io::write_coordinate(f, g, dim_name, static_cast<std::size_t>(values.size()));
      const int dim = io::define_dim(f, g, dim_name, static_cast<std::size_t>(values.size()));
      int var = -1;
      f.check(nc_def_var(g, name.c_str(), NC_DOUBLE, 1, &dim, &var), "defining variable " + name);
      f.check(nc_put_var_double(g, var, values.data()), "writing variable " + name);
    }
  }
  f.close();
}

}  // namespace io

// Writes `<path>.partial` and renames it onto `path` once complete, so an earlier file at `path`
// survives a failed write. Throws io_error when the file cannot be written.
inline void write_netcdf(const std::string& path, const inference_data& d) {
  const std::string partial = io::partial_path(path);
  try {
    io::write_netcdf_file(partial, d);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    throw;
  }
  io::commit(partial, path);
}

inline void write_netcdf(const std::string& path, const fit& f) { write_netcdf(path, to_inference_data(f)); }

}  // namespace exmc
