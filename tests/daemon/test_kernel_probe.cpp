// The kernel capability probe (daemon/control/kernel_probe.hpp) against the fake kernel: one throwaway SA per
// transform, nothing left behind, the kernel's refusal reported per transform.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "daemon/control/kernel_probe.hpp"
#include "ike/wire/constants.hpp"
#include "tests/fakes/fake_kernel.hpp"

using namespace ravpn;
using namespace ravpn::control;

namespace {
ike::EspTransform des_md5() {
  return {.transform_id = ike::esp_id::Des, .key_bits = 0, .auth = ike::ipsec_auth::HmacMd5,
          .name = "esp-des esp-md5-hmac"};
}
}  // namespace

TEST_CASE("probe: each transform is installed over an allocated SPI and deleted again") {
  testing::FakeKernel k;
  auto c = probe_kernel(&k, {des_md5(), probe_default_transform()});
  CHECK(c.xfrm);
  CHECK(c.esp());
  REQUIRE(c.transforms.size() == 2);
  CHECK(k.count_calls("allocate_spi") == 2);
  CHECK(k.count_calls("add_sa") == 2);
  CHECK(k.count_calls("delete_sa") == 2);
  CHECK(k.empty());
  CHECK(k.calls()[1].detail.find("update") != std::string::npos);  // UPDSA over the larval SA, as quick mode does
  CHECK(c.summary() == "ESP states available (esp-des esp-md5-hmac, esp-aes esp-sha-hmac)");
  CHECK(c.to_json()["esp"] == true);
}

TEST_CASE("probe: a kernel that refuses the algorithm is reported, and the larval SA is deleted") {
  testing::FakeKernel k;
  k.fail_next("add_sa", "XFRM_MSG_UPDSA: No such file or directory (Requested CRYPT algorithm not found)");
  auto c = probe_kernel(&k, {des_md5()});
  CHECK_FALSE(c.esp());
  CHECK(k.empty());
  CHECK(k.count_calls("delete_sa") == 1);
  CHECK(c.summary().find("ESP states not available: esp-des esp-md5-hmac: XFRM_MSG_UPDSA") == 0);
  CHECK(c.to_json()["transforms"][0]["ok"] == false);
}

TEST_CASE("probe: no XFRM socket, no config transforms") {
  auto none = probe_kernel(nullptr, {des_md5()});
  CHECK_FALSE(none.xfrm);
  CHECK_FALSE(none.esp());
  CHECK(none.summary() == "not available (no XFRM netlink access)");
  testing::FakeKernel k;
  auto dflt = probe_kernel(&k, {});
  REQUIRE(dflt.transforms.size() == 1);
  CHECK(dflt.transforms[0].name == "esp-aes esp-sha-hmac");
}

TEST_CASE("ip_forward is read from its /proc file") {
  const std::string path = "/tmp/ravpn-test-ip-forward";
  std::ofstream(path) << "1\n";
  CHECK(read_ip_forward(path) == true);
  std::ofstream(path) << "0\n";
  CHECK(read_ip_forward(path) == false);
  std::remove(path.c_str());
  CHECK_FALSE(read_ip_forward(path).has_value());
}
