// Phase 1 keying material and authentication hashes for pre-shared keys (RFC 2409 §5, appendix B).
#include <algorithm>
#include <stdexcept>

#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto {
namespace {

// RFC 2409 appendix B: when SKEYID_e is shorter than the cipher key,
// Ka = K1 | K2 | ... with K1 = prf(SKEYID_e, 0) (one zero byte) and Kn = prf(SKEYID_e, Kn-1).
SecretBytes expand_encryption_key(HashAlg alg, const SecretBytes& skeyid_e, size_t key_size) {
  if (skeyid_e.size() >= key_size) return SecretBytes(skeyid_e.begin(), skeyid_e.begin() + key_size);
  Prf prf_e(alg, skeyid_e);
  SecretBytes ka;
  SecretBytes k = prf_e.update(uint8_t{0}).final();
  for (;;) {
    ka.insert(ka.end(), k.begin(), k.end());
    if (ka.size() >= key_size) break;
    k = prf_e.update(k).final();
  }
  ka.resize(key_size);
  return ka;
}

SecretBytes auth_hash(const AuthHashInputs& in, ByteView first_g, ByteView second_g, ByteView first_cky,
                      ByteView second_cky) {
  return Prf(in.hash, in.skeyid)
      .update(first_g)
      .update(second_g)
      .update(first_cky)
      .update(second_cky)
      .update(in.sai_b)
      .update(in.id_b)
      .final();
}

}  // namespace

Phase1Keys derive_phase1_psk(const Phase1Inputs& in) {
  if (in.cky_i.size() != 8 || in.cky_r.size() != 8) throw std::invalid_argument("derive_phase1_psk: cookies are 8 bytes");
  Phase1Keys k;
  // RFC 2409 §5: for pre-shared keys SKEYID = prf(pre-shared-key, Ni_b | Nr_b).
  k.skeyid = Prf(in.hash, in.psk).update(in.ni_b).update(in.nr_b).final();
  Prf prf(in.hash, k.skeyid);
  k.skeyid_d = prf.update(in.g_xy).update(in.cky_i).update(in.cky_r).update(uint8_t{0}).final();
  k.skeyid_a = prf.update(k.skeyid_d).update(in.g_xy).update(in.cky_i).update(in.cky_r).update(uint8_t{1}).final();
  k.skeyid_e = prf.update(k.skeyid_a).update(in.g_xy).update(in.cky_i).update(in.cky_r).update(uint8_t{2}).final();
  k.enc_key = expand_encryption_key(in.hash, k.skeyid_e, cipher_key_size(in.cipher));
  // Appendix B: the first IV is hash(g^xi | g^xr), truncated to the cipher's block size.
  Bytes gxi_gxr(in.g_xi.begin(), in.g_xi.end());
  gxi_gxr.insert(gxi_gxr.end(), in.g_xr.begin(), in.g_xr.end());
  k.iv = hash(in.hash, gxi_gxr);
  k.iv.resize(cipher_block_size(in.cipher));
  return k;
}

// RFC 2409 §5: HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b).
SecretBytes hash_i(const AuthHashInputs& in) { return auth_hash(in, in.g_xi, in.g_xr, in.cky_i, in.cky_r); }

// RFC 2409 §5: HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
SecretBytes hash_r(const AuthHashInputs& in) { return auth_hash(in, in.g_xr, in.g_xi, in.cky_r, in.cky_i); }

}  // namespace ravpn::crypto
