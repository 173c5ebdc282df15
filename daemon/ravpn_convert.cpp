// ravpn-convert: a Cisco running-config (IOS 12.x, PIX 6.x) or a native file in, the native (TOML) configuration
// out, and the migration report: what was not taken.
//   ravpn-convert [--secrets FILE] [--with-secrets] [--secrets-out FILE] [--dialect ios|pix|native] [--report] CONFIG
// stdout: the native configuration (nothing with --report or when the configuration has errors).
// Without --secrets, secrets.cfg beside CONFIG is used when it exists (config::default_secrets_path).
// stderr: the report — errors with file:line, lines taken in part and why, ignored lines grouped by command.
// Exit status: 0 converted, 1 the configuration has errors, 2 usage.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/dialect.hpp"
#include "daemon/config/parse.hpp"
#include "xauth/config_check.hpp"

namespace {

using ravpn::config::Config;
using ravpn::config::Diagnostic;
using ravpn::config::Dialect;

struct Options {
  std::string config;
  std::string secrets;
  std::string secrets_out;
  std::optional<Dialect> dialect;
  bool with_secrets = false;
  bool report_only = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: ravpn-convert [--secrets FILE] [--with-secrets] [--secrets-out FILE]\n"
               "                     [--dialect ios|pix|native] [--report] CONFIG\n");
}

std::optional<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string dialect;
    if (a == "--secrets") {
      if (!value(o.secrets)) return std::nullopt;
    } else if (a == "--secrets-out") {
      if (!value(o.secrets_out)) return std::nullopt;
    } else if (a == "--dialect") {
      if (!value(dialect)) return std::nullopt;
      if (dialect == "ios") o.dialect = Dialect::Ios;
      else if (dialect == "pix") o.dialect = Dialect::Pix;
      else if (dialect == "native") o.dialect = Dialect::Native;
      else return std::nullopt;
    } else if (a == "--with-secrets") {
      o.with_secrets = true;
    } else if (a == "--report") {
      o.report_only = true;
    } else if (a.starts_with("-") || !o.config.empty()) {
      return std::nullopt;
    } else {
      o.config = a;
    }
  }
  if (o.config.empty()) return std::nullopt;
  return o;
}

// The secrets file, created mode 0600.
bool write_secrets_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += size_t(n);
  }
  return ::close(fd) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse_args(argc, argv);
  if (!options) {
    usage();
    return 2;
  }
  // Without --secrets, the secrets file beside the config (as ravpnd and --check-config do).
  const std::string secrets =
      options->secrets.empty() ? ravpn::config::default_secrets_path(options->config) : options->secrets;
  if (options->secrets.empty() && !secrets.empty()) std::fprintf(stderr, "secrets: %s (beside the config)\n", secrets.c_str());
  Config c = ravpn::config::load(options->config, secrets, options->dialect);
  ravpn::xauth::check_authentication(c);  // a converted config that cannot authenticate is an error here already
  std::fputs(ravpn::config::report_text(c).c_str(), stderr);
  if (c.has_errors()) return 1;
  if (!options->report_only || !options->secrets_out.empty()) {
    const auto not_utf8 = ravpn::config::byte_exact_values_not_utf8(c);
    for (const auto& v : not_utf8)
      std::fprintf(stderr,
                   "%s:%d: error: %s is not UTF-8: a native file cannot carry it unchanged (clients must send these "
                   "exact bytes); retype it in ASCII in the running config first\n",
                   v.origin.file.c_str(), v.origin.line, v.what.c_str());
    if (!not_utf8.empty()) return 1;
  }
  if (!options->secrets_out.empty() &&
      !write_secrets_file(options->secrets_out, ravpn::config::write_native_secrets(c))) {
    std::fprintf(stderr, "ravpn-convert: cannot write %s\n", options->secrets_out.c_str());
    return 1;
  }
  if (options->report_only) return 0;
  std::string out = ravpn::config::write_native(c, options->with_secrets);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) return 1;
  return 0;
}
