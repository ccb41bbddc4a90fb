#!/usr/bin/env python3
"""Checks an exmc InferenceData NetCDF file with Debian's python3-xarray / python3-netcdf4.

Usage: scripts/check-netcdf.py out.nc [chains draws]
Opens every group with xarray.open_dataset(group=...), checks that each variable has dims
(chain, draw, ...) with the expected sizes, that the sample_stats names are ArviZ's with the
right types (diverging bool, tree_depth and n_steps integers), that vector parameters are arrays
with <name>_dim_k dimensions and that observed_data has no chain/draw. Exits 1 on failure.
CI does not need Python: run it by hand.
"""
import sys

import netCDF4
import numpy as np
import xarray as xr


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


path = sys.argv[1]
chains = int(sys.argv[2]) if len(sys.argv) > 2 else None
draws = int(sys.argv[3]) if len(sys.argv) > 3 else None
groups = list(netCDF4.Dataset(path).groups)
if "posterior" not in groups or "sample_stats" not in groups:
    fail(f"groups are {groups}")
known = {"posterior", "sample_stats", "log_likelihood", "posterior_predictive", "prior", "observed_data"}
if not set(groups) <= known:
    fail(f"unexpected groups {set(groups) - known}")

for g in groups:
    ds = xr.open_dataset(path, group=g)
    for name, var in ds.data_vars.items():
        if g == "observed_data":
            if "chain" in var.dims or "draw" in var.dims:
                fail(f"{g}/{name} has sampling dims {var.dims}")
            continue
        if var.dims[:2] != ("chain", "draw"):
            fail(f"{g}/{name} has dims {var.dims}")
        if g in ("posterior", "sample_stats"):
            if chains is not None and var.sizes["chain"] != chains:
                fail(f"{g}/{name}: {var.sizes['chain']} chains, expected {chains}")
            if draws is not None and var.sizes["draw"] != draws:
                fail(f"{g}/{name}: {var.sizes['draw']} draws, expected {draws}")
        for k, d in enumerate(var.dims[2:]):
            if d != f"{name}_dim_{k}":
                fail(f"{g}/{name}: dimension {k} is {d}")
            if not np.array_equal(ds[d].values, np.arange(var.sizes[d])):
                fail(f"{g}/{d} coordinate is not 0..n-1")
        if not np.isfinite(var.values.astype(float)).all():
            fail(f"{g}/{name} has non-finite values")
    print(f"{g}: " + ", ".join(f"{n}{tuple(v.shape)}" for n, v in ds.data_vars.items()))

stats = xr.open_dataset(path, group="sample_stats")
expected = {"lp", "acceptance_rate", "step_size", "tree_depth", "n_steps", "diverging", "energy"}
if set(stats.data_vars) != expected:
    fail(f"sample_stats has {sorted(stats.data_vars)}")
if stats["diverging"].dtype != bool:
    fail(f"diverging is {stats['diverging'].dtype}, not bool")
for n in ("tree_depth", "n_steps"):
    if not np.issubdtype(stats[n].dtype, np.integer):
        fail(f"{n} is {stats[n].dtype}")
if not ((stats["acceptance_rate"] >= 0) & (stats["acceptance_rate"] <= 1)).all():
    fail("acceptance_rate outside [0, 1]")
print("OK:", path)
