#pragma once
// Output files that never replace good results with worse ones. A writer writes to
// `<path>.partial` beside the final name and renames it onto `<path>` only when the run it
// records completed; a run that failed, was interrupted or was killed leaves the earlier file
// at `<path>` untouched (and its own draws, if any, in `<path>.partial`). rename(2) within one
// directory is atomic, so a reader sees either the old file or the new one, never a mixture.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace exmc {

// A file could not be created, written, closed or renamed. Distinct from model_error (bad
// input): the command line reports it with exit status 1, not 2.
struct io_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace io {

inline std::string partial_path(const std::string& path) { return path + ".partial"; }

// Throws io_error unless `path` can be written as a file: its folder exists and the name is
// not a folder. Creates and removes `<path>.partial` to be sure, and never touches `path`.
// `what` names the option or the file's role in the message ("--netcdf").
inline void check_writable(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  if (path.empty()) throw io_error(what + ": the file name is empty");
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw io_error(what + ": '" + path + "' is a folder, not a file");
  const std::string probe = partial_path(path);
  const bool existed_before = fs::exists(probe, ec);
  std::FILE* f = std::fopen(probe.c_str(), "ab");  // appends nothing: an old partial file survives
  if (!f) throw io_error(what + ": cannot write '" + path + "': " + std::strerror(errno));
  std::fclose(f);
  if (!existed_before) fs::remove(probe, ec);
}

// Moves a finished `<path>.partial` onto `path` (atomically replacing an earlier file).
inline void commit(const std::string& partial, const std::string& path) {
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw io_error("cannot rename '" + partial + "' to '" + path + "': " + ec.message());
}

}  // namespace io
}  // namespace exmc
