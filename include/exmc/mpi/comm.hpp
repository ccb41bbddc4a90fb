#pragma once
// Thin helpers over the MPI calls exmc uses: error checks, polling for a message, and an outbox
// of non-blocking sends whose buffers live until MPI is done with them. Errors are returned on
// exmc's own communicator (MPI_ERRORS_RETURN), so a failure reaching a rank is an exception or a
// lost rank here, not an abort of the job by the default handler.
#include <mpi.h>

#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../core/error.hpp"

namespace exmc::mpi::detail {

using clock = std::chrono::steady_clock;

inline double seconds_since(clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); }

inline void nap(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

inline std::string mpi_error(int rc) {
  char s[MPI_MAX_ERROR_STRING];
  int n = 0;
  MPI_Error_string(rc, s, &n);
  return std::string(s, static_cast<std::size_t>(n));
}

inline void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw sampling_error(std::string("mpi: ") + what + " failed: " + mpi_error(rc));
}

struct message {
  int source = 0;
  int tag = 0;
  std::vector<char> bytes;
};

// The next message from `source` (or MPI_ANY_SOURCE) that has fully arrived, if any.
inline std::optional<message> poll(MPI_Comm comm, int source) {
  int flag = 0;
  MPI_Status st;
  check(MPI_Iprobe(source, MPI_ANY_TAG, comm, &flag, &st), "MPI_Iprobe");
  if (!flag) return std::nullopt;
  int count = 0;
  check(MPI_Get_count(&st, MPI_BYTE, &count), "MPI_Get_count");
  message m;
  m.source = st.MPI_SOURCE;
  m.tag = st.MPI_TAG;
  m.bytes.resize(static_cast<std::size_t>(count));
  check(MPI_Recv(m.bytes.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm, MPI_STATUS_IGNORE), "MPI_Recv");
  return m;
}

class outbox {
 public:
  explicit outbox(MPI_Comm comm) : comm_(comm) {}
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;
  ~outbox() { abandon(); }

  void send(int dest, int tag, std::vector<char> bytes) {
    auto& p = q_.emplace_back();
    p.dest = dest;
    p.bytes = std::move(bytes);
    check(MPI_Isend(p.bytes.data(), static_cast<int>(p.bytes.size()), MPI_BYTE, dest, tag, comm_, &p.req), "MPI_Isend");
  }

  // Retires completed sends. A send that ended in error is dropped: its peer is gone, which the
  // coordinator learns from the peer's silence.
  void progress() {
    for (auto it = q_.begin(); it != q_.end();) {
      int done = 0;
      const int rc = MPI_Test(&it->req, &done, MPI_STATUS_IGNORE);
      it = rc != MPI_SUCCESS || done ? q_.erase(it) : std::next(it);
    }
  }

  bool empty() const { return q_.empty(); }

  // Waits up to `limit` seconds for every send, then abandons the rest (sends to lost ranks).
  void drain(double limit, double poll) {
    const auto t0 = clock::now();
    for (progress(); !q_.empty() && seconds_since(t0) < limit; progress()) nap(poll);
    abandon();
  }

 private:
  // A send that never completes still owns its buffer as far as MPI knows: cancel it and park the
  // buffer where it stays valid (and reachable) until the program ends.
  void abandon() {
    static std::list<std::vector<char>> parked;
    for (auto& p : q_) {
      MPI_Cancel(&p.req);
      MPI_Request_free(&p.req);
      parked.push_back(std::move(p.bytes));
    }
    q_.clear();
  }

  struct pending {
    int dest = 0;
    MPI_Request req = MPI_REQUEST_NULL;
    std::vector<char> bytes;
  };
  MPI_Comm comm_;
  std::list<pending> q_;
};

// MPI_Comm_dup of the user's communicator with errors returned, freed on return: exmc's messages
// never mix with the program's, nor with those of an earlier run. After losing a rank, rank 0
// keeps it instead: a lost rank that comes back may still send on it, and a freed context id
// could be reused by the next run's communicator and receive those stale messages.
struct own_comm {
  MPI_Comm comm = MPI_COMM_NULL;
  bool keep = false;
  explicit own_comm(MPI_Comm user) {
    check(MPI_Comm_dup(user, &comm), "MPI_Comm_dup");
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  }
  own_comm(const own_comm&) = delete;
  own_comm& operator=(const own_comm&) = delete;
  ~own_comm() {
    if (!keep) MPI_Comm_free(&comm);
  }
};

}  // namespace exmc::mpi::detail
