// Phase 1 proposal selection, as the seeds' debug traces show it: the responder walks its `isakmp policy` entries
// from the lowest number up and checks every transform of the initiator's proposal against each
// ("Checking ISAKMP transform 1 against priority 10 policy ... atts are not acceptable ... priority 20 ...").
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "ike/crypto/crypto.hpp"
#include "ike/log.hpp"
#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

struct Phase1Choice {
  uint8_t proposal_number = 0;
  Transform transform;  // the initiator's transform as received (echoed back, RFC 2409 §5)
  crypto::CipherAlg cipher = crypto::CipherAlg::Des;
  crypto::HashAlg hash = crypto::HashAlg::Sha1;
  int dh_group = 1;
  uint16_t auth_method = ike_auth::PreShared;  // 1 or 65001 (XAUTHInitPreShared)
  uint32_t lifetime_seconds = 86400;           // the shorter of proposed and the policy's
  int policy_priority = 0;
  bool xauth() const { return auth_method == ike_auth::XauthInitPreShared; }
  std::string describe() const;  // "3DES-CBC/MD5/group 2/XAUTHInitPreShared, 86400 s (policy 20)"
};

struct Phase1Request {
  const SaPayload* sa = nullptr;
  bool have_psk = false;      // a pre-shared key exists for this peer / group
  bool xauth_enabled = false; // 65001 is acceptable only when Xauth is on for this peer
  std::optional<int> ke_group;  // aggressive mode: the group the KE payload's size fixes
};

struct Phase1Selection {
  std::optional<Phase1Choice> choice;
  uint16_t notify = 0;  // NO-PROPOSAL-CHOSEN, BAD-PROPOSAL-SYNTAX, ... when no choice
  std::string reason;
};

// Walks policies x transforms, logging each check at debug level in the Cisco style.
Phase1Selection select_phase1(const Phase1Request& request, const std::vector<config::IsakmpPolicy>& policies,
                              Logger& log);

// Wire <-> model mappings.
std::optional<crypto::CipherAlg> cipher_from_config(config::Cipher);
crypto::HashAlg hash_from_config(config::Hash);
std::optional<int> dh_group_for_public_size(size_t bytes);

}  // namespace ravpn::ike
