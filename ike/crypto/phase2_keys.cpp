// IVs after phase 1 and quick mode KEYMAT (RFC 2409 §5.5, appendix B).
#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto {

// Appendix B: each phase 2 / informational exchange starts from hash(last phase 1 CBC block | M-ID),
// M-ID in network byte order, truncated to the block size.
Bytes phase2_iv(HashAlg alg, CipherAlg cipher, ByteView last_phase1_block, uint32_t message_id) {
  Bytes in(last_phase1_block.begin(), last_phase1_block.end());
  for (int shift = 24; shift >= 0; shift -= 8) in.push_back(static_cast<uint8_t>(message_id >> shift));
  Bytes iv = hash(alg, in);
  iv.resize(cipher_block_size(cipher));
  return iv;
}

// §5.5: KEYMAT = K1 | K2 | ... with K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
// Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
SecretBytes quick_mode_keymat(HashAlg alg, ByteView skeyid_d, ByteView g_qm_xy, uint8_t protocol, ByteView spi,
                              ByteView ni_b, ByteView nr_b, size_t length) {
  Prf prf_d(alg, skeyid_d);
  SecretBytes keymat;
  SecretBytes k;
  while (keymat.size() < length) {
    k = prf_d.update(k).update(g_qm_xy).update(protocol).update(spi).update(ni_b).update(nr_b).final();
    keymat.insert(keymat.end(), k.begin(), k.end());
  }
  keymat.resize(length);
  return keymat;
}

}  // namespace ravpn::crypto
