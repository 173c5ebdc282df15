// How the RADIUS and TACACS+ backends hand one authentication to the AAA worker pool (ike/worker.hpp).
#pragma once
#include <functional>
#include <string>

#include "ike/worker.hpp"
#include "xauth/backend.hpp"

namespace ravpn::xauth {

// Runs `ask` on a worker thread with a copy of the credentials the job owns (the backend may be gone before the
// worker gets to it; `ask` must capture only what it owns too), wipes that copy's password as soon as `ask` returns,
// and calls `done` with the result on the caller's thread. An exception from `ask` is an Unavailable verdict
// ("PROTOCOL: what").
void run_on_worker(Worker& worker, const Credentials& credentials,
                   std::function<Result(const Credentials&)> ask, std::string protocol,
                   std::function<void(Result)> done);

}  // namespace ravpn::xauth
