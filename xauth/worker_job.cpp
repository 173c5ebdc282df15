#include "xauth/worker_job.hpp"

#include <exception>
#include <memory>
#include <utility>

#include <fmt/format.h>

namespace ravpn::xauth {

void run_on_worker(Worker& worker, const Credentials& credentials, std::function<Result(const Credentials&)> ask,
                   std::string protocol, std::function<void(Result)> done) {
  struct Job {
    std::function<Result(const Credentials&)> ask;
    std::string protocol;
    Credentials credentials;
    Result result;
  };
  auto job = std::make_shared<Job>(Job{std::move(ask), std::move(protocol), credentials, {}});
  worker.submit(
      [job] {
        try {
          job->result = job->ask(job->credentials);
        } catch (const std::exception& e) {
          job->result = {Verdict::Unavailable, fmt::format("{}: {}", job->protocol, e.what())};
        }
        job->credentials.password.clear();  // secure_vector: wiped now, not when the completion runs
      },
      [job, done = std::move(done)] { done(std::move(job->result)); });
}

}  // namespace ravpn::xauth
